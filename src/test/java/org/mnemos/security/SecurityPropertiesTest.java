package org.mnemos.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class SecurityPropertiesTest {

    @EnableConfigurationProperties(SecurityProperties.class)
    static class Config {}

    private final ApplicationContextRunner context = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void requiredKeysWithoutAnyRefuseToStartNamingTheProperty() {
        context.withPropertyValues("mnemos.security.require-keys=true").run(started -> {
            assertThat(started).hasFailed();
            assertThat(started.getStartupFailure()).rootCause().hasMessageContaining("mnemos.security.api-keys");
        });
    }

    @Test
    void requiredKeysWithAKeyStart() {
        context.withPropertyValues(
                        "mnemos.security.require-keys=true",
                        "mnemos.security.api-keys[0].id=ci",
                        "mnemos.security.api-keys[0].key=secret",
                        "mnemos.security.api-keys[0].scopes=read,write")
                .run(started -> {
                    assertThat(started).hasNotFailed();
                    SecurityProperties properties = started.getBean(SecurityProperties.class);
                    assertThat(properties.enabled()).isTrue();
                    assertThat(properties.apiKeys().get(0).scopes())
                            .containsExactlyInAnyOrder(SecurityProperties.Scope.read, SecurityProperties.Scope.write);
                });
    }

    @Test
    void withoutTheRequirementNoKeysMeansOpen() {
        assertThat(new SecurityProperties(List.of(), false, List.of()).enabled())
                .isFalse();
        assertThatThrownBy(() -> new SecurityProperties(List.of(), true, List.of()))
                .isInstanceOf(IllegalStateException.class);
        assertThat(new SecurityProperties(
                                List.of(new SecurityProperties.ApiKey("a", "k", null, Set.of())), true, List.of())
                        .enabled())
                .isTrue();
    }
}
