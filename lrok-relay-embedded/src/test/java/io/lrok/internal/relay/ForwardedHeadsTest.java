package io.lrok.internal.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.internal.http.HttpHeaders;
import io.lrok.internal.http.RequestHead;
import io.lrok.internal.http.ResponseHead;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ForwardedHeadsTest {

    @Test
    void forwardingFieldsAreReplacedAndHopByHopOnesDropped() {
        RequestHead head = new RequestHead("POST", "/a?b", "HTTP/1.1", HttpHeaders.of(
                "Host", "app.example.com", "X-Forwarded-For", "1.2.3.4", "x-forwarded-proto", "https",
                "Forwarded", "for=1.2.3.4", "X-Real-IP", "1.2.3.4", "X-Forwarded-Port", "1",
                "X-Forwarded-Host", "evil", "Connection", "keep-alive, X-Custom", "X-Custom", "drop me",
                "Keep-Alive", "timeout=5", "TE", "trailers", "Proxy-Connection", "keep-alive",
                "Content-Length", "3", "Accept", "*/*"));
        RequestHead out = ForwardedHeads.request(head, "/a?b", "app.example.com", "203.0.113.7", "https", false, false);
        assertThat(out.toBytes()).asString(java.nio.charset.StandardCharsets.ISO_8859_1).isEqualTo(
                "POST /a?b HTTP/1.1\r\n"
                        + "Host: app.example.com\r\n"
                        + "Content-Length: 3\r\n"
                        + "Accept: */*\r\n"
                        + "X-Forwarded-For: 203.0.113.7\r\n"
                        + "X-Forwarded-Proto: https\r\n"
                        + "X-Forwarded-Host: app.example.com\r\n"
                        + "Forwarded: for=203.0.113.7;host=app.example.com;proto=https\r\n"
                        + "Connection: close\r\n\r\n");
    }

    @Test
    void aRequestOnAStreamKeptForTheNextOneCarriesNoConnectionClose() {
        RequestHead head = new RequestHead("GET", "/", "HTTP/1.1", HttpHeaders.of("Host", "a.localhost",
                "Connection", "close"));
        HttpHeaders kept = ForwardedHeads.request(head, "/", "a.localhost", "127.0.0.1", "http", false, true).headers();
        assertThat(kept.all("Connection")).isEmpty(); // the client's own Connection is about its hop: dropped too
        HttpHeaders upgrade = ForwardedHeads.request(head.withHeaders(HttpHeaders.of("Host", "a.localhost",
                "Connection", "Upgrade", "Upgrade", "websocket")), "/", "a.localhost", "127.0.0.1", "http", true, true)
                .headers();
        assertThat(upgrade.get("Connection")).isEqualTo("upgrade");
        RequestHead http10 = new RequestHead("GET", "/", "HTTP/1.0", HttpHeaders.of("Host", "a.localhost"));
        assertThat(ForwardedHeads.request(http10, "/", "a.localhost", "127.0.0.1", "http", false, true).headers()
                .get("Connection")).isEqualTo("keep-alive");
    }

    @Test
    void connectionCannotRemoveTheFieldsThatFrameAndRoute() {
        RequestHead head = new RequestHead("POST", "/", "HTTP/1.1", HttpHeaders.of("Host", "a.localhost",
                "Connection", "Host, Content-Length, Transfer-Encoding", "Transfer-Encoding", "chunked"));
        HttpHeaders out = ForwardedHeads.request(head, "/", "a.localhost", "127.0.0.1", "http", false, false).headers();
        assertThat(out.get("Host")).isEqualTo("a.localhost");
        assertThat(out.get("Transfer-Encoding")).isEqualTo("chunked");
        ResponseHead response = ResponseHead.of(200, HttpHeaders.of("Connection", "Content-Length, close",
                "Content-Length", "2"));
        assertThat(ForwardedHeads.response(response, true, false).headers().get("Content-Length")).isEqualTo("2");
    }

    @Test
    void anUpgradeKeepsUpgradeAndSaysSo() {
        RequestHead head = new RequestHead("GET", "/ws", "HTTP/1.1", HttpHeaders.of("Host", "a",
                "Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Key", "k"));
        assertThat(ForwardedHeads.isUpgrade(head)).isTrue();
        HttpHeaders out = ForwardedHeads.request(head, "/ws", "a", "127.0.0.1", "http", true, false).headers();
        assertThat(out.get("Upgrade")).isEqualTo("websocket");
        assertThat(out.all("Connection")).containsExactly("upgrade");
        assertThat(out.get("Sec-WebSocket-Key")).isEqualTo("k");
    }

    @Test
    void anH2cUpgradeIsNoUpgrade() {
        RequestHead h2c = new RequestHead("GET", "/", "HTTP/1.1", HttpHeaders.of("Host", "a",
                "Connection", "Upgrade, HTTP2-Settings", "Upgrade", "h2c", "HTTP2-Settings", "AAMAAABkAAQAAP__"));
        assertThat(ForwardedHeads.isUpgrade(h2c)).isFalse();
        HttpHeaders out = ForwardedHeads.request(h2c, "/", "a", "127.0.0.1", "http", false, false).headers();
        assertThat(out.contains("Upgrade")).isFalse();
        assertThat(out.contains("HTTP2-Settings")).isFalse();
        RequestHead both = h2c.withHeaders(h2c.headers().set("Upgrade", "h2c, websocket"));
        assertThat(ForwardedHeads.isUpgrade(both)).isTrue();
    }

    @Test
    void ipv6ClientsAndHostsWithPortsAreQuotedInForwarded() {
        RequestHead head = new RequestHead("GET", "/", "HTTP/1.1", HttpHeaders.of("Host", "a.localhost:8080"));
        HttpHeaders out = ForwardedHeads.request(head, "/", "a.localhost:8080", "2001:db8::1", "http", false, false)
                .headers();
        assertThat(out.get("Forwarded")).isEqualTo("for=\"[2001:db8::1]\";host=\"a.localhost:8080\";proto=http");
        assertThat(out.get("X-Forwarded-For")).isEqualTo("2001:db8::1");
    }

    @Test
    void responsesLoseHopByHopFieldsAndGetTheRelaysConnection() {
        ResponseHead head = ResponseHead.of(200, HttpHeaders.of("Connection", "close, X-Trace", "X-Trace", "1",
                "Keep-Alive", "timeout=1", "Content-Length", "0", "Upgrade", "h2c"));
        assertThat(ForwardedHeads.response(head, true, false).headers())
                .isEqualTo(HttpHeaders.of("Content-Length", "0", "Upgrade", "h2c"));
        assertThat(ForwardedHeads.response(head, false, false).headers().get("Connection")).isEqualTo("close");
        assertThat(ForwardedHeads.response(head, true, true).headers().get("Connection")).isEqualTo("keep-alive");
    }

    @Test
    void absoluteTargetsBecomeOriginForm() {
        assertThat(ForwardedHeads.absoluteAuthority("http://a.localhost:8080/p?q")).isEqualTo("a.localhost:8080");
        assertThat(ForwardedHeads.absoluteAuthority("http://user@a.localhost")).isEqualTo("a.localhost");
        assertThat(ForwardedHeads.absoluteAuthority("/p")).isNull();
        assertThat(ForwardedHeads.absoluteAuthority("*")).isNull();
        assertThat(ForwardedHeads.originForm("http://a.localhost:8080/p?q")).isEqualTo("/p?q");
        assertThat(ForwardedHeads.originForm("http://a.localhost")).isEqualTo("/");
        assertThat(ForwardedHeads.originForm("http://a.localhost?x=1")).isEqualTo("/?x=1");
        assertThat(ForwardedHeads.originForm("/already")).isEqualTo("/already");
        assertThat(ForwardedHeads.originForm("*")).isEqualTo("*");
    }
}
