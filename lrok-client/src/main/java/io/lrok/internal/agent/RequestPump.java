package io.lrok.internal.agent;

import io.lrok.AgentConfig;
import io.lrok.internal.http.BodyFraming;
import io.lrok.http.HttpLimits;
import io.lrok.internal.http.HttpReader;
import io.lrok.internal.inspect.ExchangeRecorder;
import io.lrok.mux.StreamResetException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The relay-to-app half of an exchange whose request has a body or asks for an upgrade, on its own virtual thread,
 * so that a request body and its response flow at the same time (100-continue, an app answering early, a
 * full-duplex upgrade). In order:
 * <ol>
 *   <li>copies the request body from the stream to the local app, byte for byte in its own framing; if the app
 *       stops taking it (it answered without it, or went away), reads the rest from the stream and drops it, so that
 *       the stream stays in step for the next request it may carry;</li>
 *   <li>for an upgrade request, waits for the forwarder's decision: after a 101 it pipes the stream to the app
 *       until the relay's FIN, and then half-closes the app's connection.</li>
 * </ol>
 * It is the only writer of the local connection once the forwarder has written the request head, and the only
 * reader of the stream from the request head until it is done ({@link #awaitDone()}).
 */
final class RequestPump implements Runnable {
    private static final System.Logger LOG = System.getLogger(RequestPump.class.getName());

    private final HttpExchange exchange;
    private final HttpReader fromRelay;
    private final BodyFraming framing;
    private final boolean upgrade;
    private final HttpLimits limits;
    private final byte[] buffer;

    /** The connection the body goes to; set once by {@link #start} before the thread starts. */
    private LocalConnection bodyTarget;
    private volatile boolean started;
    /** True once the whole body reached the app; read after {@link #bodyEnded} opens. */
    private volatile boolean bodyComplete;
    /** True once the whole body has been read from the stream (passed on or dropped); read after {@link #done}. */
    private volatile boolean bodyConsumed;
    private final CountDownLatch bodyEnded = new CountDownLatch(1);
    /** The forwarder's decision on an upgrade: the connection to pipe to after a 101, or null if not switched. */
    private final CompletableFuture<LocalConnection> switched = new CompletableFuture<>();
    private final CountDownLatch done = new CountDownLatch(1);

    RequestPump(HttpExchange exchange, HttpReader fromRelay, BodyFraming framing, boolean upgrade, AgentConfig config) {
        this.exchange = exchange;
        this.fromRelay = fromRelay;
        this.framing = framing;
        this.upgrade = upgrade;
        this.limits = config.httpLimits();
        this.buffer = new byte[config.copyBufferSize()];
    }

    /** Starts the pump; the request head has been written to {@code connection}, the body goes there too. */
    void start(LocalConnection connection, String name) {
        bodyTarget = connection;
        started = true;
        Thread.ofVirtual().name(name).start(this);
    }

    boolean started() {
        return started;
    }

    /** @return whether the whole request body has reached the app, without waiting */
    boolean bodyDelivered() {
        return started && bodyEnded.getCount() == 0 && bodyComplete;
    }

    /** @return whether the whole request body reached the app within {@code grace} */
    boolean awaitBody(Duration grace) throws InterruptedException {
        return started && bodyEnded.await(grace.toNanos(), TimeUnit.NANOSECONDS) && bodyComplete;
    }

    /** @return whether the whole request body was read from the stream, passed to the app or dropped; after
     *  {@link #awaitDone()} */
    boolean bodyConsumed() {
        return bodyConsumed;
    }

    /** The forwarder's answer to an upgrade request: the connection after a 101, or null for any other end. */
    void decide(LocalConnection upgradedTo) {
        switched.complete(upgradedTo);
    }

    /** Waits until the pump has finished (in an upgrade: until the relay's side of the pipe has ended). */
    void awaitDone() throws InterruptedException {
        if (started) done.await();
    }

    @Override
    public void run() {
        try {
            if (!sendBody()) return;
            LocalConnection pipeTo = upgrade ? switched.join() : null;
            if (pipeTo != null) pipe(pipeTo);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "request pump failed", e);
            exchange.abort("internal error: " + e);
        } finally {
            bodyEnded.countDown();
            done.countDown();
        }
    }

    /** @return whether to go on: false if the relay side failed or the app stopped reading the body */
    private boolean sendBody() {
        InputStream body = fromRelay.rawBody(framing, limits);
        try {
            if (framing.hasBytes()) {
                ExchangeRecorder recorder = exchange.recorder();
                OutputStream out = recorder != null ? recorder.teeRequestBody(bodyTarget.out()) : bodyTarget.out();
                Pipe.copy(body, out, buffer);
            }
            bodyComplete = true;
            bodyConsumed = true;
            return true;
        } catch (Pipe.WriteFailed e) {
            // The app stopped reading: it answers without the rest, or it is gone, which the forwarder finds out.
            // Its connection is not reused. The rest is dropped (the relay stops sending it after its linger time).
            LOG.log(Level.DEBUG, "the local app stopped reading the request body: {0}", e.getMessage());
            bodyEnded.countDown();
            drop(body);
            return false;
        } catch (IOException e) {
            relayFailed(e);
            return false;
        } finally {
            bodyEnded.countDown();
            ExchangeRecorder recorder = exchange.recorder();
            if (recorder != null) recorder.requestEnded(bodyComplete);
        }
    }

    private void pipe(LocalConnection connection) {
        try {
            Pipe.copy(fromRelay.untilClose(), connection.out(), buffer);
        } catch (Pipe.WriteFailed e) {
            exchange.abort("the local app closed the upgraded connection: " + e.getMessage());
            return;
        } catch (IOException e) {
            relayFailed(e);
            return;
        }
        try {
            connection.shutdownOutput(); // carry the relay's FIN to the app
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "half-closing the local connection failed: {0}", e.getMessage());
        }
    }

    private void drop(InputStream rest) {
        try {
            while (rest.read(buffer) >= 0) {
                // dropped
            }
            bodyConsumed = true;
        } catch (IOException e) {
            relayFailed(e);
        }
    }

    private void relayFailed(IOException e) {
        // The forwarder closed the stream (reads fail by design), or the response is complete: the exchange went
        // well for the client; the stream just cannot carry another.
        if (exchange.finished() || exchange.responded()) return;
        exchange.abort(e instanceof StreamResetException ? "the relay reset the stream"
                : "reading from the relay failed: " + e.getMessage());
    }
}
