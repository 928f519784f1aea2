package io.lrok.mux;

import java.io.IOException;

/**
 * A multiplexer failure: the session ended (closed by either side, a protocol error, a timeout), or an operation
 * the session cannot do now (no stream ids left, the peer sent GoAway, too many streams).
 */
public class MuxException extends IOException {
    /** @param message what happened, for a person */
    public MuxException(String message) {
        super(message);
    }

    /** @param message what happened, for a person @param cause the underlying failure */
    public MuxException(String message, Throwable cause) {
        super(message, cause);
    }
}
