package io.lrok;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A change of a connection's {@link ConnectionState}, as a {@link ConnectionListener} receives it.
 *
 * @param state     the new state
 * @param at        when it changed
 * @param detail    what happened, for a person: "connection lost: ...", "reconnected (session resumed)", ...
 * @param cause     why the connection was lost or could not be made again, for {@link ConnectionState#RECONNECTING}
 *                  and {@link ConnectionState#CLOSED}; null when there is none (such as a close by the owner)
 * @param attempt   for {@link ConnectionState#RECONNECTING}: the number of reconnect attempts made so far in this
 *                  outage (0 when it has just begun); otherwise 0
 * @param nextDelay for {@link ConnectionState#RECONNECTING}: how long until the next attempt; otherwise zero
 */
public record ConnectionEvent(ConnectionState state, Instant at, String detail, TunnelException cause, int attempt,
        Duration nextDelay) {

    /** Checks the fields. */
    public ConnectionEvent {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(nextDelay, "nextDelay");
        if (attempt < 0) throw new IllegalArgumentException("attempt must not be negative");
    }

    /** @return the cause, if there is one */
    public Optional<TunnelException> failure() {
        return Optional.ofNullable(cause);
    }

    @Override
    public String toString() {
        return state + " at " + at + ": " + detail + (cause == null ? "" : " [" + cause.code() + "]")
                + (state == ConnectionState.RECONNECTING ? " (attempt " + attempt + ", next in " + nextDelay.toMillis()
                        + " ms)" : "");
    }
}
