package io.lrok.examples.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.Tunnel;
import io.lrok.inspect.RecordedRequest;
import io.lrok.junit.LocalPort;
import io.lrok.junit.WithPublicUrl;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The same suite with {@code @WithPublicUrl}: the tunnel is the extension's, opened once for the class. */
@WithPublicUrl
@Timeout(60)
class WebhookWithPublicUrlTest {
    static WebhookApp app;

    @BeforeAll
    static void startApp() throws Exception {
        app = WebhookApp.start(WebhookAppTest.SECRET);
    }

    @AfterAll
    static void stopApp() {
        app.close();
    }

    @LocalPort
    static int appPort() {
        return app.port();
    }

    @Test
    void thePaymentProviderReachesTheAppThroughThePublicUrl(URI publicUrl, Tunnel tunnel) throws Exception {
        String event = "{\"id\":\"evt_2\",\"type\":\"charge.refunded\"}";
        assertThat(WebhookAppTest.deliver(publicUrl.resolve("/webhooks/payments"), event, WebhookAppTest.SECRET,
                Instant.now()).statusCode()).isEqualTo(204);
        RecordedRequest hook = tunnel.awaitRequest(r -> r.bodyText().contains("charge.refunded"), Duration.ofSeconds(10));
        assertThat(hook.path()).isEqualTo("/webhooks/payments");
        assertThat(app.acceptedEvents()).contains(event);
    }
}
