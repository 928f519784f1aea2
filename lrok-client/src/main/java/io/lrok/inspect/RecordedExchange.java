package io.lrok.inspect;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One request and its response through an HTTP tunnel, as recorded at one moment: a snapshot, immutable; ask the
 * tunnel again for a later state.
 *
 * <p>What is recorded: the request as it reached the tunnel and the final response as the public client got it,
 * each body up to the tunnel's capture limit (the rest is counted, not kept); timings; the public client's
 * address; whether the connection was upgraded (a WebSocket: after the {@code 101} nothing more is recorded of
 * the bytes, only when the connection ends). Recording copies bytes into a side buffer as they pass: it never
 * holds back or delays the proxied stream.
 *
 * @param request  the request
 * @param response the final response, once its head has been received; empty before that, or if the exchange
 *                 failed before any response
 * @param state    whether the exchange is still running, ended cleanly, or failed
 * @param upgraded whether the connection switched protocols (a {@code 101} to an upgrade request, as for a
 *                 WebSocket)
 * @param timings  when it started and how long its parts took
 * @param error    why the exchange failed or why lrok answered itself, in a few words; empty otherwise
 */
public record RecordedExchange(RecordedRequest request, Optional<RecordedResponse> response, ExchangeState state,
        boolean upgraded, ExchangeTimings timings, Optional<String> error) {

    /** Checks that no part is null. */
    public RecordedExchange {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(timings, "timings");
        Objects.requireNonNull(error, "error");
    }

    /** @return the exchange's number in its tunnel: {@code request().id()} */
    public long id() {
        return request.id();
    }

    /** @return for a replay made from the inspector, the id of the exchange it replays */
    public OptionalLong replayOf() {
        return request.replayOf();
    }

    @Override
    public String toString() {
        return "RecordedExchange[#" + id() + " " + request.method() + " " + request.target() + " -> "
                + response.map(r -> Integer.toString(r.status())).orElse("-") + ", " + state
                + (upgraded ? ", upgraded" : "") + "]";
    }
}
