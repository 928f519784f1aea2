package io.lrok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void demoEchoesTransfersAndPings() {
        assertThat(run("mux-demo", "--streams", "50", "--megabytes", "16")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("50 of 50 concurrent streams echoed intact")
                .contains("16 MiB on one stream")
                .contains("SHA-256 matches")
                .contains("round trip");
    }

    @Test
    void unknownCommandIsAUsageError() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown command 'frobnicate'").contains("Usage:");
    }

    @Test
    void badOptionValueIsAUsageError() {
        assertThat(run("mux-demo", "--streams", "zero")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--streams needs a positive number");
    }

    @Test
    void versionPrintsTheVersion() {
        assertThat(run("version")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("lrok 0.1");
    }
}
