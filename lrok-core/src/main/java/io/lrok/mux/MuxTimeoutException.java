package io.lrok.mux;

/** A multiplexer operation did not complete within its configured timeout. */
public class MuxTimeoutException extends MuxException {
    /** @param message what timed out, and after how long */
    public MuxTimeoutException(String message) {
        super(message);
    }
}
