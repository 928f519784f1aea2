package io.lrok.internal.relay;

import io.lrok.internal.http.BodyFraming;
import io.lrok.http.HttpLimits;
import io.lrok.internal.http.HttpReader;
import io.lrok.mux.MuxStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Forwards a request's body from the public connection to the exchange stream, byte for byte in its original
 * framing, on a virtual thread of its own, while the exchange reads the response. Then, on a stream that carries
 * one exchange, and unless the request asks for an upgrade, it half-closes the stream (FIN): the relay's side of
 * the exchange is complete. On a stream kept for the connection's next request the body's own framing ends it.
 *
 * <p>If the agent stops taking the body (the stream was reset or closed, having answered early), the rest is
 * read and dropped, so the public connection stays in step. If reading the client fails (it went away, or sent
 * a malformed chunked body), the stream is reset and {@link #clientFailure()} says why.
 *
 * <p>While it runs, this is the public connection's only reader; {@link #await} hands the connection back.
 */
final class RequestBody {
    private static final System.Logger LOG = System.getLogger(RequestBody.class.getName());

    private final MuxStream stream;
    /** Whether to half-close the stream after the body. */
    private final boolean halfClose;
    private final CountDownLatch done = new CountDownLatch(1);
    /** Written by the copying thread before {@code done} counts down. */
    private volatile IOException clientFailure;
    private volatile boolean agentStoppedReading;

    private RequestBody(MuxStream stream, boolean halfClose) {
        this.stream = stream;
        this.halfClose = halfClose;
    }

    /**
     * Starts forwarding.
     *
     * @param reader  the public connection's reader, positioned at the body
     * @param framing the body's framing
     * @param limits  the limits for chunk-size lines and trailers
     * @param stream  the exchange stream, head already written
     * @param halfClose whether to send FIN after the body: not for an upgrade (the stream may become a pipe), nor
     *                on a stream kept for the next request
     * @return the running copy; finished at once for a request without body
     */
    static RequestBody start(HttpReader reader, BodyFraming framing, HttpLimits limits, MuxStream stream,
            boolean halfClose) {
        RequestBody body = new RequestBody(stream, halfClose);
        if (!framing.hasBytes()) {
            body.finish();
        } else {
            InputStream in = reader.rawBody(framing, limits);
            Thread.ofVirtual().name("lrok-relay-request-body-" + stream.id()).start(() -> body.copy(in));
        }
        return body;
    }

    private void copy(InputStream in) {
        OutputStream out = stream.getOutputStream();
        byte[] buf = new byte[Pipe.BUFFER_SIZE];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (agentStoppedReading) continue; // drop the rest, keep the connection in step
                try {
                    out.write(buf, 0, n);
                } catch (IOException e) {
                    agentStoppedReading = true;
                }
            }
            if (!agentStoppedReading) finish();
        } catch (IOException e) {
            clientFailure = e;
            LOG.log(Level.DEBUG, () -> "request body on stream " + stream.id() + " failed: " + e);
            stream.reset();
        } finally {
            done.countDown();
        }
    }

    private void finish() {
        try {
            if (halfClose) stream.shutdownOutput();
        } catch (IOException e) {
            agentStoppedReading = true;
        } finally {
            done.countDown();
        }
    }

    /**
     * @param timeout the longest wait; {@link Duration#ZERO} does not wait
     * @return whether the body has been read to its end (or failed) by now
     */
    boolean await(Duration timeout) {
        try {
            return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** @return whether the body was read to its end without a failure on the client's side */
    boolean completed() {
        return done.getCount() == 0 && clientFailure == null;
    }

    /** @return whether the whole body reached the stream: read to its end, and none of it dropped */
    boolean delivered() {
        return completed() && !agentStoppedReading;
    }

    /** @return why reading the body from the client failed, or null */
    IOException clientFailure() {
        return clientFailure;
    }
}
