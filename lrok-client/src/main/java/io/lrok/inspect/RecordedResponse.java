package io.lrok.inspect;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The final response of a recorded exchange, as the public client got it (after the tunnel's response header
 * edits). Interim 1xx responses are passed on but not recorded; a {@code 101 Switching Protocols} is the final
 * response of an upgrade, and has no body. Immutable.
 *
 * @param status       the status code, such as 200
 * @param reason       the reason phrase, possibly empty
 * @param version      the protocol version of the response, such as {@code HTTP/1.1}
 * @param headers      the header fields in the order sent
 * @param body         the body (decoded if it was chunked), up to the capture limit
 * @param bodyComplete whether the whole body was passed on; false while it is still flowing or if it was cut off
 * @param chunked      whether the body came with chunked transfer coding
 * @param fromAgent    whether lrok wrote this response itself (a 502 when the local app could not be reached or
 *                     failed before answering) rather than the local app
 */
public record RecordedResponse(int status, String reason, String version, List<Header> headers, RecordedBody body,
        boolean bodyComplete, boolean chunked, boolean fromAgent) {

    /** Checks that no part is null, and copies the header list. */
    public RecordedResponse {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(version, "version");
        headers = List.copyOf(headers);
        Objects.requireNonNull(body, "body");
    }

    /**
     * @param name a field name, any case
     * @return the first value of that field, if the response had it
     */
    public Optional<String> header(String name) {
        return Headers.first(headers, name);
    }

    /**
     * @param name a field name, any case
     * @return every value of that field, in order; empty if the response had none
     */
    public List<String> headerValues(String name) {
        return Headers.all(headers, name);
    }

    /** @return the body decoded as text with its charset: {@code body().text()} */
    public String bodyText() {
        return body.text();
    }
}
