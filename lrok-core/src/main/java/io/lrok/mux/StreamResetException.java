package io.lrok.mux;

/**
 * A stream was reset (RST), by the peer or by us: reads and writes on it fail at once and buffered data is gone.
 */
public class StreamResetException extends MuxException {
    /** @param message which stream and who reset it */
    public StreamResetException(String message) {
        super(message);
    }
}
