package io.lrok.internal.relay;

import io.lrok.internal.http.BodyFraming;
import io.lrok.internal.http.HttpException;
import io.lrok.internal.http.HttpReader;
import io.lrok.internal.http.RequestHead;
import io.lrok.internal.http.ResponseHead;
import io.lrok.internal.wire.Proto;
import io.lrok.internal.wire.StreamHeader;
import io.lrok.mux.MuxStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * One public HTTP exchange through a tunnel (docs/protocol.md §5): opens a stream to the tunnel's agent, writes the
 * stream header and the normalized request head, forwards the body ({@link RequestBody}, concurrently), and relays
 * the response: interim 1xx heads, then the final head and its body as it comes, flushed per read. A 101 to an
 * upgrade request turns the exchange into a raw pipe both ways. Runs on the public connection's thread.
 *
 * <p>Streams: when the agent takes successive requests on one stream ({@link AgentSession#reusesHttpStreams()}),
 * the exchange may run on the stream its connection's previous exchange used, and hands the stream back to the
 * connection when it ends cleanly with the connection kept alive ({@link EdgeConnection#keep}); otherwise it opens
 * a stream and closes it at the end. A kept stream that turns out dead before any response byte (the agent gave it
 * up meanwhile) is replaced by a new one once, for a request that may be sent again: nothing written, or no body
 * and an idempotent method.
 *
 * <p>Failures: an agent that cannot be reached, resets the stream or ends it before a response, or answers with a
 * malformed head gets the client a 502 page; a malformed request body a 400. Once a response has begun, a failure
 * on the agent's side closes the public connection (the client sees a cut-short response); a client that goes away
 * gets the stream reset, so the agent stops too.
 */
final class Exchange {
    private static final System.Logger LOG = System.getLogger(Exchange.class.getName());

    private final EdgeConnection conn;
    private final RequestHead request;
    private final HttpTunnel tunnel;
    private final String host;
    private final boolean upgrade;
    private final boolean http10;
    /** The session the exchange runs on, read once: a resumed tunnel moves to a new one. */
    private final AgentSession session;
    /** Whether the stream may carry the connection's next request afterwards. */
    private final boolean streamKept;
    /** A stream kept from the connection's previous exchange to this tunnel, until this exchange takes it. */
    private EdgeConnection.KeptStream kept;
    /** The reader of {@link #stream}: a kept stream's own, which may have read ahead, else a new one. */
    private HttpReader fromAgent;
    /** Whether {@link #stream} is a kept one (then a failure before the response may be retried on a new one). */
    private boolean onKeptStream;
    private MuxStream stream;
    private RequestBody body;
    /** Whether anything of a response has been written to the client. */
    private boolean answered;

    /**
     * @param kept a stream kept from the connection's previous exchange with the same tunnel, session and host,
     *             still open; null to open one
     */
    Exchange(EdgeConnection conn, RequestHead request, HttpTunnel tunnel, String host, EdgeConnection.KeptStream kept) {
        this.conn = conn;
        this.request = request;
        this.tunnel = tunnel;
        this.host = host;
        this.kept = kept;
        this.session = tunnel.session();
        this.upgrade = ForwardedHeads.isUpgrade(request);
        this.http10 = request.version().equals(RequestHead.HTTP_1_0);
        this.streamKept = session.reusesHttpStreams() && !upgrade && !conn.limits().keptStreamIdle().isZero();
    }

    /**
     * Runs the exchange, if the tunnel's session has room for one more ({@code maxStreamsPerSession}); otherwise
     * answers 503.
     *
     * @return whether the public connection may carry another request
     */
    boolean run() throws IOException {
        if (!session.acquireStream()) {
            if (kept != null) kept.stream().close();
            LOG.log(Level.DEBUG, () -> tunnel + ": refusing a request: " + session.maxStreams() + " in progress");
            conn.refuse(ErrorPage.tooManyStreams(tunnel.name(), host, session.maxStreams()), accept());
            return false;
        }
        try {
            return runCounted();
        } finally {
            session.releaseStream();
        }
    }

    private boolean runCounted() throws IOException {
        BodyFraming framing = BodyFraming.forRequest(request); // checked by the reader already: does not throw
        RequestHead forwarded = ForwardedHeads.request(request, ForwardedHeads.originForm(request.target()), host,
                conn.clientIp(), conn.scheme().name(), upgrade, streamKept);
        if (kept != null) {
            stream = kept.stream();
            fromAgent = kept.reader();
            kept = null;
            onKeptStream = true;
            try {
                stream.getOutputStream().write(forwarded.toBytes());
            } catch (IOException e) {
                // Given up by the agent while the connection was idle: nothing of this request has reached it.
                LOG.log(Level.DEBUG, () -> tunnel + ": kept " + stream + " is gone (" + e + "); opening a new one");
                stream.reset();
                onKeptStream = false;
            }
        }
        if (!onKeptStream) {
            try {
                stream = session.openStream();
                fromAgent = new HttpReader(stream.getInputStream());
            } catch (IOException e) {
                LOG.log(Level.DEBUG, () -> tunnel + ": cannot open a stream: " + e);
                conn.refuse(ErrorPage.offline(tunnel.name(), host), accept());
                return false;
            }
            try {
                byte[] header = new StreamHeader(tunnel.id(), Proto.HTTP, conn.clientAddress(), conn.scheme().name(),
                        host).encode();
                stream.getOutputStream().write(concat(header, forwarded.toBytes()));
            } catch (IOException e) {
                stream.reset();
                conn.refuse(ErrorPage.offline(tunnel.name(), host), accept());
                return false;
            }
        }
        body = RequestBody.start(conn.reader(), framing, conn.httpLimits(), stream, !upgrade && !streamKept);
        return relayResponse(framing);
    }

    /**
     * A kept stream ended before any response byte: the agent gave it up, perhaps while this request was on its
     * way. Sent again on a new stream if that is safe: no body and an idempotent method (RFC 9110 §9.2.2), so
     * that a request the agent did pass on cannot take effect twice.
     */
    private boolean mayRetryOnNewStream(BodyFraming framing) {
        return onKeptStream && !answered && !framing.hasBytes() && request.isIdempotent();
    }

    private boolean relayResponse(BodyFraming requestFraming) throws IOException {
        HttpReader agent = fromAgent;
        ResponseHead response;
        while (true) {
            try {
                response = agent.readResponseHead(conn.httpLimits());
            } catch (HttpException e) {
                return failBeforeResponse(ErrorPage.badResponse(tunnel.name(), host, e.getMessage()));
            } catch (IOException e) {
                if (mayRetryOnNewStream(requestFraming)) return retryOnNewStream(e.toString());
                return failBeforeResponse(ErrorPage.noResponse(tunnel.name(), host));
            }
            if (response == null) {
                if (mayRetryOnNewStream(requestFraming)) return retryOnNewStream("it ended");
                return failBeforeResponse(ErrorPage.noResponse(tunnel.name(), host));
            }
            if (response.status() == 101) {
                if (upgrade) return switchProtocols(agent, response);
                return failBeforeResponse(ErrorPage.badResponse(tunnel.name(), host,
                        "101 Switching Protocols to a request that asked for no upgrade"));
            }
            if (response.status() >= 200) break;
            // An interim response (100 Continue, 103 Early Hints): passed on, except to HTTP/1.0 clients, which
            // do not know them (RFC 9110 §15.2).
            if (!http10 && !writeToClient(response.toBytes())) return false;
        }
        BodyFraming framing;
        try {
            framing = BodyFraming.forResponse(request.method(), response);
        } catch (HttpException e) {
            return failBeforeResponse(ErrorPage.badResponse(tunnel.name(), host, e.getMessage()));
        }
        // An HTTP/1.0 client cannot read chunked coding: it gets the decoded body, ended by the close.
        boolean dechunk = http10 && framing instanceof BodyFraming.Chunked;
        boolean keepAlive = BodyFraming.isKeepAlive(request.version(), request.headers())
                && !(framing instanceof BodyFraming.UntilClose) && !dechunk;
        ResponseHead head = ForwardedHeads.response(response, keepAlive, http10, dechunk);
        // A small body that has arrived with its head goes out with it, in one write.
        byte[] whole = dechunk ? null : agent.takeBufferedBody(framing, Pipe.BUFFER_SIZE);
        if (whole != null) return writeToClient(head.toBytes(whole)) && finish(keepAlive);
        if (!writeToClient(head.toBytes())) return false;
        InputStream responseBody = dechunk ? agent.body(framing, conn.httpLimits())
                : agent.rawBody(framing, conn.httpLimits());
        try {
            Pipe.copy(responseBody, conn.out(), new byte[framing.copyBufferSize(Pipe.BUFFER_SIZE)]);
        } catch (Pipe.WriteFailedException e) {
            return clientGone(e);
        } catch (IOException e) {
            // The agent failed mid-response: the client cannot be told but by a cut-short response.
            LOG.log(Level.DEBUG, () -> tunnel + ": response cut short: " + e);
            stream.reset();
            return false;
        }
        return finish(keepAlive);
    }

    /**
     * The response is complete. The connection can take another request once the request body is in too:
     * normally it is; a client still uploading to an agent that answered early gets the linger time to finish.
     *
     * @return whether the public connection may carry another request
     */
    private boolean finish(boolean keepAlive) {
        if (!streamKept) stream.close();
        boolean requestDone = body.await(conn.limits().lingerTimeout()) && body.completed();
        if (streamKept) {
            // The stream goes on with the connection's next request only if both ends are in step: the whole body
            // went into it, and neither end has given it up.
            if (keepAlive && requestDone && body.delivered() && stream.isOpen()) {
                conn.keep(new EdgeConnection.KeptStream(tunnel, session, host, stream, fromAgent));
            } else {
                stream.close();
            }
        }
        return keepAlive && requestDone;
    }

    /** Sends the request again on a new stream; see {@link #mayRetryOnNewStream}. */
    private boolean retryOnNewStream(String why) throws IOException {
        LOG.log(Level.DEBUG, () -> tunnel + ": kept " + stream + " ended before a response (" + why
                + "); sending the request again on a new stream");
        stream.reset();
        onKeptStream = false;
        return runCounted();
    }

    /** A 101 to an upgrade request: the head goes to the client as is, then bytes flow both ways until both end. */
    private boolean switchProtocols(HttpReader agent, ResponseHead response) throws IOException {
        if (!writeToClient(response.toBytes())) return false;
        body.await(Duration.ofNanos(Long.MAX_VALUE)); // a body sent with the upgrade request goes first
        if (body.clientFailure() != null) {
            stream.reset();
            return false;
        }
        InputStream fromClient = conn.reader().untilClose();
        Thread up = Thread.ofVirtual().name("lrok-relay-upgrade-" + stream.id()).start(() -> {
            try {
                Pipe.copy(fromClient, stream.getOutputStream());
                stream.shutdownOutput(); // the client half-closed: so does the stream
            } catch (IOException e) {
                stream.reset(); // either end failed: the other learns it
                closeQuietly();
            }
        });
        try {
            Pipe.copy(agent.untilClose(), conn.out());
            conn.socket().shutdownOutput(); // the agent half-closed: so does the public connection
        } catch (IOException e) {
            stream.reset();
            closeQuietly();
        }
        try {
            up.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stream.close();
        return false;
    }

    /**
     * No response has begun, and none will come from the agent: tells the client why (400 if its own body was
     * malformed, 502 otherwise), unless it has gone away.
     */
    private boolean failBeforeResponse(ErrorPage page) {
        stream.reset();
        body.await(Duration.ZERO);
        IOException clientFailure = body.clientFailure();
        if (clientFailure instanceof HttpException bad) {
            page = ErrorPage.badRequest(bad.status(), bad.getMessage(), host);
        } else if (clientFailure != null) {
            return false; // the client went away: nobody to tell
        }
        ErrorPage answer = page;
        LOG.log(Level.DEBUG, () -> tunnel + ": " + answer.problem());
        if (body.await(Duration.ZERO)) {
            conn.refuse(answer, accept());
        } else {
            // The request body's thread still reads the connection: it drops the rest of the body, and is
            // given the linger time to do so, instead of a second reader.
            try {
                answer.writeTo(conn.out(), ErrorPage.wantsHtml(accept()));
                conn.socket().shutdownOutput();
            } catch (IOException e) {
                return false;
            }
            body.await(conn.limits().lingerTimeout());
        }
        return false;
    }

    /** @return whether the write succeeded; if not, the stream has been reset */
    private boolean writeToClient(byte[] bytes) {
        answered = true;
        try {
            conn.out().write(bytes);
            conn.out().flush();
            return true;
        } catch (IOException e) {
            return clientGone(e);
        }
    }

    private boolean clientGone(IOException e) {
        LOG.log(Level.DEBUG, () -> tunnel + ": the public client went away: " + e);
        stream.reset();
        return false;
    }

    private void closeQuietly() {
        try {
            conn.socket().close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private String accept() {
        return request.headers().get("Accept");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
