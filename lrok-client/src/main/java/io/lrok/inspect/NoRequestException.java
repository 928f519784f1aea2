package io.lrok.inspect;

import java.time.Duration;

/**
 * Thrown by {@link io.lrok.Tunnel#takeRequest(Duration)} and {@link io.lrok.Tunnel#awaitRequest} when no (matching)
 * request was recorded within the timeout. Unchecked, so that a test fails with its message.
 */
public final class NoRequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what was awaited, for how long, and what was recorded meanwhile */
    public NoRequestException(String message) {
        super(message);
    }
}
