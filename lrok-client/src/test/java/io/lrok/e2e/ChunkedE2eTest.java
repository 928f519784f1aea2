package io.lrok.e2e;

import static io.lrok.e2e.RawLocalApp.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.Tunnel;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.testing.Curl;
import io.lrok.testing.TestData;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Chunked bodies both ways: a chunked upload reaches the app whole, an app's chunked reply reaches the client whole. */
@Timeout(60)
class ChunkedE2eTest {
    private static final int SIZE = 3 * 1024 * 1024 + 17;

    @TempDir
    Path dir;

    @Test
    void aChunkedUploadFromCurlArrivesWhole() throws Exception {
        Curl.require();
        Path file = dir.resolve("upload.bin");
        try (OutputStream out = Files.newOutputStream(file)) {
            TestData.writePattern(out, SIZE);
        }
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = LocalHttpApp.start(exchange -> {
                    String sha = E2e.sha256(exchange.getRequestBody());
                    LocalHttpApp.respond(exchange, 200, sha);
                });
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open()) {
            Curl.Result r = Curl.run(E2e.CURL, "-sS", "-v", "-H", "Transfer-Encoding: chunked",
                    "--data-binary", Curl.at(file), tunnel.publicUrl() + "/upload");
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.err()).contains("> Transfer-Encoding: chunked");
            assertThat(r.out()).isEqualTo(TestData.patternSha256(SIZE));
            LocalHttpApp.Seen seen = app.take();
            assertThat(seen.headers().getFirst("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(seen.headers().containsKey("Content-Length")).isFalse();
        }
    }

    @Test
    void anAppsChunkedReplyArrivesWholeAtCurlAndJavaNetHttp() throws Exception {
        Curl.require();
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = LocalHttpApp.start(exchange -> {
                    exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
                    exchange.sendResponseHeaders(200, 0); // 0: no length, the JDK's server chunks
                    try (OutputStream out = exchange.getResponseBody()) {
                        // In uneven pieces, each flushed: each becomes a chunk of its own on the app's connection.
                        byte[] all = TestData.patternBytes(SIZE);
                        for (int off = 0, piece = 1; off < all.length; off += piece, piece = piece * 3 + 1) {
                            out.write(all, off, Math.min(piece, all.length - off));
                            out.flush();
                        }
                    }
                });
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = E2e.http11()) {
            URI url = tunnel.publicUrl().resolve("/chunks");

            HttpResponse<E2e.Hashed> viaJava = client.send(HttpRequest.newBuilder(url).build(), info -> E2e.hashing());
            assertThat(viaJava.statusCode()).isEqualTo(200);
            assertThat(viaJava.headers().firstValue("Transfer-Encoding")).hasValue("chunked");
            assertThat(viaJava.headers().firstValue("Content-Length")).isEmpty();
            assertThat(viaJava.body()).isEqualTo(new E2e.Hashed(TestData.patternSha256(SIZE), SIZE));

            Process curl = Curl.command("-sS", "--max-time", Long.toString(E2e.CURL.toSeconds()), "-D", "-",
                    url.toString()).start();
            curl.getOutputStream().close();
            InputStream out = curl.getInputStream();
            String head = RawLocalApp.readHead(out);
            String sha = E2e.sha256(out);
            assertThat(curl.waitFor()).as(Curl.readAll(curl.getErrorStream())).isZero();
            assertThat(head).startsWith("HTTP/1.1 200 OK\r\n").containsIgnoringCase("Transfer-Encoding: chunked\r\n");
            assertThat(sha).isEqualTo(TestData.patternSha256(SIZE));
        }
    }

    @Test
    void chunkFramingWithExtensionsAndTrailersPassesByteForByte() throws Exception {
        String chunkedBody = "4;name=\"v\"\r\nwiki\r\n5\r\npedia\r\nE; x=1\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: yes\r\n\r\n";
        String response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n"
                + "Trailer: X-Trailer\r\n\r\n" + chunkedBody;
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                RawLocalApp app = RawLocalApp.start(socket -> {
                    InputStream in = socket.getInputStream();
                    while (!RawLocalApp.readHead(in).isEmpty()) { // every request on the connection
                        socket.getOutputStream().write(ascii(response));
                    }
                });
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                Socket client = new Socket(InetAddress.getLoopbackAddress(), tunnel.publicUrl().getPort())) {
            client.setSoTimeout((int) E2e.WAIT.toMillis());
            client.getOutputStream().write(ascii("GET /raw HTTP/1.1\r\nHost: " + tunnel.publicUrl().getAuthority()
                    + "\r\nConnection: close\r\n\r\n"));
            String answer = new String(client.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int split = answer.indexOf("\r\n\r\n") + 4;
            assertThat(answer.substring(0, split)).startsWith("HTTP/1.1 200 OK\r\n")
                    .contains("Transfer-Encoding: chunked\r\n", "Trailer: X-Trailer\r\n");
            assertThat(answer.substring(split)).as("the body as the app framed it, not re-chunked")
                    .isEqualTo(chunkedBody);
        }
    }
}
