package io.lrok.inspect;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A request as it reached the tunnel: what the public client sent, with the relay's forwarding headers
 * ({@code X-Forwarded-For}, {@code -Proto}, {@code -Host}, {@code Forwarded}) and before the tunnel's own rewrites for
 * the local app (Host header, added or removed headers). Immutable.
 *
 * @param id            the exchange's number in its tunnel, from 1, in the order requests arrived
 * @param method        the method, such as {@code POST}
 * @param target        the request target as sent, such as {@code /hooks/stripe?x=1}
 * @param version       {@code HTTP/1.1} or {@code HTTP/1.0}
 * @param headers       the header fields in the order sent
 * @param body          the body (decoded if it was chunked), up to the capture limit
 * @param bodyComplete  whether the whole body arrived; false if the exchange ended while it was still flowing
 * @param chunked       whether the body came with chunked transfer coding
 * @param clientAddress the public client's address as the relay saw it, such as {@code 203.0.113.7:52100}; for a
 *                      replay, the address of whoever asked the inspector for it
 * @param scheme        how the public client reached the relay: {@code http} or {@code https}
 * @param host          the public host the client asked for (its Host header)
 * @param receivedAt    when the agent received the request
 * @param replayOf      for a replay made from the inspector, the id of the exchange it replays
 */
public record RecordedRequest(long id, String method, String target, String version, List<Header> headers,
        RecordedBody body, boolean bodyComplete, boolean chunked, String clientAddress, String scheme, String host,
        Instant receivedAt, OptionalLong replayOf) {

    /** Checks that no part is null, and copies the header list. */
    public RecordedRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(version, "version");
        headers = List.copyOf(headers);
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(clientAddress, "clientAddress");
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(replayOf, "replayOf");
    }

    /** @return the target's path, without the query: {@code /hooks/stripe} for {@code /hooks/stripe?x=1} */
    public String path() {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /** @return the target's query, without the {@code ?}, as sent (still percent-encoded); empty if it has none */
    public Optional<String> query() {
        int q = target.indexOf('?');
        return q < 0 ? Optional.empty() : Optional.of(target.substring(q + 1));
    }

    /**
     * @param name a field name, any case
     * @return the first value of that field, if the request had it
     */
    public Optional<String> header(String name) {
        return Headers.first(headers, name);
    }

    /**
     * @param name a field name, any case
     * @return every value of that field, in order; empty if the request had none
     */
    public List<String> headerValues(String name) {
        return Headers.all(headers, name);
    }

    /** @return the body decoded as text with its charset: {@code body().text()} */
    public String bodyText() {
        return body.text();
    }

    /** @return the method and target, such as {@code POST /hooks/stripe} */
    @Override
    public String toString() {
        return "RecordedRequest[#" + id + " " + method + " " + target + ", " + body + "]";
    }
}
