package org.mnemos.config;

import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.mnemos.engine.data.DatasetDownloader;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The engine's data access, built from {@code mnemos.data.roots}; the engine itself knows no Spring. */
@Configuration(proxyBeanMethods = false)
public class DataConfiguration {

    @Bean
    DataRoots dataRoots(DataProperties properties) {
        return new DataRoots(properties.rootPaths());
    }

    @Bean
    DatasetCatalog datasetCatalog(DataRoots dataRoots, DataProperties properties) {
        return new DatasetCatalog(dataRoots, properties.downloads() ? DatasetDownloader.official() : null);
    }
}
