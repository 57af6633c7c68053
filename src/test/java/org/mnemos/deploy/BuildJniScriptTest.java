package org.mnemos.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checks of {@code src/main/scripts/build-jni.sh} that run before any build: CI has no libtorch
 * headers, so the build itself is verified on a machine with a pip torch. A fake interpreter stands
 * in for Python with torch: it prints what the script asks torch for (version, CMake prefix, lib dir, CUDA).
 */
class BuildJniScriptTest {

    private static final Path SCRIPT = Path.of("src/main/scripts/build-jni.sh");

    @TempDir
    Path dir;

    private Path fakePython(String body) throws IOException {
        Path python = dir.resolve("python-" + Math.abs(body.hashCode()));
        Files.writeString(python, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));
        return python;
    }

    private record Result(int exitCode, String output) {}

    private Result run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }

    @Test
    void anInterpreterWithoutTorchIsToldSoWithExitCode2() throws Exception {
        Path python = fakePython("echo \"ModuleNotFoundError: No module named 'torch'\" >&2; exit 1");
        Result result = run("--python", python.toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).contains("cannot import torch", "No module named 'torch'");
        assertThat(run("--python", dir.resolve("absent").toString()).exitCode()).isEqualTo(2);
        assertThat(run("--libtorch", dir.toString()).output()).contains("no libtorch at");
    }

    @Test
    void aTorchOlderThanTheJniSupportsIsRefusedWithExitCode3() throws Exception {
        Result result = run(
                "--python", fakePython("echo 1.13.1 /opt/cmake /opt/lib 117").toString());
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.output()).contains("PyTorch 1.13.1 is older than 2.2");
    }

    @Test
    void aSupportedTorchWithoutDjlSourceIsToldWhereTheSourceIsMissing() throws Exception {
        Result result = run(
                "--python",
                fakePython("echo 2.11.0 /opt/cmake /opt/lib 130").toString(),
                "--djl-src",
                dir.resolve("no-djl").toString());
        assertThat(result.exitCode()).isEqualTo(4);
        assertThat(result.output()).contains("PyTorch 2.11.0 (cu130)", "is not a DJL checkout");
    }
}
