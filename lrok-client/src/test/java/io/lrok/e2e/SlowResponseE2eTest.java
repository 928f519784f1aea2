package io.lrok.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.Tunnel;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.testing.Curl;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A response that comes 130 s after its request reaches the client: past the 100 s that some tunnels and proxies
 * cut requests off at. Nothing in the relay's or the agent's defaults may end an exchange that is merely slow.
 * This test takes at least 130 s of wall time by design; curl and java.net.http wait side by side.
 */
@Timeout(200)
class SlowResponseE2eTest {
    private static final Duration DELAY = Duration.ofSeconds(130);

    @Test
    void aResponseThatComes130SecondsLateReachesCurlAndJavaNetHttp() throws Exception {
        Curl.require();
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = LocalHttpApp.start(exchange -> {
                    CompletableFuture<Void> timer = new CompletableFuture<Void>()
                            .completeOnTimeout(null, DELAY.toMillis(), TimeUnit.MILLISECONDS);
                    timer.join(); // the app thinks for 130 s
                    LocalHttpApp.respond(exchange, 200, "worth the wait: " + exchange.getRequestURI().getPath());
                });
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = E2e.http11()) {
            long start = System.nanoTime();
            CompletableFuture<HttpResponse<String>> viaJava = client.sendAsync(
                    HttpRequest.newBuilder(tunnel.publicUrl().resolve("/java")).build(), BodyHandlers.ofString());
            CompletableFuture<Curl.Result> viaCurl = CompletableFuture.supplyAsync(() -> {
                try {
                    return Curl.run(DELAY.plusSeconds(40), "-sS", "-i", tunnel.publicUrl() + "/curl");
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });

            HttpResponse<String> response = viaJava.get(DELAY.toSeconds() + 40, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("worth the wait: /java");
            Curl.Result curl = viaCurl.get(DELAY.toSeconds() + 40, TimeUnit.SECONDS);
            assertThat(curl.exit()).as(curl.err()).isZero();
            assertThat(curl.out()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nworth the wait: /curl");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.println("two responses 130 s late arrived after " + took.toMillis() + " ms");
            assertThat(took).isGreaterThanOrEqualTo(DELAY);
        }
    }
}
