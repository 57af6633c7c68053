package org.mnemos.catalog;

import org.mnemos.artifacts.CheckpointUploads;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.Datasets;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The engine as a bean; its data catalog comes from {@code org.mnemos.config.DataConfiguration}. */
@Configuration(proxyBeanMethods = false)
public class EngineConfiguration {

    /** @param checkpoints the uploads {@code model.init} names */
    @Bean
    CilEngine cilEngine(Datasets datasets, CheckpointUploads checkpoints) {
        return datasets.engine(checkpoints::locate);
    }
}
