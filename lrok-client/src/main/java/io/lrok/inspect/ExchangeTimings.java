package io.lrok.inspect;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * When an exchange happened and how long its parts took, measured by the agent with a monotonic clock from the
 * moment the relay's stream for it arrived.
 *
 * @param start             when the agent received the exchange (wall clock)
 * @param requestComplete   from {@code start} until the whole request body had been passed to the local app; empty
 *                          while it is still flowing, or if it never completed
 * @param firstResponseByte from {@code start} until the final response head was received (from the local app, or
 *                          written by the agent itself when the app could not answer); empty before that
 * @param total             from {@code start} until the exchange ended (the response's last byte, or the end of an
 *                          upgraded connection); empty while it is in progress
 */
public record ExchangeTimings(Instant start, Optional<Duration> requestComplete, Optional<Duration> firstResponseByte,
        Optional<Duration> total) {

    /** Checks that no part is null. */
    public ExchangeTimings {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(requestComplete, "requestComplete");
        Objects.requireNonNull(firstResponseByte, "firstResponseByte");
        Objects.requireNonNull(total, "total");
    }
}
