package io.lrok.internal.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.internal.http.HttpHeaders;
import io.lrok.internal.http.RequestHead;
import io.lrok.internal.http.ResponseHead;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ForwardedHeads} rewrites a head in one pass; {@link Reference} is how it did it before, one copy of the list
 * per removed or added field. Both must give the same head, byte for byte, for heads that exercise every rule.
 */
@Timeout(10)
class ForwardedHeadsOnePassTest {

    /** Heads with duplicates, mixed case, Connection naming hop-by-hop and protected fields, client forwarding. */
    private static final List<HttpHeaders> TRICKY = List.of(
            HttpHeaders.of("Host", "a.localhost:8080"),
            HttpHeaders.of("host", "a.localhost", "hOsT", "b.localhost", "Accept", "*/*", "accept", "text/html"),
            HttpHeaders.of("Accept", "*/*"), // no Host at all: the relay's is appended
            HttpHeaders.of("Host", "a", "X-Forwarded-For", "10.0.0.1", "x-forwarded-for", "10.0.0.2",
                    "X-FORWARDED-PROTO", "http", "forwarded", "for=1.2.3.4", "X-Real-Ip", "1", "X-Forwarded-Port", "1",
                    "x-forwarded-host", "evil"),
            HttpHeaders.of("Host", "a", "Connection", "keep-alive, X-A , x-b,,Host", "connection", "Content-Length,\tTE",
                    "X-A", "1", "x-a", "2", "X-B", "3", "X-C", "4", "Content-Length", "0", "te", "trailers",
                    "Keep-Alive", "timeout=5", "PROXY-CONNECTION", "keep-alive"),
            HttpHeaders.of("Host", "a", "Connection", "Upgrade, HTTP2-Settings", "Upgrade", "websocket",
                    "upgrade", "h2c", "HTTP2-Settings", "x", "Sec-WebSocket-Key", "k"),
            HttpHeaders.of("Host", "a", "Connection", "upgrade, transfer-encoding", "Transfer-Encoding", "chunked",
                    "Upgrade", "websocket"),
            HttpHeaders.of("Host", "[::1]:80", "Connection", "close", "X-Cafe", "\u00e9t\u00e9", "Cookie", "a=1",
                    "Cookie", "b=2"));

    @Test
    void requestsAreRewrittenAsBefore() {
        int compared = 0;
        for (HttpHeaders headers : TRICKY) {
            for (String version : List.of(RequestHead.HTTP_1_1, RequestHead.HTTP_1_0)) {
                RequestHead head = new RequestHead("POST", "http://a.localhost/p?q", version, headers);
                for (String clientIp : List.of("203.0.113.7", "2001:db8::1")) {
                    for (int flags = 0; flags < 4; flags++) {
                        boolean upgrade = (flags & 1) != 0;
                        boolean kept = (flags & 2) != 0;
                        String host = headers.get("Host") != null ? headers.get("Host") : "fallback.localhost";
                        RequestHead now = ForwardedHeads.request(head, "/p?q", host, clientIp, "https", upgrade, kept);
                        RequestHead before = Reference.request(head, "/p?q", host, clientIp, "https", upgrade, kept);
                        assertThat(new String(now.toBytes(), java.nio.charset.StandardCharsets.ISO_8859_1))
                                .as("%s %s upgrade=%s kept=%s", headers, version, upgrade, kept)
                                .isEqualTo(new String(before.toBytes(), java.nio.charset.StandardCharsets.ISO_8859_1));
                        assertThat(now).isEqualTo(before);
                        compared++;
                    }
                }
            }
        }
        assertThat(compared).isEqualTo(TRICKY.size() * 2 * 2 * 4);
    }

