package io.lrok.internal.agent;

import io.lrok.AgentConfig;
import io.lrok.internal.http.BodyFraming;
import io.lrok.internal.http.HttpException;
import io.lrok.internal.http.HttpReader;
import io.lrok.internal.http.RequestHead;
import io.lrok.internal.http.ResponseHead;
import io.lrok.internal.inspect.ExchangeRecorder;
import io.lrok.internal.inspect.ExchangeStore;
import io.lrok.internal.wire.StreamHeader;
import io.lrok.mux.MuxStream;
import io.lrok.mux.StreamResetException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Forwards one HTTP exchange (docs/protocol.md §5): the request the relay wrote on a stream goes to the local app,
 * the app's response comes back on the stream, byte for byte in its own framing. This thread reads the request
 * head, writes it to the app, reads the app's responses (passing interim 1xx heads on), and copies the final
 * response; for a request with a body (or an upgrade) a {@link RequestPump} copies the body at the same time. A
 * reset of the stream (the public client went away) is learnt from {@link MuxStream#onFailure}, at once, even while
 * the app is still thinking.
 *
 * <p>A stream may carry several exchanges, one after the other ({@link HttpTunnel#forward}), when the relay's
 * request keeps the stream alive (HTTP/1.1 without {@code Connection: close}, the stream being the hop the
 * {@code Connection} field describes): each response then ends by its own framing, and {@link #run()} says whether
 * the stream is in step for the next request: the response went out whole and delimited, and the request body was
 * read from the stream to its end (passed to the app, or dropped when the app answered without it). Otherwise, or
 * when the response ends with the app's connection, the agent half-closes the stream (FIN) after the response, and
 * the stream ends with this exchange. The relay decides whether a next request comes; it closes the stream when none
 * will.
 *
 * <ul>
 *   <li>The app cannot be reached, or fails before the first response byte: the agent answers 502 itself, with a
 *       page that says so, then FIN.</li>
 *   <li>Anything fails after the first response byte, or the relay resets the stream: the exchange is aborted: the
 *       stream is reset (never FIN, which would say the response is complete) and the local connection closed.</li>
 *   <li>The local connection comes from a keep-alive pool and goes back only after a clean exchange whose request
 *       and response both allow it. A reused connection that fails before the first response byte is replaced
 *       once, on a new connection, for requests without a body or with an idempotent method, as long as no body byte
 *       has been sent.</li>
 *   <li>After a 101 to an upgrade request the stream and the connection are piped both ways; each side's end
 *       (stream FIN, socket EOF) is carried to the other as a half-close.</li>
 * </ul>
 *
 * <p>With capture on, an {@link ExchangeRecorder} is told of each step, and the bodies pass through its tees, which
 * copy what was written on into a bounded side buffer (docs/inspector.md).
 *
 * <p>Threads: this one (the forwarder) reads the local connection and writes the stream; the pump reads the stream
 * and, after the head, writes the local connection. The shared state is the atomic fields below.
 */
final class HttpExchange {
    private static final System.Logger LOG = System.getLogger(HttpExchange.class.getName());

    private final MuxStream stream;
    private final StreamHeader header;
    private final HttpTunnelSpec spec;
    private final LocalConnectionPool pool;
    private final AgentConfig config;
    private final HttpReader fromRelay;
    /** Whether this is the stream's first exchange: then a stream that ends before a request is a failure. */
    private final boolean first;
    private final OutputStream toRelay;
    /** Where exchanges are recorded, or null when capture is off. */
    private final ExchangeStore capture;
    /** This exchange's recorder once its request head is read; null without capture. Set by the forwarder before
     *  the pump starts, read by both. */
    private volatile ExchangeRecorder recorder;

    /** The local connection in use; taken (set to null) by whoever closes or pools it, so that happens once. */
    private final AtomicReference<LocalConnection> local = new AtomicReference<>();
    private final AtomicBoolean aborted = new AtomicBoolean();
    /** Set when the forwarder is done with the stream; pump reads failing after that are expected. */
    private volatile boolean finished;
    /** Whether a response byte has been written to the stream; forwarder thread only. */
    private boolean responseStarted;
    /** The request body's (or an upgrade's) pump; null for a request without body. */
    private RequestPump pump;
    /** Set by the forwarder when the response went out whole and was delimited by its framing, not by FIN. */
    private volatile boolean responseDelimited;
    /** The request's framing, once its head is read. */
    private BodyFraming requestFraming;
    /** Whether the request body has been read from the stream to its end; forwarder thread only. */
    private boolean requestConsumed;
    /** Whether the relay's request keeps the stream for another (no {@code Connection: close}, not an upgrade). */
    private boolean streamKept;

    /**
     * @param fromRelay the stream's reader, shared by the exchanges the stream carries one after the other
     * @param first     whether this is the stream's first exchange
     */
    HttpExchange(MuxStream stream, HttpReader fromRelay, StreamHeader header, HttpTunnelSpec spec,
            LocalConnectionPool pool, AgentConfig config, ExchangeStore capture, boolean first) {
        this.stream = stream;
        this.capture = capture;
        this.header = header;
        this.spec = spec;
        this.pool = pool;
        this.config = config;
        this.fromRelay = fromRelay;
        this.first = first;
        this.toRelay = stream.getOutputStream();
    }

    /**
     * Runs the exchange. If the stream cannot carry another, it has been closed (or reset) when this returns.
     *
     * @return whether the stream is in step for the relay's next request, and still open
     */
    boolean run() {
        boolean again = false;
        try {
            again = forward() && !aborted.get();
        } catch (InterruptedException | InterruptedIOException e) {
            abort("interrupted");
        } catch (IOException e) {
            abort(e.getMessage()); // writing to the relay failed: the stream is reset or the session gone
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "forwarding on " + stream + " failed", e);
            abort("internal error: " + e);
        } finally {
            finished = true;
            stream.onFailure(null);
            if (pump != null) pump.decide(null);
            ExchangeRecorder rec = recorder;
            if (rec != null) rec.finished();
            LocalConnection left = local.getAndSet(null);
            if (left != null) left.close();
            if (!again) stream.close(); // FIN if not sent yet; stops reading, which ends a pump still reading
        }
        return again;
    }

    /** @return this exchange's recorder, or null without capture (or before the request head is read) */
    ExchangeRecorder recorder() {
        return recorder;
    }

    /** @return whether the response has gone out whole: a failure on the relay's side after it fails nothing */
    boolean responded() {
        return responseDelimited;
    }

    /** @return whether the forwarder is done with the stream */
    boolean finished() {
        return finished;
    }

    /**
     * Aborts the exchange: resets the stream and closes the local connection (never pooled). Idempotent.
     *
     * @param reason for the log
     */
    void abort(String reason) {
        if (!aborted.compareAndSet(false, true)) return;
        LOG.log(Level.DEBUG, "exchange on {0} aborted: {1}", stream, reason);
        ExchangeRecorder rec = recorder;
        if (rec != null) rec.failed(reason);
        LocalConnection connection = local.getAndSet(null);
        if (connection != null) connection.close();
        stream.reset();
    }

    /** @return whether the exchange ended in step for another on the same stream */
    private boolean forward() throws IOException, InterruptedException {
        RequestHead request;
        try {
            // On a kept stream this waits for the relay's next request: the exchange starts when its head arrives.
            request = fromRelay.readRequestHead(config.httpLimits());
        } catch (HttpException e) { // the relay's parser is as strict as ours: a bug on one side
            LOG.log(Level.WARNING, "malformed request from the relay on {0}: {1}", stream, e.getMessage());
            respond(ErrorPage.response(e.status(), "lrok received a malformed request: " + e.getMessage()));
            return false;
        } catch (IOException e) {
            if (first || !(e instanceof StreamResetException)) abort("reading the request failed: " + e.getMessage());
            return false;
        }
        if (request == null) {
            if (first) abort("the relay sent no request"); // later, the relay closing the stream is its normal end
            return false;
        }
        // The relay resets the stream when the public client goes away: stop the app's side at once.
        stream.onFailure(() -> {
            if (!finished && !responseDelimited) Thread.ofVirtual().start(() -> abort("the relay reset the stream"));
        });
        BodyFraming framing = BodyFraming.forRequest(request);
        requestFraming = framing;
        boolean upgrade = BodyFraming.isUpgrade(request);
        streamKept = !upgrade && BodyFraming.isKeepAlive(request.version(), request.headers());
        boolean hasBody = framing.hasBytes();
        requestConsumed = !hasBody;
        if (capture != null) {
            recorder = capture.begin(request, framing instanceof BodyFraming.Chunked, header.clientAddress(),
                    header.scheme(), header.host(), OptionalLong.empty(), Instant.now(), System.nanoTime());
            if (!hasBody) recorder.requestEnded(true);
        }
        if (spec.basicAuth() != null && !spec.basicAuth().accepts(request.headers().get("Authorization"))) {
            unauthorized();
            return inStep();
        }
        boolean mayRetry = !hasBody || request.isIdempotent(); // when a reused connection turns out dead
        byte[] head = spec.localRequest(request).toBytes();
        if (hasBody || upgrade) pump = new RequestPump(this, fromRelay, framing, upgrade, config);

        for (int attempt = 1; ; attempt++) {
            LocalConnection connection;
            try {
                connection = attempt == 1 ? pool.acquire() : pool.open(); // a retry never takes another pooled one
            } catch (IOException e) {
                badGateway("lrok could not reach the local app at " + spec.target() + ": " + ErrorPage.describe(e));
                return inStep();
            }
            local.set(connection);
            if (aborted.get()) return false; // the relay reset the stream meanwhile; run() closes the connection
            IOException failure;
            try {
                connection.out().write(head);
                connection.out().flush();
                if (pump != null && !pump.started()) pump.start(connection, "lrok-request-" + stream.id());
                connection.readTimeout(config.localResponseTimeout()); // the head only: a body may be slow
                ResponseHead response = readFinalResponse(connection, upgrade);
                connection.readTimeout(java.time.Duration.ZERO);
                if (response != null) {
                    return respond(request, response, connection);
                }
                failure = new EOFException("the local app closed the connection without a response");
            } catch (HttpException e) { // a malformed response
                if (aborted.get()) return false;
                badGateway("the local app at " + spec.target() + " sent a malformed response: " + e.getMessage());
                return inStep();
            } catch (RelayWriteFailed e) {
                abort("writing to the relay failed: " + e.getMessage());
                return false;
            } catch (java.net.SocketTimeoutException e) { // no response head in time: not retried, the app is slow
                LocalConnection slow = local.getAndSet(null);
                if (slow != null) slow.close();
                if (aborted.get()) return false;
                agentError(504, "the local app at " + spec.target() + " did not answer within "
                        + config.localResponseTimeout().toSeconds() + " s");
                return inStep();
            } catch (IOException e) {
                failure = e;
            }
            LocalConnection dead = local.getAndSet(null);
            if (dead != null) dead.close();
            if (aborted.get()) return false;
            boolean retry = attempt == 1 && connection.reused() && !responseStarted && mayRetry
                    && (pump == null || !pump.started());
            if (!retry) {
                badGateway("lrok lost the local app at " + spec.target() + " before it answered: "
                        + ErrorPage.describe(failure));
                return inStep();
            }
            LOG.log(Level.DEBUG, "reused connection to {0} failed ({1}); retrying on a new one", spec.target(),
                    failure.getMessage());
        }
    }

    /**
     * Reads responses until the final one, passing interim (1xx) heads to the relay unchanged.
     *
     * @return the final head (a 101 for an upgrade request), or null if the app closed before any response
     */
    private ResponseHead readFinalResponse(LocalConnection connection, boolean upgrade) throws IOException {
        while (true) {
            ResponseHead head = connection.reader().readResponseHead(config.httpLimits());
            if (head == null || head.status() >= 200) return head;
            if (head.status() == 101) {
                if (!upgrade) throw new HttpException(HttpException.BAD_GATEWAY, "101 to a request without Upgrade");
                return head;
            }
            writeRelay(head.toBytes());
        }
    }

    /**
     * After a response of the agent's own (the app never saw the request, or failed before answering): the stream
     * is in step once the request body has been read from it to its end, by the pump or, if the pump never ran,
     * here, dropping it.
     *
     * @return whether the stream is in step for another exchange
     */
    private boolean inStep() throws InterruptedException {
        if (aborted.get() || !responseDelimited || !streamKept) return false;
        if (pump != null && pump.started()) {
            pump.awaitDone();
            return pump.bodyConsumed();
        }
        if (requestConsumed) return true;
        try {
            fromRelay.rawBody(requestFraming, config.httpLimits()).transferTo(OutputStream.nullOutputStream());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Sends the final response: head with the response edits, then the body or, after a 101, the pipe.
     *
     * @return whether the stream is in step for another exchange
     */
    private boolean respond(RequestHead request, ResponseHead response, LocalConnection connection)
            throws IOException, InterruptedException {
        if (response.status() == 101) {
            upgraded(response, connection);
            return false;
        }
        BodyFraming framing = BodyFraming.forResponse(request.method(), response); // may throw 502: nothing sent yet
        ResponseHead publicResponse = spec.publicResponse(response);
        if (pump != null) pump.decide(null);
        HttpReader reader = connection.reader();
        boolean keepAlive = HttpTunnelSpec.keepsAlive(request) && !(framing instanceof BodyFraming.UntilClose)
                && BodyFraming.isKeepAlive(response.version(), response.headers());
        // Pool the connection once its response is read, before the last bytes go to the relay: a public client
        // that sends its next request the moment it has this response then finds the connection in the pool.
        Runnable releaseIfClean = () -> {
            if (keepAlive && reader.buffered() == 0 && (pump == null || pump.bodyDelivered())) release(connection);
        };
        byte[] whole = reader.takeBufferedBody(framing, config.copyBufferSize());
        if (whole != null) {
            // The whole (small) body has arrived with the head: both go to the relay in one write.
            if (recorder != null) {
                recorder.response(publicResponse, false);
                recorder.teeResponseBody(OutputStream.nullOutputStream()).write(whole);
            }
            releaseIfClean.run();
            writeRelay(publicResponse.toBytes(whole));
            return afterResponse(framing, connection, keepAlive);
        }
        writeRelay(publicResponse.toBytes());
        if (recorder != null) recorder.response(publicResponse, framing instanceof BodyFraming.Chunked);
        try {
            OutputStream out = recorder != null ? recorder.teeResponseBody(toRelay) : toRelay;
            Pipe.copy(reader.rawBody(framing, config.httpLimits()), out, new byte[framing.copyBufferSize(config.copyBufferSize())],
                    () -> !reader.bodyInProgress(), releaseIfClean);
        } catch (Pipe.WriteFailed e) {
            abort("writing the response to the relay failed: " + e.getMessage());
            return false;
        } catch (IOException e) {
            abort("reading the response from the local app failed: " + e.getMessage()); // never FIN a cut body
            return false;
        }
        return afterResponse(framing, connection, keepAlive);
    }

    /**
     * The response has gone to the relay whole: FIN if it ends the stream, otherwise the stream is in step once the
     * request body has been read from it.
     *
     * @return whether the stream is in step for another exchange
     */
    private boolean afterResponse(BodyFraming framing, LocalConnection connection, boolean keepAlive)
            throws IOException, InterruptedException {
        if (framing instanceof BodyFraming.UntilClose || !streamKept) {
            // FIN: the response is complete (for one without a length, only the end can say so), and so is the
            // stream's last exchange
            stream.shutdownOutput();
            awaitBodyToPool(connection, keepAlive);
            return false;
        }
        responseDelimited = true;
        if (pump == null) return true;
        awaitBodyToPool(connection, keepAlive);
        pump.awaitDone(); // the rest of the body, if the app did not take it, is read and dropped
        return pump.bodyConsumed();
    }

    /** The app answered before the request body was all sent: pools its connection once it has been. */
    private void awaitBodyToPool(LocalConnection connection, boolean keepAlive) throws InterruptedException {
        if (pump != null && local.get() == connection && keepAlive && connection.reader().buffered() == 0
                && pump.awaitBody(config.requestBodyGrace())) {
            release(connection);
        }
    }

    private void release(LocalConnection connection) {
        if (!aborted.get() && local.compareAndSet(connection, null)) pool.release(connection);
    }

    /** After a 101: the head, then app → relay here and relay → app in the pump, each end carried as FIN. */
    private void upgraded(ResponseHead response, LocalConnection connection) throws IOException, InterruptedException {
        ResponseHead publicResponse = spec.publicResponse(response);
        writeRelay(publicResponse.toBytes());
        if (recorder != null) recorder.response(publicResponse, false); // nothing of the upgraded bytes is recorded
        pump.decide(connection);
        try {
            Pipe.copy(connection.reader().untilClose(), toRelay, new byte[config.copyBufferSize()]);
            stream.shutdownOutput(); // the app half-closed: carry it to the relay
        } catch (IOException e) {
            abort("the upgraded connection failed: " + e.getMessage());
            return;
        }
        pump.awaitDone(); // until the relay's side ends too (bounded by the multiplexer's stream close timeout)
    }

    private void badGateway(String message) throws IOException {
        agentError(502, message);
    }

    /** Answers 401 with the Basic challenge; the request never reaches the local app. */
    private void unauthorized() throws IOException {
        String message = "this tunnel needs a user name and password";
        ResponseHead page = ErrorPage.head(401, message);
        ResponseHead head = page.withHeaders(page.headers().set("WWW-Authenticate", BasicAuth.challenge()));
        LOG.log(Level.DEBUG, "401 for {0} {1}: no or wrong credentials", header.scheme(), header.host());
        ExchangeRecorder rec = recorder;
        if (rec != null) rec.agentResponse(head, ErrorPage.body(message), message);
        respond(ErrorPage.response(head, message));
    }

    /** Answers with a page of the agent's own (502, 504), or aborts if the app's response had begun. */
    private void agentError(int status, String message) throws IOException {
        if (responseStarted) {
            abort(message);
            return;
        }
        LOG.log(Level.INFO, "{0} ({1} {2})", message, header.scheme(), header.host());
        ExchangeRecorder rec = recorder;
        if (rec != null) rec.agentResponse(ErrorPage.head(status, message), ErrorPage.body(message), message);
        respond(ErrorPage.response(status, message));
    }

    /**
     * Writes a complete response of the agent's own; it carries a {@code Content-Length}, which delimits it. Then
     * FIN, unless the stream is kept for another exchange.
     */
    private void respond(byte[] response) throws IOException {
        writeRelay(response);
        responseDelimited = true;
        if (!streamKept) stream.shutdownOutput();
    }

    private void writeRelay(byte[] bytes) throws RelayWriteFailed {
        responseStarted = true;
        try {
            toRelay.write(bytes);
            toRelay.flush();
        } catch (IOException e) {
            throw new RelayWriteFailed(e);
        }
    }

    /** Writing to the stream failed: the relay reset it or the session ended. */
    private static final class RelayWriteFailed extends IOException {
        RelayWriteFailed(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
