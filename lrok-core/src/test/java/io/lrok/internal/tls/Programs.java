package io.lrok.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.testing.ExternalPrograms;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs openssl and curl in a directory, for tests that check lrok's TLS against real tools. */
final class Programs {

    private static final long TIMEOUT_SECONDS = 30;

    /** What a program did. */
    record Result(int exit, String output) {}

    private Programs() {}

    /** Skips the calling test (fails it in CI) if {@code name} is not on the PATH. */
    static void require(String name) {
        ExternalPrograms.require(name, ExternalPrograms.findOnPath(name).isPresent(), "apt-get install " + name);
    }

    /** @return the program's exit status and its stdout and stderr together */
    static Result run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        // Read before waiting, so a chatty program never blocks on a full pipe.
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + "s");
        }
        return new Result(process.exitValue(), output);
    }

    /** Runs a command that must succeed; @return its output */
    static String ok(Path dir, String... command) throws IOException, InterruptedException {
        Result result = run(dir, command);
        assertThat(result.exit()).as(String.join(" ", command) + " printed:\n" + result.output()).isZero();
        return result.output();
    }

    /** Runs openssl with {@code args}, which must succeed. */
    static String openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        return ok(dir, command.toArray(String[]::new));
    }
}
