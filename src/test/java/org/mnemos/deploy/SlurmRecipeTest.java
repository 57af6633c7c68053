package org.mnemos.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.mnemos.worker.WorkerProperties;
import org.springframework.util.unit.DataSize;

/**
 * The Slurm array-job recipe sets only real worker properties with values the worker accepts: every
 * {@code MNEMOS_WORKER_*} it exports and every {@code --mnemos.worker.*} flag it passes, at their
 * defaults, is bound to {@link WorkerProperties} the way Spring Boot binds them at start.
 */
class SlurmRecipeTest {

    private static final Path RECIPE = Path.of("src/main/scripts/slurm/mnemos-worker.sbatch");
    private static final Pattern EXPORT =
            Pattern.compile("(?m)^\\s*export\\s+(MNEMOS_WORKER_[A-Z_]+|SPRING_[A-Z_]+)=(\\S+)");
    private static final Pattern FLAG = Pattern.compile("--(mnemos\\.worker\\.[a-z-]+)=(\\S+)");
    private static final Pattern SBATCH = Pattern.compile("(?m)^#SBATCH\\s+--([a-z-]+)(?:=(\\S+))?");
    /** ${NAME:-default} or ${NAME}, innermost first. */
    private static final Pattern EXPANSION = Pattern.compile("\\$\\{[A-Z_]+(?::-([^${}]*))?}");

    @Test
    void theRecipeSetsOnlyRealWorkerPropertiesWithValidValues() throws Exception {
        Recipe recipe = Recipe.read(Files.readString(RECIPE));
        assertThat(recipe.environment()).containsKeys("MNEMOS_WORKER_POOL", "MNEMOS_WORKER_DEVICE");
        assertThat(WorkerSettings.environmentNames())
                .contains("MNEMOS_WORKER_MAX_PHASES", "MNEMOS_WORKER_EXIT_WHEN_IDLE", "MNEMOS_WORKER_WORK_DIR");
        assertThat(recipe.arguments()).containsKeys("mnemos.worker.max-phases", "mnemos.worker.exit-when-idle");

        WorkerProperties worker = WorkerSettings.bind(recipe.environment(), recipe.arguments());

        assertThat(worker.pool()).isEqualTo("slurm-gpu");
        assertThat(worker.device()).isEqualTo("gpu");
        assertThat(worker.memoryBudget()).isEqualTo(DataSize.ofGigabytes(80));
        assertThat(worker.maxPhases()).isEqualTo(8);
        assertThat(worker.exitWhenIdle()).isEqualTo(Duration.ofMinutes(10));
        assertThat(worker.workDir()).isEqualTo(Path.of("/tmp/mnemos-work-0-0"));
        assertThat(recipe.sbatch())
                .containsEntry("array", "0-15%8")
                .as("SIGTERM to the JVM before the time limit, so that it hands its phase back")
                .containsEntry("signal", "B:TERM@120");
        assertThat(Files.readString(RECIPE))
                .as("the JVM replaces the batch shell and gets the signal itself")
                .containsPattern("(?m)^exec java ");
    }

    @Test
    void theCheckRefusesANameThatIsNoPropertyAndAValueTheWorkerRefuses() {
        assertThatThrownBy(() -> WorkerSettings.bind(
                        Map.of(),
                        Recipe.read("java -jar m.jar --mnemos.worker.max-phase=1")
                                .arguments()))
                .hasStackTraceContaining("mnemos.worker.max-phase");
        assertThatThrownBy(() -> WorkerSettings.bind(
                        Recipe.read("export MNEMOS_WORKER_EXIT_WHEN_IDEL=5m").environment(), Map.of()))
                .hasMessageContaining("MNEMOS_WORKER_EXIT_WHEN_IDEL is no property of mnemos.worker");
        assertThatThrownBy(() -> WorkerSettings.bind(
                        Map.of(),
                        Recipe.read("java --mnemos.worker.exit-when-idle=\"${IDLE:-0s}\"")
                                .arguments()))
                .hasStackTraceContaining("mnemos.worker.exit-when-idle must be a positive duration");
        assertThatThrownBy(() -> WorkerSettings.bind(
                        Recipe.read("export MNEMOS_WORKER_POOL=GPU_1").environment(), Map.of()))
                .hasStackTraceContaining("mnemos.worker.pool must be");
    }

    @Test
    void theRecipeIsValidBash() throws IOException, InterruptedException {
        Process check = new ProcessBuilder("bash", "-n", RECIPE.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(check.getInputStream().readAllBytes());
        assertThat(check.waitFor()).as(output).isZero();
    }

    /** What a script sets, with every {@code ${NAME:-default}} at its default. */
    private record Recipe(Map<String, String> environment, Map<String, String> arguments, Map<String, String> sbatch) {

        static Recipe read(String script) {
            Map<String, String> environment = new LinkedHashMap<>();
            Matcher export = EXPORT.matcher(script);
            while (export.find()) {
                environment.put(export.group(1), atDefaults(export.group(2)));
            }
            Map<String, String> arguments = new LinkedHashMap<>();
            Matcher flag = FLAG.matcher(script);
            while (flag.find()) {
                arguments.put(flag.group(1), atDefaults(flag.group(2)));
            }
            Map<String, String> sbatch = new LinkedHashMap<>();
            Matcher option = SBATCH.matcher(script);
            while (option.find()) {
                sbatch.put(option.group(1), option.group(2));
            }
            return new Recipe(environment, arguments, sbatch);
        }

        private static String atDefaults(String word) {
            String value = word.replace("\"", "");
            for (String expanded = expandOnce(value); !expanded.equals(value); expanded = expandOnce(value)) {
                value = expanded;
            }
            return value;
        }

        private static String expandOnce(String value) {
            return EXPANSION
                    .matcher(value)
                    .replaceAll(match -> Matcher.quoteReplacement(match.group(1) == null ? "" : match.group(1)));
        }
    }
}
