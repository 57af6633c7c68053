package org.mnemos.engine.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.mnemos.engine.CilEngine;
import org.mnemos.engine.data.DataRoots;
import org.mnemos.engine.data.DatasetCatalog;

/** The real data sets beside the checkout ({@code ../shared/data}), as CI and developers have them. */
public final class SharedData {

    private SharedData() {}

    public static Path root() {
        String configured = System.getProperty("mnemos.shared.data");
        Path root = Path.of(configured != null ? configured : "../shared/data")
                .toAbsolutePath()
                .normalize();
        if (!Files.isDirectory(root.resolve("mnist"))) {
            throw new IllegalStateException("the shared data sets are missing at " + root);
        }
        return root;
    }

    public static CilEngine engine() {
        return new CilEngine(new DatasetCatalog(new DataRoots(List.of(root()))));
    }
}
