package io.lrok.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.Tunnel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code lrok relay}: the command line runs the standalone relay found by name (the relay module is on this test
 * class path, as {@code ./lrok} puts it on its own), in a process of its own; a tunnel through it serves a raw
 * HTTP client that names the tunnel's host.
 */
@Timeout(60)
class RelayCommandTest {
    private static final Pattern LISTENING = Pattern.compile("agents dial 127\\.0\\.0\\.1:(\\d+) .*public HTTP on port (\\d+)");

    @Test
    void relayRunsTheStandaloneRelayUntilStopped() throws Exception {
        Process relay = lrok("relay", "--domain", "lrok.test", "--agent-port", "0", "--http-port", "0");
        try (BufferedReader log = new BufferedReader(new InputStreamReader(relay.getErrorStream(), UTF_8));
             var app = io.lrok.junit.NamedApp.start("behind the cli relay")) {
            List<String> lines = new ArrayList<>();
            Matcher listening = null;
            for (String line; listening == null && (line = log.readLine()) != null; ) {
                lines.add(line);
                Matcher m = LISTENING.matcher(line);
                if (m.find()) listening = m;
            }
            assertThat(listening).as("the relay's log: %s", lines).isNotNull();
            int agentPort = Integer.parseInt(listening.group(1));
            int httpPort = Integer.parseInt(listening.group(2));
            try (Tunnel tunnel = Tunnel.http(app.port()).relay(URI.create("lrok+plain://127.0.0.1:" + agentPort))
                    .subdomain("from-cli").open()) {
                assertThat(tunnel.publicUrl()).isEqualTo(URI.create("http://from-cli.lrok.test:" + httpPort));
                assertThat(get(httpPort, "from-cli.lrok.test:" + httpPort, "/hello"))
                        .startsWith("HTTP/1.1 200").endsWith("behind the cli relay saw /hello");
            }
        } finally {
            relay.destroy(); // SIGTERM: the relay's shutdown hook closes it
            assertThat(relay.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void relayHelpPrintsBothUsages() throws Exception {
        Process help = lrok("relay", "--help");
        String out = new String(help.getInputStream().readAllBytes(), UTF_8);
        assertThat(help.waitFor()).isZero();
        assertThat(out).startsWith("Usage: lrok relay [options]").contains("--domain <name>").contains("--tls-cert");
    }

    /** A GET from a raw socket to the relay's public port, with the Host that names the tunnel. */
    private static String get(int port, String host, String path) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(UTF_8));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), UTF_8);
        }
    }

    static Process lrok(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).start();
    }
}
