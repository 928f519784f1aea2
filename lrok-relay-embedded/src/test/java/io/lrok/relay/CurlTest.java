package io.lrok.relay;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.internal.wire.ControlMessage.Bound;
import io.lrok.testing.ExternalPrograms;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** curl as the public client: what a person at a terminal does with a tunnel's URL. */
@Timeout(60)
class CurlTest {
    private static Path curl;

    @TempDir
    Path dir;

    @BeforeAll
    static void findCurl() {
        var found = ExternalPrograms.findOnPath("curl");
        ExternalPrograms.require("curl", found.isPresent(), "apt-get install curl");
        curl = found.orElseThrow();
    }

    @Test
    void getsThroughTheTunnelsOwnUrl() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); FakeAgent agent = FakeAgent.connect(relay)) {
            Bound bound = agent.bindHttp(null);
            agent.serve(Responses.fixed("hello from the tunnel"));
            Result r = run("-sS", "-i", bound.publicUrl() + "/greeting?x=1");
            assertThat(r.exit).isZero();
            assertThat(r.out).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nhello from the tunnel")
                    .doesNotContain("Connection: close");
            FakeAgent.Recorded seen = agent.takeRequest();
            assertThat(seen.head().target()).isEqualTo("/greeting?x=1");
            assertThat(seen.head().headers().get("User-Agent")).startsWith("curl/");
        }
    }

    @Test
    void routesByHostOnTheSharedPortAndReusesTheConnection() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent alpha = FakeAgent.connect(relay);
                FakeAgent beta = FakeAgent.connect(relay)) {
            alpha.bindHttp("alpha");
            beta.bindHttp("beta");
            alpha.serve(Responses.whoAmI("alpha"));
            beta.serve(Responses.whoAmI("beta"));
            int port = relay.httpPort();
            Result r = run("-sS", "-v", "--resolve", "alpha.localhost:" + port + ":127.0.0.1",
                    "http://alpha.localhost:" + port + "/one", "http://alpha.localhost:" + port + "/two");
            assertThat(r.out).isEqualTo("alpha:alpha:");
            assertThat(r.err).containsIgnoringCase("re-using existing connection");
            assertThat(alpha.takeRequest().header().clientAddress())
                    .isEqualTo(alpha.takeRequest().header().clientAddress());
            assertThat(run("-sS", "-H", "Host: beta.localhost", "http://127.0.0.1:" + port + "/").out)
                    .isEqualTo("beta:");
        }
    }

    @Test
    void anUnknownHostIs404WithAPageThatSaysSo() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start()) {
            Result r = run("-sS", "-w", "%{http_code}", "-H", "Host: nobody.localhost",
                    "http://127.0.0.1:" + relay.httpPort() + "/");
            assertThat(r.out).startsWith("404 Not Found\nno tunnel for host nobody.localhost\n").endsWith("404");
        }
    }

    @Test
    void aChunkedUploadWithExpectContinueArrivesWhole() throws Exception {
        byte[] data = new byte[300_000];
        new Random(7).nextBytes(data);
        Path file = Files.write(dir.resolve("upload.bin"), data);
        try (EmbeddedRelay relay = EmbeddedRelay.start(); FakeAgent agent = FakeAgent.connect(relay)) {
            Bound bound = agent.bindHttp(null);
            agent.serve(ex -> {
                if (!"100-continue".equals(ex.head.headers().get("Expect"))) throw new AssertionError(ex.head);
                ex.send("HTTP/1.1 100 Continue\r\n\r\n");
                byte[] raw = ex.readBody();
                byte[] decoded = new io.lrok.internal.http.HttpReader(new java.io.ByteArrayInputStream(raw))
                        .chunked(io.lrok.http.HttpLimits.defaults()).readAllBytes();
                ex.send("HTTP/1.1 200 OK\r\nContent-Length: " + decoded.length + "\r\n\r\n");
                ex.stream.getOutputStream().write(decoded);
                ex.end();
            });
            Path out = dir.resolve("echo.bin");
            Result r = run("-sS", "-v", "-H", "Transfer-Encoding: chunked", "-H", "Expect: 100-continue",
                    "--data-binary", "@" + file, "-o", out.toString(), bound.publicUrl() + "/upload");
            assertThat(r.exit).as(r.err).isZero();
            assertThat(r.err).contains("< HTTP/1.1 100 Continue", "< HTTP/1.1 200 OK");
            assertThat(Files.readAllBytes(out)).isEqualTo(data);
            assertThat(agent.takeRequest().head().headers().get("Transfer-Encoding")).isEqualTo("chunked");
        }
    }

    @Test
    void serverSentEventsArriveAsTheyAreSent() throws Exception {
        CountDownLatch firstSeen = new CountDownLatch(1);
        try (EmbeddedRelay relay = EmbeddedRelay.start(); FakeAgent agent = FakeAgent.connect(relay)) {
            Bound bound = agent.bindHttp(null);
            agent.serve(Responses.events(firstSeen));
            Process p = new ProcessBuilder(curl.toString(), "-sS", "-N", bound.publicUrl() + "/events").start();
            CompletableFuture<String> errors = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
                assertThat(lines.readLine()).isEqualTo("data: one");
                firstSeen.countDown(); // the agent sends the rest only now
                assertThat(lines.readLine()).isEmpty();
                assertThat(lines.readLine()).isEqualTo("data: two");
            }
            assertThat(p.waitFor(FakeAgent.WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(errors.join()).isZero();
        }
    }

    private record Result(int exit, String out, String err) {
    }

    private static Result run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(curl.toString(), "--max-time", "20"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        String out = readAll(p.getInputStream());
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("curl did not finish: " + command);
        }
        return new Result(p.exitValue(), out, err.join());
    }

    private static String readAll(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
