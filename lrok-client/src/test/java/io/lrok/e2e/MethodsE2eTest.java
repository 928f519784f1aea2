package io.lrok.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import io.lrok.Tunnel;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.testing.Curl;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * GET, HEAD, POST, PUT and DELETE through a tunnel's public URL, with curl and with java.net.http: the app sees the
 * method and body the client sent, the client gets the app's status and body, whatever they are (the app's own
 * 404 and 500 pass through as they are, they are not the relay's error pages).
 */
@Timeout(60)
class MethodsE2eTest {
    @TempDir
    Path dir;

    /** Answers {@code /status/<code>} with that status and a body of the method, target and request body. */
    private static void echo(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        int status = path.startsWith("/status/") ? Integer.parseInt(path.substring("/status/".length())) : 200;
        String body = new String(exchange.getRequestBody().readAllBytes(), UTF_8);
        LocalHttpApp.respond(exchange, status, exchange.getRequestMethod() + " " + exchange.getRequestURI() + "\n"
                + body);
    }

    @Test
    void everyMethodWithJavaNetHttp() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = LocalHttpApp.start(MethodsE2eTest::echo);
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = E2e.http11()) {
            URI url = tunnel.publicUrl();

            HttpResponse<String> get = client.send(request(url, "/status/200?q=a%20b").GET().build(),
                    BodyHandlers.ofString());
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.body()).isEqualTo("GET /status/200?q=a%20b\n");
            assertThat(get.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
            assertThat(app.take().method()).isEqualTo("GET");

            HttpResponse<String> head = client.send(request(url, "/status/200").HEAD().build(),
                    BodyHandlers.ofString());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            assertThat(head.headers().firstValue("Content-Length")).hasValue("17"); // "HEAD /status/200\n"
            assertThat(app.take().method()).isEqualTo("HEAD");

            String form = "name=lrok&kind=tunnel";
            HttpResponse<String> post = client.send(request(url, "/status/201")
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(BodyPublishers.ofString(form)).build(), BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(201);
            assertThat(post.body()).isEqualTo("POST /status/201\n" + form);
            LocalHttpApp.Seen seenPost = app.take();
            assertThat(seenPost.method()).isEqualTo("POST");
            assertThat(seenPost.headers().getFirst("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
            assertThat(seenPost.headers().getFirst("Content-Length")).isEqualTo(Integer.toString(form.length()));

            HttpResponse<String> expecting = client.send(request(url, "/status/202").expectContinue(true)
                    .POST(BodyPublishers.ofString("after 100 Continue")).build(), BodyHandlers.ofString());
            assertThat(expecting.statusCode()).isEqualTo(202);
            assertThat(expecting.body()).isEqualTo("POST /status/202\nafter 100 Continue");
            assertThat(app.take().headers().getFirst("Expect")).isEqualToIgnoringCase("100-continue");

            String document = "{\"id\":7,\"text\":\"ünïcödé ✓\"}";
            HttpResponse<String> put = client.send(request(url, "/status/200")
                    .PUT(BodyPublishers.ofString(document)).build(), BodyHandlers.ofString());
            assertThat(put.statusCode()).isEqualTo(200);
            assertThat(put.body()).isEqualTo("PUT /status/200\n" + document);
            assertThat(app.take().method()).isEqualTo("PUT");

            HttpResponse<String> delete = client.send(request(url, "/status/204").DELETE().build(),
                    BodyHandlers.ofString());
            assertThat(delete.statusCode()).isEqualTo(204);
            assertThat(delete.body()).isEmpty();
            assertThat(app.take().method()).isEqualTo("DELETE");

            for (int status : new int[] {404, 500, 503}) {
                HttpResponse<String> error = client.send(request(url, "/status/" + status).GET().build(),
                        BodyHandlers.ofString());
                assertThat(error.statusCode()).isEqualTo(status);
                assertThat(error.body()).as("the app's own page, not the relay's").isEqualTo("GET /status/" + status + "\n");
                assertThat(error.headers().firstValue("X-Lrok-Error")).isEmpty();
            }
        }
    }

    @Test
    void aDefaultJavaNetHttpClientThatAsksForH2cGetsHttp11() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = LocalHttpApp.start(MethodsE2eTest::echo);
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = HttpClient.newHttpClient()) { // HTTP/2 preferred: sends Upgrade: h2c
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> response = client.send(request(tunnel.publicUrl(), "/status/200").build(),
                        BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
                assertThat(response.body()).isEqualTo("GET /status/200\n");
                assertThat(app.take().headers().containsKey("Upgrade")).isFalse();
            }
        }
    }

    @Test
    void everyMethodWithCurl() throws Exception {
        Curl.require();
        byte[] upload = new byte[200_000];
        new Random(3).nextBytes(upload);
        for (int i = 0; i < upload.length; i++) upload[i] = (byte) ('a' + (upload[i] & 15)); // text: echoed as UTF-8
        Path file = Files.write(dir.resolve("upload.txt"), upload);
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = LocalHttpApp.start(MethodsE2eTest::echo);
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open()) {
            String url = tunnel.publicUrl().toString();

            Curl.Result get = curl("-i", url + "/status/200?x=1");
            assertThat(get.out()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nGET /status/200?x=1\n");
            assertThat(app.take().headers().getFirst("User-Agent")).startsWith("curl/");

            Curl.Result head = curl("-I", url + "/status/200");
            assertThat(head.out()).startsWith("HTTP/1.1 200 OK\r\n").containsIgnoringCase("Content-Length: 17\r\n")
                    .endsWith("\r\n\r\n");
            assertThat(app.take().method()).isEqualTo("HEAD");

            Curl.Result post = curl("-i", "--data-binary", Curl.at(file), url + "/status/201");
            assertThat(post.out()).startsWith("HTTP/1.1 201 Created\r\n")
                    .endsWith("\r\n\r\nPOST /status/201\n" + new String(upload, UTF_8));
            assertThat(app.take().headers().getFirst("Content-Length")).isEqualTo(Integer.toString(upload.length));

            Curl.Result put = curl("-i", "-X", "PUT", "--data-binary", "replaced", url + "/status/200");
            assertThat(put.out()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nPUT /status/200\nreplaced");
            assertThat(app.take().method()).isEqualTo("PUT");

            Curl.Result delete = curl("-i", "-X", "DELETE", url + "/status/204");
            assertThat(delete.out()).startsWith("HTTP/1.1 204 No Content\r\n").endsWith("\r\n\r\n");
            assertThat(app.take().method()).isEqualTo("DELETE");

            Curl.Result error = curl("-i", url + "/status/500");
            assertThat(error.out()).startsWith("HTTP/1.1 500 Internal Server Error\r\n")
                    .endsWith("\r\n\r\nGET /status/500\n").doesNotContain("X-Lrok-Error");
        }
    }

    private static HttpRequest.Builder request(URI url, String target) {
        return HttpRequest.newBuilder(url.resolve(target)).timeout(E2e.WAIT);
    }

    private static Curl.Result curl(String... args) throws Exception {
        String[] all = new String[args.length + 1];
        all[0] = "-sS";
        System.arraycopy(args, 0, all, 1, args.length);
        Curl.Result result = Curl.run(E2e.CURL, all);
        assertThat(result.exit()).as(result.err()).isZero();
        return result;
    }
}
