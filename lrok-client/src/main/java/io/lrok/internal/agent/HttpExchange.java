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
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Forwards one HTTP exchange (docs/protocol.md §5): the request the relay wrote on a stream goes to the local app,
 * the app's response comes back on the stream, byte for byte in its own framing, and the agent's FIN marks its end.
 * This thread reads the request head, writes it to the app, reads the app's responses (passing interim 1xx heads
 * on), and copies the final response; a {@link RequestPump} copies the request body at the same time and watches the
 * stream for a reset.
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
final class HttpExchange implements Runnable {
    private static final System.Logger LOG = System.getLogger(HttpExchange.class.getName());
    /** Methods that may be sent again (RFC 9110 §9.2.2) when a reused connection turns out dead. */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

    private final MuxStream stream;
    private final StreamHeader header;
    private final HttpTunnelSpec spec;
    private final LocalConnectionPool pool;
    private final AgentConfig config;
    private final HttpReader fromRelay;
    private final OutputStream toRelay;
    /** Where exchanges are recorded, or null when capture is off. */
    private final ExchangeStore capture;
    private final Instant startedAt = Instant.now();
    private final long startedNanos = System.nanoTime();
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
    private RequestPump pump;

    HttpExchange(MuxStream stream, StreamHeader header, HttpTunnelSpec spec, LocalConnectionPool pool,
            AgentConfig config, ExchangeStore capture) {
        this.stream = stream;
        this.capture = capture;
        this.header = header;
        this.spec = spec;
        this.pool = pool;
        this.config = config;
        this.fromRelay = new HttpReader(stream.getInputStream());
        this.toRelay = stream.getOutputStream();
    }

