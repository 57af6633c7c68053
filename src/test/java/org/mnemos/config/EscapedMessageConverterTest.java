package org.mnemos.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

/**
 * Client text in a log message cannot start a line of its own: checked through the logging
 * configuration Spring Boot loads ({@code logback-spring.xml}), not just the converter.
 */
@SpringBootTest(
        classes = EscapedMessageConverterTest.NothingElse.class,
        webEnvironment = SpringBootTest.WebEnvironment.NONE)
@ExtendWith(OutputCaptureExtension.class)
class EscapedMessageConverterTest {

    @Configuration(proxyBeanMethods = false)
    static class NothingElse {}

    @Test
    void controlCharactersAreEscaped() {
        assertThat(EscapedMessageConverter.escape("a\nb\r\tc\u0000d\u001be")).isEqualTo("a\\nb\\r\\tc\\u0000d\\u001be");
        assertThat(EscapedMessageConverter.escape("plain ünïcode")).isEqualTo("plain ünïcode");
    }

    @Test
    void aForgedLineStaysOnTheLineThatLoggedIt(CapturedOutput output) {
        LoggerFactory.getLogger("org.mnemos.test").info("Experiment {} queued", "x\n2026-01-01 ERROR forged");
        assertThat(output.getOut())
                .contains("Experiment x\\n2026-01-01 ERROR forged queued")
                .doesNotContain("\n2026-01-01 ERROR forged");
    }
}
