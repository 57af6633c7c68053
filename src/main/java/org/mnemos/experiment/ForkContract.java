package org.mnemos.experiment;

import io.swagger.v3.oas.models.media.Schema;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The submission's {@code from} field in the contract: a submission is an experiment spec plus,
 * optionally, the finished phase it forks from, which the engine's spec does not carry.
 */
@Configuration(proxyBeanMethods = false)
class ForkContract {

    @Bean
    OpenApiCustomizer forkField() {
        return openApi -> {
            Schema<?> spec = openApi.getComponents().getSchemas().get("ExperimentSpec");
            if (spec != null) {
                spec.addProperty(
                        SpecReader.FROM,
                        new Schema<>()
                                .$ref("#/components/schemas/Fork")
                                .description(
                                        "submission only: start from this finished phase of an earlier run of yours, reusing its phases 0..phase"
                                                + " (metrics and state) when the data, class order, those phases' classes, model, method,"
                                                + " memory, training and seed resolve as they did there; otherwise a 400 names the first field"
                                                + " that differs"));
            }
        };
    }
}
