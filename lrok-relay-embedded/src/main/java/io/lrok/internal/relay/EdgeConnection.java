package io.lrok.internal.relay;

import io.lrok.internal.http.HttpException;
import io.lrok.http.HttpLimits;
import io.lrok.internal.http.HttpReader;
import io.lrok.internal.http.RequestHead;
import io.lrok.mux.MuxStream;
import io.lrok.relay.RelayLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One public HTTP/1.1 connection at the edge: reads request after request (keep-alive), routes each by its own
 * Host, and hands it to an {@link Exchange}; answers what cannot be routed with an {@link ErrorPage}. Runs on the
 * connection's virtual thread; its caller closes the socket when {@link #run()} returns.
 *
 * <p>One reader: the connection's {@link HttpReader}, used by this thread, or by the request body's thread while
 * that runs. One writer: this thread.
 *
 * <p>Between requests it may keep the stream of the last exchange ({@link #keep}), for an agent that takes
 * successive requests on one stream: the next request goes on it if it is for the same tunnel, session and host
 * and the stream is still open; otherwise, and when the connection ends, the kept stream is closed. A keep-alive
 * connection then costs one stream, not one per request. Kept and taken on this thread only.
 */
final class EdgeConnection {
    private static final System.Logger LOG = System.getLogger(EdgeConnection.class.getName());

    /** Where a request goes. */
    interface Router {
        /**
         * @param host the request's Host (or the authority of an absolute target), as sent; null if it had none
         * @return the routable tunnel for it, or null; may wait a bounded time for a tunnel whose agent reconnects
         * @throws InterruptedException if interrupted while waiting
         */
        HttpTunnel route(String host) throws InterruptedException;

        /**
         * @param host the request's Host, as sent
         * @return whether a tunnel for it is kept for a reconnecting agent: then a failed route is 503, not 404
         */
        default boolean reconnecting(String host) {
            return false;
        }
    }

    /**
     * How the public client reached the relay, for the forwarding headers and the stream header.
     *
     * @param name         {@code http} or {@code https}
     * @param serverName   on HTTPS, the host name the client sent in SNI, which every request's Host must name;
     *                     null for none (no SNI, as for an IP address, or plain HTTP)
     * @param redirectPort on plain HTTP, the HTTPS port every request is redirected to (308); 0 for no redirect
     */
    record Scheme(String name, String serverName, int redirectPort) {
        /** Plain HTTP, served. */
        static final Scheme HTTP = new Scheme("http", null, 0);

        /** @param serverName the SNI host name, or null @return HTTPS, with that SNI */
        static Scheme https(String serverName) {
            return new Scheme("https", serverName == null ? null : Hosts.normalize(serverName), 0);
        }

        /** @param port the HTTPS port @return plain HTTP that redirects to HTTPS on that port */
        static Scheme redirectTo(int port) {
            return new Scheme("http", null, port);
        }
    }

    /** RFC 9110 §15.4.9: a permanent redirect that keeps the method and body. */
    static final int PERMANENT_REDIRECT = 308;
    /** The default HTTPS port, left out of redirect locations. */
    private static final int HTTPS_DEFAULT_PORT = 443;

    private final Socket socket;
    private final Scheme scheme;
    private final Router router;
    /** Whether the relay is shutting down: no new request is routed, and connections close after the exchange in
     *  progress. */
    private final BooleanSupplier relayClosing;
    private final RelayLimits limits;
    private final HttpLimits httpLimits;
    private final HeadTimer input;
    private final HttpReader reader;
    private final OutputStream out;
    private final String clientIp;
    private final String clientAddress;
    /** Set when the connection ends with nothing in flight (the client closed, or stayed idle): no linger then. */
    private boolean quietEnd;
    /** The stream of the last exchange, kept for the next request to the same tunnel; null if none. */
    private KeptStream kept;

    /** A stream kept between two requests, with what it was opened for and its reader (which may have read ahead). */
    record KeptStream(HttpTunnel tunnel, AgentSession session, String host, MuxStream stream, HttpReader reader) {
    }

    EdgeConnection(Socket socket, Router router, BooleanSupplier relayClosing, RelayLimits limits,
            HttpLimits httpLimits, Scheme scheme) throws IOException {
        this.socket = socket;
        this.scheme = scheme;
        this.router = router;
        this.relayClosing = relayClosing;
        this.limits = limits;
        this.httpLimits = httpLimits;
        this.input = new HeadTimer(socket);
        this.reader = new HttpReader(input);
        this.out = socket.getOutputStream();
        this.clientIp = ip(socket.getInetAddress());
        this.clientAddress = (clientIp.indexOf(':') >= 0 ? "[" + clientIp + "]" : clientIp) + ":" + socket.getPort();
    }

    /**
     * Serves requests until the connection is to be closed. Unless the client closed it or stayed idle, the close
     * is a lingering one: FIN first, then what the client still sends (a pipelined request after a
     * {@code Connection: close}) is read and dropped until it closes too, for at most the linger timeout; closing
     * with unread input would reset the connection and could destroy the end of the response on its way.
     */
    void run() {
        try {
            socket.setTcpNoDelay(true);
            while (serveOne() && !relayClosing.getAsBoolean()) {
                // next request on the same connection, unless the relay is shutting down
            }
            if (!quietEnd && !socket.isOutputShutdown()) {
                socket.shutdownOutput();
                linger(limits, socket);
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "public connection from " + clientAddress + " ended: " + e);
        } finally {
            dropKept();
        }
    }

    /**
     * Keeps an exchange's stream for the connection's next request (the exchange ended cleanly and the connection
     * stays open).
     */
    void keep(KeptStream stream) {
        dropKept();
        kept = stream;
    }

    /** @return the kept stream if the request routed to {@code tunnel} for {@code host} may use it, else null */
    private KeptStream takeKept(HttpTunnel tunnel, String host) {
        KeptStream k = kept;
        if (k == null) return null;
        kept = null;
        if (k.tunnel() == tunnel && k.session() == tunnel.session() && k.host().equals(host) && k.stream().isOpen()) {
            return k;
        }
        k.stream().close();
        return null;
    }

    /** @return whether {@code a} ends before {@code b}, zero meaning never */
    private static boolean shorter(Duration a, Duration b) {
        return !a.isZero() && (b.isZero() || a.compareTo(b) < 0);
    }

    private void dropKept() {
        KeptStream k = kept;
        kept = null;
        if (k != null) k.stream().close();
    }

    /** @return whether the connection may carry another request */
    private boolean serveOne() throws IOException {
        Duration idle = limits.idleTimeout();
        if (kept != null && reader.buffered() == 0 && shorter(limits.keptStreamIdle(), idle)) {
            // A quiet connection gives up its kept stream, so that it holds nothing at the agent, then waits on.
            input.awaitHead(limits.keptStreamIdle(), limits.headTimeout(), false);
            try {
                if (!reader.awaitInput()) {
                    quietEnd = true; // the client closed
                    return false;
                }
            } catch (SocketTimeoutException e) {
                dropKept();
                idle = idle.isZero() ? idle : idle.minus(limits.keptStreamIdle());
            }
        }
        input.awaitHead(idle, limits.headTimeout(), reader.buffered() > 0);
        RequestHead head;
        try {
            head = reader.readRequestHead(httpLimits);
        } catch (SocketTimeoutException e) {
            if (input.headStarted()) {
                refuse(ErrorPage.headTimeout(""), null);
            } else {
                quietEnd = true;
            }
            return false;
        } catch (HttpException e) {
            refuse(ErrorPage.badRequest(e.status(), e.getMessage(), ""), null);
            return false;
        }
        if (head == null) {
            quietEnd = true;
            return false;
        }
        input.noTimeout();
        String authority = ForwardedHeads.absoluteAuthority(head.target());
        String hostHeader = head.headers().get("Host");
        if (authority != null && hostHeader != null && !Hosts.normalize(authority).equals(Hosts.normalize(hostHeader))) {
            // RFC 9112 §3.2.2 has the target win, but a proxy in front of the relay may have routed (or checked)
            // by the Host: a request that names two hosts is refused rather than sent to either.
            refuse(ErrorPage.badRequest(400, "the request target names host " + authority + " but the Host header "
                    + hostHeader, ""), accept(head));
            return false;
        }
        String host = authority != null ? authority : hostHeader;
        if (head.method().equals("CONNECT")) {
            refuse(new ErrorPage(501, "the relay is not a forward proxy: CONNECT is not supported",
                    host == null ? "" : host, "Send requests to the tunnel's URL directly."), accept(head));
            return false;
        }
        if (scheme.redirectPort() > 0 && host != null) {
            redirect(host, head.target());
            return false;
        }
        if (scheme.serverName() != null && host != null && !Hosts.normalize(host).equals(scheme.serverName())) {
            refuse(ErrorPage.misdirected(host, scheme.serverName()), accept(head));
            return false;
        }
        if (relayClosing.getAsBoolean()) {
            refuse(ErrorPage.relayClosing(), accept(head));
            return false;
        }
        HttpTunnel tunnel;
        try {
            tunnel = router.route(host);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a reconnecting tunnel");
        }
        if (tunnel == null) {
            refuse(host == null ? ErrorPage.badRequest(400, "the request has no Host header, which the relay routes"
                    + " by", "") : router.reconnecting(host) ? ErrorPage.reconnecting(host)
                    : ErrorPage.noTunnel(host), accept(head));
            return false;
        }
        if (host == null) host = localAuthority();
        return new Exchange(this, head, tunnel, host, takeKept(tunnel, host)).run();
    }

    /** @return the request's Accept, which only an error page asks for (HTML or text) */
    private static String accept(RequestHead head) {
        return head.headers().get("Accept");
    }

    /**
     * Answers with an error page and prepares the close: stops writing, then reads and drops what the client still
     * sends, for at most the linger timeout, so that the close does not reset the connection before the page is
     * read. Failures are ignored: the client may be gone.
     *
     * @param page   the page
     * @param accept the request's Accept header, or null
     */
    void refuse(ErrorPage page, String accept) {
        LOG.log(Level.DEBUG, () -> "answering " + clientAddress + " with " + page.status() + ": " + page.problem());
        try {
            page.writeTo(out, ErrorPage.wantsHtml(accept));
            socket.shutdownOutput();
        } catch (IOException e) {
            return;
        }
        linger(limits, socket);
    }

    /** Answers 308 to the same host and target over HTTPS, and closes like {@link #refuse}. */
    private void redirect(String host, String target) {
        String origin = ForwardedHeads.originForm(target);
        String location = "https://" + Hosts.normalize(host)
                + (scheme.redirectPort() == HTTPS_DEFAULT_PORT ? "" : ":" + scheme.redirectPort())
                + (origin.startsWith("/") ? origin : "/");
        byte[] head = ("HTTP/1.1 " + PERMANENT_REDIRECT + " Permanent Redirect\r\nLocation: " + location
                + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        try {
            out.write(head);
            out.flush();
            socket.shutdownOutput();
        } catch (IOException e) {
            return;
        }
        linger(limits, socket);
    }

    /** Reads and drops input until EOF or the linger timeout; never throws. */
    static void linger(RelayLimits limits, Socket socket) {
        long deadline = System.nanoTime() + limits.lingerTimeout().toNanos();
        byte[] sink = new byte[Pipe.BUFFER_SIZE];
        try {
            InputStream raw = socket.getInputStream();
            while (true) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) return;
                socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
                if (raw.read(sink) < 0) return;
            }
        } catch (IOException e) {
            // timed out, or the client is gone: either way, done
        }
    }

    /** Answers a connection beyond the limit with 503, and lingers; the caller closes. */
    static void refuseBusy(Socket socket, RelayLimits limits) {
        try {
            ErrorPage.tooManyConnections().writeTo(socket.getOutputStream(), false);
            socket.shutdownOutput();
        } catch (IOException e) {
            return;
        }
        linger(limits, socket);
    }

    /** Answers a connection beyond its address's limit with 503, at once and without lingering; the caller closes. */
    static void refuseAddress(Socket socket) {
        try {
            ErrorPage.tooManyConnectionsFromAddress().writeTo(socket.getOutputStream(), false);
        } catch (IOException e) {
            // the client is gone, or not reading: it is being closed either way
        }
    }

    Socket socket() {
        return socket;
    }

    HttpReader reader() {
        return reader;
    }

    HeadTimer input() {
        return input;
    }

    OutputStream out() {
        return out;
    }

    /** @return how the client reached the relay */
    Scheme scheme() {
        return scheme;
    }

    RelayLimits limits() {
        return limits;
    }

    HttpLimits httpLimits() {
        return httpLimits;
    }

    /** @return the client's IP address, without brackets or port */
    String clientIp() {
        return clientIp;
    }

    /** @return the client's address as the stream header has it: {@code ip:port}, {@code [ipv6]:port} */
    String clientAddress() {
        return clientAddress;
    }

    private String localAuthority() {
        String ip = ip(socket.getLocalAddress());
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + socket.getLocalPort();
    }

    /** @return the address as text, without an IPv6 scope */
    static String ip(InetAddress address) {
        String ip = address.getHostAddress();
        int scope = ip.indexOf('%');
        return scope >= 0 ? ip.substring(0, scope) : ip;
    }

    /** @return the bound address of a listener as the host of a URL */
    static String urlHost(InetAddress address) {
        if (address.isAnyLocalAddress()) return "127.0.0.1";
        String ip = ip(address);
        return ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip;
    }
}
