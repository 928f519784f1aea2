package io.lrok.internal.relay;

import io.lrok.internal.http.BodyFraming;
import io.lrok.internal.http.HttpHeaders;
import io.lrok.internal.http.RequestHead;
import io.lrok.internal.http.ResponseHead;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How the edge rewrites heads on their way through (docs/protocol.md §5). Pure.
 *
 * <p>Requests: the client's forwarding fields are removed and the relay's own set, so the local application can
 * trust them; hop-by-hop fields are dropped; {@code Connection} becomes {@code upgrade} for an upgrade request,
 * and otherwise describes the stream: {@code close} on a stream that carries one exchange; on one that may carry
 * the next request of the same public connection none for HTTP/1.1 (keep-alive is its default) and
 * {@code keep-alive} for HTTP/1.0.
 *
 * <p>Responses: {@code Connection}, the fields it names, {@code Keep-Alive} and {@code Proxy-Connection} are
 * hop-by-hop: the agent's local connection closes after every exchange, so its {@code Connection: close} says
 * nothing about the public one. The edge decides that itself and says so.
 *
 * <p>A {@code Connection} header may name any field; it never removes {@code Host}, {@code Content-Length} or
 * {@code Transfer-Encoding}, which frame and route the message (a client naming them would otherwise make the
 * relay and the agent disagree about where the body ends).
 */
final class ForwardedHeads {

    /** Forwarding fields a client might send to pose as the relay; removed from every request. */
    static final List<String> CLIENT_FORWARDING = List.of("Forwarded", "X-Forwarded-For", "X-Forwarded-Host",
            "X-Forwarded-Proto", "X-Forwarded-Port", "X-Real-IP");

    private static final String CONNECTION = "Connection";
    private static final String UPGRADE = "Upgrade";
    private static final List<String> HOP_BY_HOP = List.of("Keep-Alive", "Proxy-Connection", "TE");
    private static final Set<String> PROTECTED = Set.of("host", "content-length", "transfer-encoding");

    private ForwardedHeads() {
    }

    /**
     * The head the agent receives.
     *
     * @param head     the client's head, as parsed
     * @param target   the request target in origin form (or {@code *})
     * @param host     the Host the request is for (the client's Host, or the authority of an absolute target)
     * @param clientIp the client's address, without port or brackets
     * @param scheme   how the client reached the relay: {@code http} or {@code https}
     * @param upgrade  whether the request asks for an upgrade (then {@code Upgrade} is kept)
     * @param streamKept whether the stream may carry the public connection's next request (then no
     *                 {@code Connection: close})
     * @return the normalized head
     */
    static RequestHead request(RequestHead head, String target, String host, String clientIp, String scheme,
            boolean upgrade, boolean streamKept) {
        HttpHeaders h = withoutHopByHop(head.headers(), upgrade ? Set.of("upgrade") : Set.of());
        if (!upgrade) h = h.without(UPGRADE);
        for (String name : CLIENT_FORWARDING) h = h.without(name);
        h = h.set("Host", host)
                .with("X-Forwarded-For", clientIp)
                .with("X-Forwarded-Proto", scheme)
                .with("X-Forwarded-Host", host)
                .with("Forwarded", "for=" + forwardedNode(clientIp) + ";host=" + tokenOrQuoted(host)
                        + ";proto=" + scheme);
        if (upgrade) {
            h = h.with(CONNECTION, "upgrade");
        } else if (!streamKept) {
            h = h.with(CONNECTION, "close");
        } else if (head.version().equals(RequestHead.HTTP_1_0)) {
            h = h.with(CONNECTION, "keep-alive"); // HTTP/1.0 closes by default
        }
        return new RequestHead(head.method(), target, head.version(), h);
    }

    /**
     * Whether the relay treats a request as an upgrade (docs/protocol.md §5): it asks for one
     * ({@link BodyFraming#isUpgrade}), and not only for {@code h2c}. HTTP/2 over cleartext, which java.net.http
     * asks for by default, cannot pass (its {@code HTTP2-Settings} field is hop-by-hop), and RFC 9113 has
     * deprecated it: such a request goes on as an ordinary one, without its {@code Upgrade}.
     *
     * @param head a request head
     * @return whether the exchange may become a raw pipe after a 101
     */
    static boolean isUpgrade(RequestHead head) {
        if (!BodyFraming.isUpgrade(head)) return false;
        for (String value : head.headers().all(UPGRADE)) {
            for (String protocol : value.split(",")) {
                if (!protocol.strip().equalsIgnoreCase("h2c")) return true;
            }
        }
        return false;
    }

    /**
     * The head the public client receives for a final response (not a 101, which passes unchanged).
     *
     * @param head      the agent's head
     * @param keepAlive whether the public connection stays open after this response
     * @param http10    whether the client speaks HTTP/1.0 (which needs {@code Connection: keep-alive} to keep it)
     * @return the head without hop-by-hop fields, with the relay's {@code Connection}
     */
    static ResponseHead response(ResponseHead head, boolean keepAlive, boolean http10) {
        HttpHeaders h = withoutHopByHop(head.headers(), Set.of());
        if (!keepAlive) {
            h = h.with(CONNECTION, "close");
        } else if (http10) {
            h = h.with(CONNECTION, "keep-alive");
        }
        return head.withHeaders(h);
    }

    /**
     * @param target a request target as received
     * @return its authority if it is in absolute form ({@code http://host:port/path}), else null
     */
    static String absoluteAuthority(String target) {
        int scheme = target.indexOf("://");
        if (scheme <= 0 || target.startsWith("/")) return null;
        int start = scheme + 3;
        int end = start;
        while (end < target.length() && "/?#".indexOf(target.charAt(end)) < 0) end++;
        String authority = target.substring(start, end);
        int at = authority.lastIndexOf('@');
        return at >= 0 ? authority.substring(at + 1) : authority;
    }

    /**
     * @param target a request target as received
     * @return its origin form: the path and query of an absolute target ({@code /} if it has no path), else the
     *         target unchanged
     */
    static String originForm(String target) {
        if (absoluteAuthority(target) == null) return target;
        int start = target.indexOf("://") + 3;
        int path = start;
        while (path < target.length() && "/?#".indexOf(target.charAt(path)) < 0) path++;
        String rest = target.substring(path);
        int fragment = rest.indexOf('#');
        if (fragment >= 0) rest = rest.substring(0, fragment);
        return rest.isEmpty() || rest.charAt(0) != '/' ? "/" + rest : rest;
    }

    /** Removes Connection, the fields it names (but the protected ones and {@code keep}), and the fixed list. */
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

    /** RFC 7239 §6: an IPv6 node is bracketed and quoted, an IPv4 one bare. */
    private static String forwardedNode(String ip) {
        return ip.indexOf(':') >= 0 ? "\"[" + ip + "]\"" : ip;
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