    @Test
    void responsesAreRewrittenAsBefore() {
        List<HttpHeaders> responses = List.of(HttpHeaders.empty(),
                HttpHeaders.of("Date", "x", "Content-length", "13", "Content-type", "text/plain"),
                HttpHeaders.of("Connection", "close, X-Trace", "x-trace", "1", "Keep-Alive", "timeout=1",
                        "Content-Length", "0", "Upgrade", "h2c", "Proxy-Connection", "x"),
                HttpHeaders.of("Transfer-Encoding", "chunked", "connection", "Transfer-Encoding, Content-Length, host",
                        "Set-Cookie", "a", "Set-Cookie", "b", "TE", "x"));
        for (HttpHeaders headers : responses) {
            ResponseHead head = ResponseHead.of(200, headers);
            for (int flags = 0; flags < 8; flags++) {
                boolean keepAlive = (flags & 1) != 0;
                boolean http10 = (flags & 2) != 0;
                boolean dechunk = (flags & 4) != 0;
                ResponseHead before = Reference.response(head, keepAlive, http10);
                if (dechunk) before = before.withHeaders(before.headers().without("Transfer-Encoding"));
                assertThat(ForwardedHeads.response(head, keepAlive, http10, dechunk))
                        .as("%s keepAlive=%s http10=%s dechunk=%s", headers, keepAlive, http10, dechunk)
                        .isEqualTo(before);
            }
            assertThat(ForwardedHeads.response(head, true, false)).isEqualTo(Reference.response(head, true, false));
        }
    }

    @Test
    void anUnchangedResponseIsTheSameHead() {
        ResponseHead head = ResponseHead.of(200, HttpHeaders.of("Content-Length", "2"));
        assertThat(ForwardedHeads.response(head, true, false)).isSameAs(head);
        assertThat(ForwardedHeads.response(head, false, false).headers().get("Connection")).isEqualTo("close");
    }

    /** ForwardedHeads.request and .response as they were before the one-pass rewrite, for comparison. */
    private static final class Reference {
        private static final String CONNECTION = "Connection";
        private static final String UPGRADE = "Upgrade";
        private static final List<String> HOP_BY_HOP = List.of("Keep-Alive", "Proxy-Connection", "TE");
        private static final Set<String> PROTECTED = Set.of("host", "content-length", "transfer-encoding");

        static RequestHead request(RequestHead head, String target, String host, String clientIp, String scheme,
                boolean upgrade, boolean streamKept) {
            HttpHeaders h = withoutHopByHop(head.headers(), upgrade ? Set.of("upgrade") : Set.of());
            if (!upgrade) h = h.without(UPGRADE);
            for (String name : ForwardedHeads.CLIENT_FORWARDING) h = h.without(name);
            h = h.set("Host", host)
                    .with("X-Forwarded-For", clientIp)
                    .with("X-Forwarded-Proto", scheme)
                    .with("X-Forwarded-Host", host)
                    .with("Forwarded", "for=" + (clientIp.indexOf(':') >= 0 ? "\"[" + clientIp + "]\"" : clientIp)
                            + ";host=" + tokenOrQuoted(host) + ";proto=" + scheme);
            if (upgrade) {
                h = h.with(CONNECTION, "upgrade");
            } else if (!streamKept) {
                h = h.with(CONNECTION, "close");
            } else if (head.version().equals(RequestHead.HTTP_1_0)) {
                h = h.with(CONNECTION, "keep-alive");
            }
            return new RequestHead(head.method(), target, head.version(), h);
        }

        static ResponseHead response(ResponseHead head, boolean keepAlive, boolean http10) {
            HttpHeaders h = withoutHopByHop(head.headers(), Set.of());
            if (!keepAlive) {
                h = h.with(CONNECTION, "close");
            } else if (http10) {
                h = h.with(CONNECTION, "keep-alive");
            }
            return head.withHeaders(h);
        }

        private static HttpHeaders withoutHopByHop(HttpHeaders headers, Set<String> keep) {
            Set<String> named = new HashSet<>();
            for (String value : headers.all(CONNECTION)) {
                for (String element : value.split(",")) {
                    String name = element.strip().toLowerCase(Locale.ROOT);
                    if (!name.isEmpty() && !PROTECTED.contains(name) && !keep.contains(name)) named.add(name);
                }
            }
            HttpHeaders h = headers.without(CONNECTION);
            for (String name : named) h = h.without(name);
            for (String name : HOP_BY_HOP) h = h.without(name);
            return h;
        }

        private static String tokenOrQuoted(String value) {
            boolean token = !value.isEmpty();
            for (int i = 0; i < value.length() && token; i++) {
                char c = value.charAt(i);
                token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            }
            if (token) return value;
            return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }
    }
}
