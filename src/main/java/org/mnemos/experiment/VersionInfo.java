package org.mnemos.experiment;

import ai.djl.engine.Engine;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mnemos.MnemosApplication;
import org.springframework.stereotype.Component;

/** The software versions recorded with every run, so that a result can be traced to what produced it. */
@Component
public class VersionInfo {

    private volatile Map<String, String> versions;

    public Map<String, String> versions() {
        Map<String, String> current = versions;
        if (current == null) {
            current = collect();
            versions = current;
        }
        return current;
    }

    private static Map<String, String> collect() {
        Map<String, String> found = new LinkedHashMap<>();
        String mnemos = MnemosApplication.class.getPackage().getImplementationVersion();
        found.put("mnemos", mnemos == null ? "development build" : mnemos);
        found.put("djl", Engine.getDjlVersion());
        found.put("pytorch", pytorchVersion());
        found.put("java", Runtime.version().toString());
        return Map.copyOf(found);
    }

    private static String pytorchVersion() {
        try {
            return Engine.getEngine("PyTorch").getVersion();
        } catch (RuntimeException e) {
            return "unavailable: " + e.getMessage();
        }
    }
}
