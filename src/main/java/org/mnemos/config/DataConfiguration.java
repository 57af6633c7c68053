package org.mnemos.config;

import org.mnemos.engine.DataPaths;
import org.mnemos.engine.Datasets;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The engine's data access, built from {@code mnemos.data.roots}; the engine itself knows no Spring. */
@Configuration(proxyBeanMethods = false)
public class DataConfiguration {

    @Bean
    DataPaths dataPaths(DataProperties properties) {
        return new DataPaths(properties.rootPaths());
    }

    @Bean
    Datasets datasets(DataPaths dataPaths, DataProperties properties) {
        return new Datasets(dataPaths, properties.downloads());
    }
}
