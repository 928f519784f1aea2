package io.lrok.examples.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.Tunnel;
import io.lrok.inspect.RecordedRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A webhook suite with the plain API: the app behind a tunnel, a "payment provider" (java.net.http) posting signed
 * events to the public URL, and assertions on what came through with {@code takeRequest}.
 */
@Timeout(60)
class WebhookAppTest {
    static final String SECRET = "whsec_example_0123456789";

    private WebhookApp app;
    private Tunnel tunnel;

    @BeforeEach
    void start() throws Exception {
        app = WebhookApp.start(SECRET);
        tunnel = Tunnel.open(app.port()); // no relay configured: the in-process one
    }

    @AfterEach
    void stop() {
        if (tunnel != null) tunnel.close();
        if (app != null) app.close();
    }

    /** Posts an event to a URL as a payment provider would, signed with {@code secret}. */
    static HttpResponse<String> deliver(URI url, String event, String secret, Instant at) throws Exception {
        byte[] body = event.getBytes(StandardCharsets.UTF_8);
        String signature = new WebhookSignature(secret, WebhookSignature.DEFAULT_TOLERANCE).sign(body, at);
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            return client.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .header(WebhookSignature.HEADER, signature)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void aSignedEventThroughThePublicUrlIsVerifiedAndAccepted() throws Exception {
        String event = "{\"id\":\"evt_1\",\"type\":\"invoice.paid\",\"amount\":4200}";
        HttpResponse<String> response = deliver(tunnel.publicUrl().resolve("/webhooks/payments"), event, SECRET,
                Instant.now());
        assertThat(response.statusCode()).isEqualTo(204);

        RecordedRequest hook = tunnel.takeRequest(Duration.ofSeconds(10));
        assertThat(hook.method()).isEqualTo("POST");
        assertThat(hook.path()).isEqualTo("/webhooks/payments");
        assertThat(hook.header(WebhookSignature.HEADER)).hasValueSatisfying(v -> assertThat(v).matches("t=\\d+,v1=[0-9a-f]{64}"));
        assertThat(hook.bodyText()).isEqualTo(event);
        assertThat(app.acceptedEvents()).containsExactly(event);
    }

    @Test
    void aForgedOrReplayedEventIsRefused() throws Exception {
        URI hooks = tunnel.publicUrl().resolve("/webhooks/payments");
        HttpResponse<String> forged = deliver(hooks, "{\"type\":\"invoice.paid\"}", "not-the-secret", Instant.now());
        assertThat(forged.statusCode()).isEqualTo(400);
        assertThat(forged.body()).isEqualTo("bad signature: signature does not match");
        HttpResponse<String> replayed = deliver(hooks, "{\"type\":\"invoice.paid\"}", SECRET,
                Instant.now().minus(Duration.ofHours(1)));
        assertThat(replayed.statusCode()).isEqualTo(400);
        assertThat(replayed.body()).startsWith("bad signature: timestamp outside the tolerance");

        assertThat(tunnel.takeRequest(Duration.ofSeconds(10)).header(WebhookSignature.HEADER)).isPresent();
        assertThat(tunnel.awaitExchange(e -> e.response().map(r -> r.status() == 400).orElse(false)
                && e.request().bodyText().contains("invoice.paid"), Duration.ofSeconds(10))).isNotNull();
        assertThat(app.acceptedEvents()).isEmpty();
    }
}