    @Override
    public void run() {
        try {
            forward();
        } catch (InterruptedException | InterruptedIOException e) {
            abort("interrupted");
        } catch (IOException e) {
            abort(e.getMessage()); // writing to the relay failed: the stream is reset or the session gone
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "forwarding on " + stream + " failed", e);
            abort("internal error: " + e);
        } finally {
            finished = true;
            if (pump != null) pump.decide(null);
            ExchangeRecorder rec = recorder;
            if (rec != null) rec.finished();
            LocalConnection left = local.getAndSet(null);
            if (left != null) left.close();
            stream.close(); // FIN if not sent yet; stops reading, which ends the pump
        }
    }

    /** @return this exchange's recorder, or null without capture (or before the request head is read) */
    ExchangeRecorder recorder() {
        return recorder;
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

    private void forward() throws IOException, InterruptedException {
        RequestHead request;
        try {
            request = fromRelay.readRequestHead(config.httpLimits());
        } catch (HttpException e) { // the relay's parser is as strict as ours: a bug on one side
            LOG.log(Level.WARNING, "malformed request from the relay on {0}: {1}", stream, e.getMessage());
            respond(ErrorPage.response(e.status(), "lrok received a malformed request: " + e.getMessage()));
            return;
        } catch (IOException e) {
            abort("reading the request failed: " + e.getMessage());
            return;
        }
        if (request == null) {
            abort("the relay sent no request");
            return;
        }
        BodyFraming framing = BodyFraming.forRequest(request);
        boolean upgrade = BodyFraming.isUpgrade(request);
        boolean hasBody = RequestPump.hasBody(framing);
        if (capture != null) {
            recorder = capture.begin(request, framing instanceof BodyFraming.Chunked, header.clientAddress(),
                    header.scheme(), header.host(), OptionalLong.empty(), startedAt, startedNanos);
            if (!hasBody) recorder.requestEnded(true);
        }
        if (spec.basicAuth() != null && !spec.basicAuth().accepts(request.headers().get("Authorization"))) {
            unauthorized();
            return;
        }
        boolean mayRetry = !hasBody || IDEMPOTENT.contains(request.method());
        byte[] head = spec.localRequest(request).toBytes();
        pump = new RequestPump(this, fromRelay, framing, upgrade, config);

        for (int attempt = 1; ; attempt++) {
            LocalConnection connection;
            try {
                connection = attempt == 1 ? pool.acquire() : pool.open(); // a retry never takes another pooled one
            } catch (IOException e) {
                badGateway("lrok could not reach the local app at " + spec.target() + ": " + ErrorPage.describe(e));
                return;
            }
            local.set(connection);
            if (aborted.get()) return; // the relay reset the stream meanwhile; run() closes the connection
            IOException failure;
            try {
                connection.out().write(head);
                connection.out().flush();
                if (!pump.started()) pump.start(connection, "lrok-request-" + stream.id());
                connection.readTimeout(config.localResponseTimeout()); // the head only: a body may be slow
                ResponseHead response = readFinalResponse(connection, upgrade);
                connection.readTimeout(java.time.Duration.ZERO);
                if (response != null) {
                    respond(request, response, connection);
                    return;
                }
                failure = new EOFException("the local app closed the connection without a response");
            } catch (HttpException e) { // a malformed response
                if (aborted.get()) return;
                badGateway("the local app at " + spec.target() + " sent a malformed response: " + e.getMessage());
                return;
            } catch (RelayWriteFailed e) {
                abort("writing to the relay failed: " + e.getMessage());
                return;
            } catch (java.net.SocketTimeoutException e) { // no response head in time: not retried, the app is slow
                LocalConnection slow = local.getAndSet(null);
                if (slow != null) slow.close();
                if (aborted.get()) return;
                agentError(504, "the local app at " + spec.target() + " did not answer within "
                        + config.localResponseTimeout().toSeconds() + " s");
                return;
            } catch (IOException e) {
                failure = e;
            }
            LocalConnection dead = local.getAndSet(null);
            if (dead != null) dead.close();
            if (aborted.get()) return;
            boolean retry = attempt == 1 && connection.reused() && !responseStarted && mayRetry
                    && (!hasBody || !pump.started());
            if (!retry) {
                badGateway("lrok lost the local app at " + spec.target() + " before it answered: "
                        + ErrorPage.describe(failure));
                return;
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

    /** Sends the final response: head with the response edits, then the body or, after a 101, the pipe. */
    private void respond(RequestHead request, ResponseHead response, LocalConnection connection)
            throws IOException, InterruptedException {
        if (response.status() == 101) {
            upgraded(response, connection);
            return;
        }
        BodyFraming framing = BodyFraming.forResponse(request.method(), response); // may throw 502: nothing sent yet
        ResponseHead publicResponse = spec.publicResponse(response);
        writeRelay(publicResponse.toBytes());
        if (recorder != null) recorder.response(publicResponse, framing instanceof BodyFraming.Chunked);
        pump.decide(null);
        HttpReader reader = connection.reader();
        boolean keepAlive = HttpTunnelSpec.keepsAlive(request) && !(framing instanceof BodyFraming.UntilClose)
                && BodyFraming.isKeepAlive(response.version(), response.headers());
        // Pool the connection once its response is read, before the last bytes go to the relay: a public client
        // that sends its next request the moment it has this response then finds the connection in the pool.
        Runnable releaseIfClean = () -> {
            if (keepAlive && reader.buffered() == 0 && pump.bodyDelivered()) release(connection);
        };
        try {
            OutputStream out = recorder != null ? recorder.teeResponseBody(toRelay) : toRelay;
            Pipe.copy(reader.rawBody(framing, config.httpLimits()), out, new byte[config.copyBufferSize()],
                    () -> !reader.bodyInProgress(), releaseIfClean);
        } catch (Pipe.WriteFailed e) {
            abort("writing the response to the relay failed: " + e.getMessage());
            return;
        } catch (IOException e) {
            abort("reading the response from the local app failed: " + e.getMessage()); // never FIN a cut body
            return;
        }
        stream.shutdownOutput(); // FIN: the response is complete
        // The app answered before the request body was all sent: pool the connection once it has been.
        if (local.get() == connection && keepAlive && reader.buffered() == 0
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

    /** Writes a complete response of the agent's own, then FIN. */
    private void respond(byte[] response) throws IOException {
        writeRelay(response);
        stream.shutdownOutput();
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
