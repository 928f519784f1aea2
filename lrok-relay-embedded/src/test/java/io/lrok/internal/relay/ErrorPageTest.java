package io.lrok.internal.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ErrorPageTest {

    @Test
    void textSaysStatusProblemHostAndAdvice() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ErrorPage.offline("violet-mole", "violet-mole.localhost:8080").writeTo(out, false);
        String all = out.toString(StandardCharsets.UTF_8);
        String body = "502 Bad Gateway\ntunnel violet-mole is offline\nhost: violet-mole.localhost:8080\n\n"
                + "The lrok agent that opened this tunnel is not connected to the relay. Start it again, or wait"
                + " for it to reconnect, then retry.\n-- lrok relay\n";
        assertThat(all).isEqualTo("HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length() + "\r\nCache-Control: no-store\r\nX-Lrok-Error: 502\r\n"
                + "Connection: close\r\n\r\n" + body);
    }

    @Test
    void htmlEscapesWhatTheClientSent() {
        String html = ErrorPage.noTunnel("<script>\"x\"&'y'").html();
        assertThat(html).contains("&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;").doesNotContain("<script>");
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<title>404 Not Found</title>");
    }

    @Test
    void theClientsAcceptChoosesTheForm() {
        assertThat(ErrorPage.wantsHtml("text/html,application/xhtml+xml,*/*;q=0.8")).isTrue();
        assertThat(ErrorPage.wantsHtml("*/*")).isFalse();
        assertThat(ErrorPage.wantsHtml(null)).isFalse();
    }

    @Test
    void everyStatusHasAReason() {
        assertThat(new ErrorPage(418, "p", "", "a").reason()).isEqualTo("Error");
        assertThat(ErrorPage.headTimeout("").reason()).isEqualTo("Request Timeout");
        assertThat(ErrorPage.tooManyConnections().status()).isEqualTo(503);
    }
}
