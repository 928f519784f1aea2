package io.lrok.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.lrok.relay.EmbeddedRelay;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The command line's tunnel commands, on the in-process relay (lrok-relay-embedded is on the test class path). */
@Timeout(60)
class TunnelCommandTest {
    private static final Pattern FORWARDING = Pattern.compile("forwarding\\s+(\\S+)\\s+->\\s+(\\S+)");
    private static final Pattern INSPECTOR = Pattern.compile("inspector\\s+(http://127\\.0\\.0\\.1:\\d+/)");

    @Test
    void demoServesItsAppThroughAPublicUrlAndFetchesIt() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = TunnelDemo.run(true, new PrintStream(out, true, StandardCharsets.UTF_8), new CountDownLatch(0));
        assertThat(status).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("public URL  http://127.0.0.1:")
                .contains("/hello -> Hello from the local app behind lrok!");
    }

    @Test
    void httpForwardsUntilStopped() throws Exception {
        HttpServer app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        app.createContext("/", exchange -> {
            byte[] body = ("local saw " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        app.start();
        try {
            PipedLines out = new PipedLines();
            CountDownLatch stop = new CountDownLatch(1);
            var options = TunnelCommand.Options.parse(new String[] {String.valueOf(app.getAddress().getPort())});
            CompletableFuture<Integer> command = CompletableFuture.supplyAsync(() -> {
                try {
                    return TunnelCommand.run(options, out.printStream(), stop);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Matcher forwarding = out.awaitLine(FORWARDING, Duration.ofSeconds(30));
            URI publicUrl = URI.create(forwarding.group(1));
            assertThat(forwarding.group(2)).isEqualTo("http://127.0.0.1:" + app.getAddress().getPort());
            try (HttpClient client = HttpClient.newHttpClient()) {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(publicUrl.resolve("/webhook?x=1")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("local saw /webhook?x=1");
                URI inspector = URI.create(out.awaitLine(INSPECTOR, Duration.ofSeconds(30)).group(1));
                String list = client.send(HttpRequest.newBuilder(inspector.resolve("/api/exchanges")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(list).contains("\"target\":\"/webhook?x=1\"");
            }
            stop.countDown();
            assertThat(command.get()).isZero();
        } finally {
            app.stop(0);
        }
    }

    private static HttpServer pathApp() throws java.io.IOException {
        HttpServer app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        app.createContext("/", exchange -> {
            byte[] body = ("local saw " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(exchange.getRequestURI().getPath().equals("/missing") ? 404 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        app.start();
        return app;
    }

    private static CompletableFuture<Integer> runAsync(TunnelCommand.Options options, PipedLines out,
            CountDownLatch stop, boolean terminal) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return TunnelCommand.run(options, out.printStream(), stop, terminal);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    private static int status(URI url) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    @Test
    void withoutATerminalEachRequestAndConnectionChangeIsALine() throws Exception {
        HttpServer app = pathApp();
        EmbeddedRelay relay = EmbeddedRelay.builder().plaintextAgentPort().start();
        try {
            PipedLines out = new PipedLines();
            CountDownLatch stop = new CountDownLatch(1);
            var options = TunnelCommand.Options.parse(new String[] {String.valueOf(app.getAddress().getPort()),
                    "--relay", "lrok+plain://" + relay.host() + ":" + relay.agentPort(), "--no-inspector"});
            CompletableFuture<Integer> command = runAsync(options, out, stop, false);
            URI publicUrl = URI.create(out.awaitLine(FORWARDING, Duration.ofSeconds(30)).group(1));
            assertThat(status(publicUrl.resolve("/webhook?x=1"))).isEqualTo(200);
            out.awaitLine(Pattern.compile("^\\d\\d:\\d\\d:\\d\\d  GET\\s+/webhook\\?x=1\\s+200 OK\\s+\\d+ ms$"),
                    Duration.ofSeconds(30));
            assertThat(status(publicUrl.resolve("/missing"))).isEqualTo(404);
            out.awaitLine(Pattern.compile("GET\\s+/missing\\s+404 Not Found"), Duration.ofSeconds(30));

            relay.close(); // the connection is lost: the agent says so, and keeps trying
            out.awaitLine(Pattern.compile("connection reconnecting: .*\\(attempt \\d+, next in \\d+ ms\\)"),
                    Duration.ofSeconds(30));
            stop.countDown();
            assertThat(command.get()).isZero();
            out.awaitLine(Pattern.compile("^lrok: tunnel closed$"), Duration.ofSeconds(30));
        } finally {
            relay.close();
            app.stop(0);
        }
    }

    @Test
    void atATerminalAStatusScreenIsRedrawnInPlace() throws Exception {
        HttpServer app = pathApp();
        try {
            PipedLines out = new PipedLines();
            CountDownLatch stop = new CountDownLatch(1);
            var options = TunnelCommand.Options.parse(new String[] {String.valueOf(app.getAddress().getPort())});
            CompletableFuture<Integer> command = runAsync(options, out, stop, true);
            // Each screen line ends by erasing the rest of the terminal's line (ESC [ K).
            Matcher forwarding = out.awaitLine(Pattern.compile("^Forwarding\\s+(http://\\S+) -> (\\S+)\u001b\\[K$"),
                    Duration.ofSeconds(30));
            assertThat(forwarding.group(2)).isEqualTo("http://127.0.0.1:" + app.getAddress().getPort());
            out.awaitLine(Pattern.compile("^Session Status\\s+online"), Duration.ofSeconds(30));
            out.awaitLine(Pattern.compile("^Web Interface\\s+http://127\\.0\\.0\\.1:\\d+/"), Duration.ofSeconds(30));
            assertThat(status(URI.create(forwarding.group(1)).resolve("/screen"))).isEqualTo(200);
            out.awaitLine(Pattern.compile("GET\\s+/screen\\s+200 OK\\s+\\d+ ms"), Duration.ofSeconds(30));
            out.awaitLine(Pattern.compile("^Requests\\s+total 1\\s+open 0"), Duration.ofSeconds(30));
            stop.countDown();
            assertThat(command.get()).isZero();
            out.awaitLine(Pattern.compile("lrok: tunnel closed"), Duration.ofSeconds(30));
        } finally {
            app.stop(0);
        }
    }

    @Test
    void optionsAreCheckedBeforeAnythingStarts() {
        assertThatThrownBy(() -> TunnelCommand.Options.parse(new String[] {})).hasMessageContaining("which local port?");
        assertThatThrownBy(() -> TunnelCommand.Options.parse(new String[] {"70000"})).hasMessageContaining("not a port number");
        assertThatThrownBy(() -> TunnelCommand.Options.parse(new String[] {"3000", "--bogus"}))
                .hasMessageContaining("unexpected argument '--bogus'");
        assertThatThrownBy(() -> TunnelCommand.Options.parse(new String[] {"3000", "--subdomain"}))
                .hasMessageContaining("--subdomain needs a value");
        assertThat(TunnelCommand.Options.parse(new String[] {"3000", "--relay-ca", "ca.pem"}).relayCa())
                .isEqualTo(java.nio.file.Path.of("ca.pem"));
        assertThatThrownBy(() -> TunnelCommand.Options.parse(new String[] {"3000", "--relay-ca", "missing.pem"})
                .builder()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.pem");
        var options = TunnelCommand.Options.parse(new String[] {"--subdomain", "violet-mole", "3000", "--host-header", "rewrite"});
        assertThat(options.port()).isEqualTo(3000);
        assertThat(options.subdomain()).isEqualTo("violet-mole");
        var inspector = TunnelCommand.Options.parse(new String[] {"3000", "--inspector-port", "4040", "--plain"});
        assertThat(inspector.inspectorPort()).isEqualTo(4040);
        assertThat(inspector.plain()).isTrue();
        assertThatThrownBy(() -> TunnelCommand.Options.parse(new String[] {"3000", "--inspector-port", "4040",
                "--no-inspector"})).hasMessageContaining("contradict");
    }
}
