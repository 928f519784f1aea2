package io.lrok.internal.relay;

import io.lrok.internal.http.BodyFraming;
import io.lrok.internal.http.HttpHeaders;
import io.lrok.internal.http.RequestHead;
import io.lrok.internal.http.ResponseHead;
import java.util.ArrayList;
import java.util.List;

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
 *
 * <p>Each head is rewritten in one pass over its fields into one new list ({@link HttpHeaders.Builder}): this runs
 * for every request and response, so it neither copies the list per removed or added field nor checks again fields
 * the parser has checked, and the values it adds are made of valid parts (a parsed Host or request target, an IP
 * address, constants).
 */
final class ForwardedHeads {

    /** Forwarding fields a client might send to pose as the relay; removed from every request. */
    static final List<String> CLIENT_FORWARDING = List.of("Forwarded", "X-Forwarded-For", "X-Forwarded-Host",
            "X-Forwarded-Proto", "X-Forwarded-Port", "X-Real-IP");

    private static final String CONNECTION = "Connection";
    private static final String UPGRADE = "Upgrade";
    private static final String HOST = "Host";
    private static final String TRANSFER_ENCODING = "Transfer-Encoding";
    private static final List<String> HOP_BY_HOP = List.of("Keep-Alive", "Proxy-Connection", "TE");
    private static final List<String> PROTECTED = List.of(HOST, "Content-Length", TRANSFER_ENCODING);
    /** The fields a request never takes on (with {@link #CONNECTION}): hop-by-hop, or the client's forwarding. */
    private static final String[] DROPPED_FROM_REQUESTS;
    /** How many fields the relay may add to a request: Host, four forwarding fields, Connection. */
    private static final int ADDED_TO_REQUESTS = 6;

    static {
        List<String> dropped = new ArrayList<>(HOP_BY_HOP);
        dropped.addAll(CLIENT_FORWARDING);
        DROPPED_FROM_REQUESTS = dropped.toArray(new String[0]);
    }

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
        HttpHeaders in = head.headers();
        List<String> named = connectionNamed(in, upgrade);
        HttpHeaders.Builder h = HttpHeaders.builder(in.size() + ADDED_TO_REQUESTS);
        boolean hostPlaced = false;
        for (int i = 0; i < in.size(); i++) {
            String name = in.name(i);
            if (HttpHeaders.sameName(name, HOST)) {
                // the first Host line takes the relay's value in its place; any other goes
                if (!hostPlaced) h.addValid(HOST, host);
                hostPlaced = true;
            } else if (!HttpHeaders.sameName(name, CONNECTION) && !(!upgrade && HttpHeaders.sameName(name, UPGRADE))
                    && !isAny(name, DROPPED_FROM_REQUESTS) && !isAny(name, named)) {
                h.addFrom(in, i);
            }
        }
        if (!hostPlaced) h.addValid(HOST, host);
        h.addValid("X-Forwarded-For", clientIp)
                .addValid("X-Forwarded-Proto", scheme)
                .addValid("X-Forwarded-Host", host)
                .addValid("Forwarded", "for=" + forwardedNode(clientIp) + ";host=" + tokenOrQuoted(host)
                        + ";proto=" + scheme);
        if (upgrade) {
            h.addValid(CONNECTION, "upgrade");
        } else if (!streamKept) {
            h.addValid(CONNECTION, "close");
        } else if (head.version().equals(RequestHead.HTTP_1_0)) {
            h.addValid(CONNECTION, "keep-alive"); // HTTP/1.0 closes by default
        }
        return new RequestHead(head.method(), target, head.version(), h.build());
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
        return response(head, keepAlive, http10, false);
    }

    /**
     * {@link #response(ResponseHead, boolean, boolean)}, and for a client that gets a chunked body decoded (an
     * HTTP/1.0 one) without {@code Transfer-Encoding}.
     *
     * @param head                  the agent's head
     * @param keepAlive             whether the public connection stays open after this response
     * @param http10                whether the client speaks HTTP/1.0
     * @param dropTransferEncoding  whether to remove {@code Transfer-Encoding} too
     * @return the head the public client receives
     */
    static ResponseHead response(ResponseHead head, boolean keepAlive, boolean http10, boolean dropTransferEncoding) {
        HttpHeaders in = head.headers();
        List<String> named = connectionNamed(in, false);
        String connection = !keepAlive ? "close" : http10 ? "keep-alive" : null;
        HttpHeaders.Builder h = null; // made at the first change: the usual keep-alive response has none
        for (int i = 0; i < in.size(); i++) {
            String name = in.name(i);
            if (HttpHeaders.sameName(name, CONNECTION) || isAny(name, HOP_BY_HOP) || isAny(name, named)
                    || (dropTransferEncoding && HttpHeaders.sameName(name, TRANSFER_ENCODING))) {
                if (h == null) h = copyOf(in, i);
            } else if (h != null) {
                h.addFrom(in, i);
            }
        }
        if (connection != null) {
            if (h == null) h = copyOf(in, in.size());
            h.addValid(CONNECTION, connection);
        }
        return h == null ? head : head.withHeaders(h.build());
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

    /**
     * The fields {@code Connection} names, as hop-by-hop (RFC 9110 §7.6.1): its elements, but the protected ones and,
     * for an upgrade, {@code Upgrade}; null when there is no {@code Connection} field (most requests).
     */
    private static List<String> connectionNamed(HttpHeaders headers, boolean upgrade) {
        List<String> named = null;
        for (int i = 0; i < headers.size(); i++) {
            if (!HttpHeaders.sameName(headers.name(i), CONNECTION)) continue;
            for (String element : headers.value(i).split(",")) {
                String name = element.strip();
                if (name.isEmpty() || isAny(name, PROTECTED) || (upgrade && HttpHeaders.sameName(name, UPGRADE))) {
                    continue;
                }
                if (named == null) named = new ArrayList<>(2);
                named.add(name);
            }
        }
        return named;
    }

    /** @return a builder holding the first {@code count} fields of {@code headers}, with room for one more */
    private static HttpHeaders.Builder copyOf(HttpHeaders headers, int count) {
        HttpHeaders.Builder builder = HttpHeaders.builder(headers.size() + 1);
        for (int i = 0; i < count; i++) builder.addFrom(headers, i);
        return builder;
    }

    /** @return whether {@code name} is one of {@code names} (none if null), ignoring case */
    private static boolean isAny(String name, List<String> names) {
        if (names == null) return false;
        for (int i = 0; i < names.size(); i++) {
            if (HttpHeaders.sameName(name, names.get(i))) return true;
        }
        return false;
    }

    private static boolean isAny(String name, String[] names) {
        for (String n : names) {
            if (HttpHeaders.sameName(name, n)) return true;
        }
        return false;
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
