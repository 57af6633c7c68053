package org.mnemos.deploy;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.mnemos.worker.WorkerProperties;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Binds the worker settings a deployment recipe sets, environment variables and {@code --} arguments,
 * to {@link WorkerProperties} as Spring Boot would at start: a name under {@code mnemos.worker}
 * that is no property fails, and so does a value the worker refuses.
 */
final class WorkerSettings {

    private static final String PREFIX = "MNEMOS_WORKER_";

    private WorkerSettings() {}

    /** Each worker property as an environment variable: MNEMOS_WORKER_MAX_PHASES for maxPhases. */
    static Set<String> environmentNames() {
        return Arrays.stream(WorkerProperties.class.getRecordComponents())
                .map(component -> PREFIX
                        + component
                                .getName()
                                .replaceAll("([a-z0-9])([A-Z])", "$1_$2")
                                .toUpperCase(Locale.ROOT))
                .collect(Collectors.toSet());
    }

    /**
     * @param environment variables as the process sees them (e.g. MNEMOS_WORKER_POOL)
     * @param arguments {@code --name=value} arguments without the dashes, by name
     */
    static WorkerProperties bind(Map<String, String> environment, Map<String, String> arguments) {
        // the binder ignores an environment variable that names no property, so each is checked by name
        Set<String> known = environmentNames();
        for (String name : environment.keySet()) {
            if (name.startsWith(PREFIX) && !known.contains(name)) {
                throw new IllegalArgumentException(
                        name + " is no property of mnemos.worker (WorkerProperties); one of " + new TreeSet<>(known));
            }
        }
        List<ConfigurationPropertySource> sources = List.of(
                new MapConfigurationPropertySource(arguments),
                ConfigurationPropertySources.from(new SystemEnvironmentPropertySource(
                                "environment", Map.<String, Object>copyOf(environment)))
                        .iterator()
                        .next());
        BindHandler strict = new NoUnboundElementsBindHandler(BindHandler.DEFAULT);
        return new Binder(sources)
                .bind("mnemos.worker", Bindable.of(WorkerProperties.class), strict)
                .orElseThrow(() -> new AssertionError("no mnemos.worker setting"));
    }
}
