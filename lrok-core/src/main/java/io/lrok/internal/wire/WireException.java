package io.lrok.internal.wire;

import java.io.IOException;

/**
 * A lrok protocol failure: bytes that do not decode to a valid message (then {@link #code()} is null), or a peer
 * that answered with an {@link ControlMessage.ErrorMessage} or a version the handshake cannot accept (then
 * {@link #code()} says which).
 */
public class WireException extends IOException {

    private final ErrorCode code;

    /** @param message what is wrong, for a person */
    public WireException(String message) {
        this(null, message, null);
    }

    /** @param message what is wrong, for a person @param cause the underlying failure */
    public WireException(String message, Throwable cause) {
        this(null, message, cause);
    }

    /** @param code the error the peer sent, or the handshake found @param message what happened, for a person */
    public WireException(ErrorCode code, String message) {
        this(code, message, null);
    }

    private WireException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** @return the error the peer sent or the handshake found, or null for malformed input */
    public ErrorCode code() {
        return code;
    }
}
