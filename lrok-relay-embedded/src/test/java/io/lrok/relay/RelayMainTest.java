package io.lrok.relay;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The standalone relay's command line. */
@Timeout(60)
class RelayMainTest {

    @TempDir
    Path dir;

    @Test
    void flagsConfigureTheRelay() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens"), "# agents\n\n  first-token  \nsecond\n# old\n");
        EmbeddedRelay.Builder builder = RelayMain.parse(List.of("--domain", "Tunnels.Example.com", "--bind",
                "127.0.0.1", "--agent-port", "0", "--http-port", "0", "--token-file", tokens.toString(),
                "--token-check-interval", "5"));
        try (EmbeddedRelay relay = builder.start()) {
            assertThat(relay.domain()).isEqualTo("tunnels.example.com");
            assertThat(relay.host()).isEqualTo("127.0.0.1");
            assertThat(relay.authToken()).contains("first-token");
            TokenVerifier verifier = relay.server().config().verifier();
            assertThat(verifier.verify("second")).isPresent();
            assertThat(verifier.verify("first-token")).isPresent();
            assertThat(verifier.verify("# old")).isEmpty();
        }
    }

    @Test
    void mistakesAreExplained() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "# nothing\n");
        assertThatThrownBy(() -> RelayMain.parse(List.of("--port", "1"))).hasMessage("unknown option: --port");
        assertThatThrownBy(() -> RelayMain.parse(List.of("--domain"))).hasMessage("--domain needs a value");
        assertThatThrownBy(() -> RelayMain.parse(List.of("extra"))).hasMessage("unexpected argument: extra");
        assertThatThrownBy(() -> RelayMain.parse(List.of("--http-port", "http")))
                .hasMessage("--http-port takes a port number from 0 to 65535, not http");
        assertThatThrownBy(() -> RelayMain.parse(List.of("--agent-port", "70000"))).hasMessageContaining("70000");
        assertThatThrownBy(() -> RelayMain.parse(List.of("--bind", "relay.example.com")))
                .hasMessage("--bind takes an IP address, not relay.example.com");
        assertThatThrownBy(() -> RelayMain.parse(List.of("--domain", "bad_domain"))).hasMessageContaining("domain");
        assertThatThrownBy(() -> RelayMain.parse(List.of("--token-file", empty.toString())))
                .hasMessageContaining("holds no token");
        assertThatThrownBy(() -> RelayMain.parse(List.of("--token-file", dir.resolve("missing").toString())))
                .hasMessageContaining("cannot read the token file");
        assertThatThrownBy(() -> RelayMain.parse(List.of("--token-check-interval", "0")))
                .hasMessage("--token-check-interval takes a whole number of seconds, 1 or more, not 0");
    }

    @Test
    void theUsageNamesEveryFlag() {
        assertThat(RelayMain.USAGE).contains("--domain", "--bind", "--agent-port", "--http-port", "--token-file",
                "--help", "4443", "8080", "--tls-cert", "--tls-key", "--https-port", "--redirect-http", "8443", "--token-check-interval", "account=", "reserve=");
    }

    @Test
    void theProgramLogsWhereItListensAndRunsUntilStopped() throws Exception {
        Process relay = java("--agent-port", "0", "--http-port", "0", "--domain", "lrok.test");
        try (BufferedReader log = new BufferedReader(new InputStreamReader(relay.getErrorStream(), UTF_8))) {
            List<String> lines = new ArrayList<>();
            String line;
            while ((line = log.readLine()) != null) {
                lines.add(line);
                if (line.contains("lrok relay: agents dial")) break;
            }
            assertThat(line).as("log: %s", lines).isNotNull()
                    .containsPattern("agents dial 127\\.0\\.0\\.1:\\d+ \\(plaintext, loopback only\\); public HTTP on port \\d+;"
                            + " tunnel URLs look"
                            + " like http://<name>\\.lrok\\.test:\\d+");
            assertThat(relay.isAlive()).isTrue();
        } finally {
            relay.destroy();
            assertThat(relay.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void helpPrintsTheUsageAndBadFlagsExitWith2() throws Exception {
        Process help = java("--help");
        assertThat(new String(help.getInputStream().readAllBytes(), UTF_8)).isEqualTo(RelayMain.USAGE);
        assertThat(help.waitFor()).isZero();
        Process bad = java("--nope", "1");
        assertThat(new String(bad.getErrorStream().readAllBytes(), UTF_8)).startsWith(
                "lrok-relay: unknown option: --nope\nusage:");
        assertThat(bad.waitFor()).isEqualTo(2);
    }

    private static Process java(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElseThrow(), "-cp", System.getProperty("java.class.path"),
                RelayMain.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).start();
    }
}
