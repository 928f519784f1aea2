package io.lrok.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import io.lrok.Tunnel;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.testing.Curl;
import io.lrok.testing.TestData;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 1 GiB each way through a tunnel, checked by SHA-256, never held in memory: the bodies are TestData's pattern,
 * generated as they are sent and hashed as they arrive, on the client and in the app.
 */
@Timeout(120)
class LargeBodiesE2eTest {
    /** What each transfer should take at most on the 2-core machine, with room to spare. */
    private static final Duration BUDGET = Duration.ofSeconds(60);

    /**
     * The app: {@code /upload} hashes the request body and answers {@code <sha256> <length> <framing>};
     * {@code /download?bytes=N} sends PATTERN(N) with a Content-Length.
     */
    private static void app(HttpExchange exchange) throws IOException {
        if (exchange.getRequestURI().getPath().equals("/upload")) {
            String sha;
            long length;
            try (InputStream in = exchange.getRequestBody()) {
                TestData.Sha256Sink sink = new TestData.Sha256Sink();
                in.transferTo(sink);
                length = sink.count();
                sha = sink.hex();
            }
            String framing = exchange.getRequestHeaders().containsKey("Transfer-Encoding") ? "chunked" : "length";
            LocalHttpApp.respond(exchange, 200, sha + " " + length + " " + framing);
            return;
        }
        long bytes = Long.parseLong(exchange.getRequestURI().getQuery().substring("bytes=".length()));
        exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
        exchange.sendResponseHeaders(200, bytes);
        try (OutputStream out = exchange.getResponseBody()) {
            TestData.writePattern(out, bytes);
        }
    }

    @Test
    void oneGibibyteUpAndDownWithJavaNetHttp() throws Exception {
        String expected = TestData.patternSha256(E2e.GIB);
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = LocalHttpApp.start(LargeBodiesE2eTest::app);
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = E2e.http11()) {
            URI url = tunnel.publicUrl();

            long start = System.nanoTime();
            HttpResponse<String> up = client.send(HttpRequest.newBuilder(url.resolve("/upload"))
                    .POST(BodyPublishers.fromPublisher(
                            BodyPublishers.ofInputStream(() -> TestData.pattern(E2e.GIB)), E2e.GIB))
                    .build(), BodyHandlers.ofString());
            Duration upload = report("java.net.http upload, Content-Length", start);
            assertThat(up.statusCode()).isEqualTo(200);
            assertThat(up.body()).isEqualTo(expected + " " + E2e.GIB + " length");

            start = System.nanoTime();
            HttpResponse<E2e.Hashed> down = client.send(HttpRequest.newBuilder(url.resolve("/download?bytes=" + E2e.GIB))
                    .build(), info -> E2e.hashing());
            Duration download = report("java.net.http download, Content-Length", start);
            assertThat(down.statusCode()).isEqualTo(200);
            assertThat(down.headers().firstValueAsLong("Content-Length")).hasValue(E2e.GIB);
            assertThat(down.body()).isEqualTo(new E2e.Hashed(expected, E2e.GIB));

            assertThat(upload).isLessThan(BUDGET);
            assertThat(download).isLessThan(BUDGET);
        }
    }

    @Test
    void oneGibibyteUpChunkedAndDownWithCurl() throws Exception {
        Curl.require();
        String expected = TestData.patternSha256(E2e.GIB);
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = LocalHttpApp.start(LargeBodiesE2eTest::app);
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open()) {
            String url = tunnel.publicUrl().toString();

            // -T - streams standard input as a PUT with Transfer-Encoding: chunked (curl's --data-binary @- would
            // read all of it into memory first).
            long start = System.nanoTime();
            Process up = Curl.command("-sS", "--fail", "--max-time", Long.toString(BUDGET.toSeconds()), "-T", "-",
                    url + "/upload").start();
            CompletableFuture<String> upErr = CompletableFuture.supplyAsync(() -> Curl.readAll(up.getErrorStream()));
            CompletableFuture<String> upOut = CompletableFuture.supplyAsync(() -> Curl.readAll(up.getInputStream()));
            try (OutputStream stdin = up.getOutputStream()) {
                TestData.writePattern(stdin, E2e.GIB);
            }
            assertThat(up.waitFor(BUDGET.toSeconds(), TimeUnit.SECONDS)).as("curl upload finished").isTrue();
            Duration upload = report("curl upload, chunked", start);
            assertThat(up.exitValue()).as(upErr.join()).isZero();
            assertThat(upOut.join()).isEqualTo(expected + " " + E2e.GIB + " chunked");
            assertThat(app.take().headers().getFirst("Transfer-Encoding")).isEqualTo("chunked");

            start = System.nanoTime();
            Process down = Curl.command("-sS", "--fail", "--max-time", Long.toString(BUDGET.toSeconds()),
                    url + "/download?bytes=" + E2e.GIB).start();
            down.getOutputStream().close();
            CompletableFuture<String> downErr = CompletableFuture.supplyAsync(() -> Curl.readAll(down.getErrorStream()));
            String sha = E2e.sha256(down.getInputStream());
            assertThat(down.waitFor(BUDGET.toSeconds(), TimeUnit.SECONDS)).as("curl download finished").isTrue();
            Duration download = report("curl download, Content-Length", start);
            assertThat(down.exitValue()).as(downErr.join()).isZero();
            assertThat(sha).isEqualTo(expected);

            assertThat(upload).isLessThan(BUDGET);
            assertThat(download).isLessThan(BUDGET);
        }
    }

    private static Duration report(String what, long startNanos) {
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        System.out.printf("%s: 1 GiB in %.1f s (%.0f MB/s)%n", what, took.toMillis() / 1000.0,
                E2e.GIB / 1e6 / (took.toNanos() / 1e9));
        return took;
    }
}
