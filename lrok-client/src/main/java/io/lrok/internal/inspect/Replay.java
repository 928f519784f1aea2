package io.lrok.internal.inspect;

import io.lrok.inspect.Header;
import java.util.List;

/** Sends a recorded request to the tunnel's local app again, as it was or edited, and records the result. */
public interface Replay {

    /**
     * What to change in the replayed request; a null part is taken from the recording.
     *
     * @param method  the method
     * @param target  the request target, such as {@code /hooks?x=1}
     * @param headers every header field to send (replacing the recorded ones); the framing fields
     *                ({@code Content-Length}, {@code Transfer-Encoding}, {@code Connection}) are set by lrok
     * @param body    the body
     */
    record Edits(String method, String target, List<Header> headers, byte[] body) {
        /** No edits: replay as recorded. */
        public static final Edits NONE = new Edits(null, null, null, null);
    }

    /** A replay that cannot be made; {@link #status()} is the HTTP status for the inspector's API. */
    final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;

        /** @param status the API's status, such as 404 @param message why */
        public Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        /** @return the API's status */
        public int status() {
            return status;
        }
    }

    /**
     * Replays an exchange against the local app and waits for its response (bounded by
     * {@link InspectSettings#replayTimeout()} per read). The replay is recorded as a new exchange whose
     * {@code replayOf} is {@code id}; when the app cannot be reached or fails, that exchange has failed.
     *
     * @param id            the recorded exchange to replay
     * @param edits         what to change
     * @param clientAddress who asked, recorded as the replay's client address
     * @return the replay's recorder, ended
     * @throws Refused              if the exchange is gone (404), cannot be replayed as recorded (409: its body was
     *                              truncated or incomplete; 400: an upgrade), or the edits are malformed (400)
     * @throws InterruptedException if interrupted
     */
    ExchangeRecorder replay(long id, Edits edits, String clientAddress) throws Refused, InterruptedException;
}
