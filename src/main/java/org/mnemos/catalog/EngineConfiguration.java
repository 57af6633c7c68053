package org.mnemos.catalog;

import java.nio.file.Path;
import java.util.List;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The engine's plain objects as beans; the data roots come from {@code mnemos.data.roots}. */
@Configuration(proxyBeanMethods = false)
public class EngineConfiguration {

    @Bean
    DataRoots dataRoots(@Value("${mnemos.data.roots:data}") List<Path> roots) {
        return new DataRoots(roots.stream().map(p -> p.toAbsolutePath().normalize()).toList());
    }

    @Bean
    DatasetCatalog datasetCatalog(DataRoots roots) {
        return new DatasetCatalog(roots);
    }

    @Bean
    CilEngine cilEngine(DatasetCatalog datasets) {
        return new CilEngine(datasets);
    }
}
