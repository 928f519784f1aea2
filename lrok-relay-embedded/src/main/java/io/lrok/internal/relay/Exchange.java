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
    private MuxStream stream;
    private RequestBody body;

    Exchange(EdgeConnection conn, RequestHead request, HttpTunnel tunnel, String host) {
        this.conn = conn;
        this.request = request;
        this.tunnel = tunnel;
        this.host = host;
        this.upgrade = ForwardedHeads.isUpgrade(request);
        this.http10 = request.version().equals(RequestHead.HTTP_1_0);
    }

    /**
     * Runs the exchange, if the tunnel's session has room for one more ({@code maxStreamsPerSession}); otherwise
     * answers 503.
     *
     * @return whether the public connection may carry another request
     */
    boolean run() throws IOException {
        AgentSession session = tunnel.session();
        if (!session.acquireStream()) {
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
        try {
            stream = tunnel.session().openStream();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> tunnel + ": cannot open a stream: " + e);
            conn.refuse(ErrorPage.offline(tunnel.name(), host), accept());
            return false;
        }
        try {
            byte[] header = new StreamHeader(tunnel.id(), Proto.HTTP, conn.clientAddress(), conn.scheme().name(), host).encode();
            RequestHead forwarded = ForwardedHeads.request(request, ForwardedHeads.originForm(request.target()), host,
                    conn.clientIp(), conn.scheme().name(), upgrade);
            stream.getOutputStream().write(concat(header, forwarded.toBytes()));
        } catch (IOException e) {
            stream.reset();
            conn.refuse(ErrorPage.offline(tunnel.name(), host), accept());
            return false;
        }
        body = RequestBody.start(conn.reader(), framing, conn.httpLimits(), stream, upgrade);
        return relayResponse();
    }

    private boolean relayResponse() throws IOException {
        HttpReader agent = new HttpReader(stream.getInputStream());
        ResponseHead response;
        while (true) {
            try {
                response = agent.readResponseHead(conn.httpLimits());
            } catch (HttpException e) {
                return failBeforeResponse(ErrorPage.badResponse(tunnel.name(), host, e.getMessage()));
            } catch (IOException e) {
                return failBeforeResponse(ErrorPage.noResponse(tunnel.name(), host));
            }
            if (response == null) return failBeforeResponse(ErrorPage.noResponse(tunnel.name(), host));
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
        ResponseHead head = ForwardedHeads.response(response, keepAlive, http10);
        if (dechunk) head = head.withHeaders(head.headers().without("Transfer-Encoding"));
        if (!writeToClient(head.toBytes())) return false;
        InputStream responseBody = dechunk ? agent.body(framing, conn.httpLimits())
                : agent.rawBody(framing, conn.httpLimits());
        try {
            Pipe.copy(responseBody, conn.out());
        } catch (Pipe.WriteFailedException e) {
            return clientGone(e);
        } catch (IOException e) {
            // The agent failed mid-response: the client cannot be told but by a cut-short response.
            LOG.log(Level.DEBUG, () -> tunnel + ": response cut short: " + e);
            stream.reset();
            return false;
        }
        stream.close();
        // The response is complete. The connection can take another request once the request body is in too:
        // normally it is; a client still uploading to an agent that answered early gets the linger time to finish.
        boolean requestDone = body.await(conn.limits().lingerTimeout()) && body.completed();
        return keepAlive && requestDone;
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
