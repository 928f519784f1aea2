package io.lrok.internal.relay;

import io.lrok.internal.tls.TlsContexts;
import io.lrok.internal.wire.Protocol;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The relay's TLS settings, beside its {@link RelayConfig}; made by {@code EmbeddedRelay.Builder}.
 *
 * @param agentCertificates  what the agent port presents; null for a plaintext agent port (loopback agents only)
 * @param httpsCertificates  what the public HTTPS port presents; null for no HTTPS edge
 * @param httpsPort          the shared public HTTPS port, 0 for a free one (ignored without HTTPS)
 * @param redirectToHttps    whether the public HTTP port answers every request with a 308 to the HTTPS one
 * @param agentsOnHttpsPort  whether agents may dial the public HTTPS port too: a client offering {@link
 *                           Protocol#ALPN_ID} in ALPN gets the agent session there, any other the HTTPS edge
 */
public record RelayTls(ServerCertificates agentCertificates, ServerCertificates httpsCertificates, int httpsPort,
        boolean redirectToHttps, boolean agentsOnHttpsPort) {

    /** The one application protocol the public HTTPS edge offers in ALPN. */
    static final String ALPN_HTTP_1_1 = "http/1.1";

    /** No TLS anywhere: a plaintext agent port, no HTTPS edge. */
    public static final RelayTls NONE = new RelayTls(null, null, 0, false);

    /** Checks the values. */
    public RelayTls {
        if (httpsPort < 0 || httpsPort > 65_535) throw new IllegalArgumentException("httpsPort must be 0 to 65535");
        if (redirectToHttps && httpsCertificates == null) {
            throw new IllegalArgumentException("redirecting to HTTPS needs an HTTPS certificate");
        }
        if (agentsOnHttpsPort && httpsCertificates == null) {
            throw new IllegalArgumentException("agents on the HTTPS port need an HTTPS certificate");
        }
    }

    /**
     * Settings whose HTTPS port serves the public only.
     *
     * @param agentCertificates what the agent port presents; null for a plaintext agent port
     * @param httpsCertificates what the public HTTPS port presents; null for no HTTPS edge
     * @param httpsPort         the shared public HTTPS port, 0 for a free one
     * @param redirectToHttps   whether the public HTTP port redirects to HTTPS
     */
    public RelayTls(ServerCertificates agentCertificates, ServerCertificates httpsCertificates, int httpsPort,
            boolean redirectToHttps) {
        this(agentCertificates, httpsCertificates, httpsPort, redirectToHttps, false);
    }

    /**
     * The same settings, with agents admitted on the public HTTPS port.
     *
     * @return a copy whose {@link #agentsOnHttpsPort()} is true
     * @throws IllegalArgumentException if there is no HTTPS port
     */
    public RelayTls withAgentsOnHttpsPort() {
        return new RelayTls(agentCertificates, httpsCertificates, httpsPort, redirectToHttps, true);
    }

    /**
     * The application protocol a shared port (agents and the public on one port) selects from what the client
     * offers: the agent protocol for a client that offers it, whatever else it offers; else HTTP/1.1.
     *
     * @param offered the client's ALPN list, in its order; the handshake calls this only when the client sent one
     * @return {@link Protocol#ALPN_ID}, {@value #ALPN_HTTP_1_1}, or null when the client offers neither (such as an
     *         {@code h2}-only client): the handshake then fails with {@code no_application_protocol}, as on an HTTPS
     *         port that is not shared
     */
    static String selectOnSharedPort(List<String> offered) {
        if (offered.contains(Protocol.ALPN_ID)) return Protocol.ALPN_ID;
        if (offered.contains(ALPN_HTTP_1_1)) return ALPN_HTTP_1_1;
        return null;
    }

    /**
     * The application protocol the agent port selects: the agent protocol when offered, else none, so that the port
     * serves agents with or without ALPN, and any other TLS client (a health check) as before.
     *
     * @param offered the client's ALPN list
     * @return {@link Protocol#ALPN_ID}, or the empty string: no application protocol, the handshake goes on
     */
    static String selectOnAgentPort(List<String> offered) {
        return offered.contains(Protocol.ALPN_ID) ? Protocol.ALPN_ID : "";
    }

    /**
     * Runs the server-side handshake of a shared port, where ALPN tells an agent from a public client.
     *
     * @param plain   the accepted TCP connection
     * @param context the server context (the public certificate)
     * @param timeout the longest the handshake may take; zero for no bound
     * @return the TLS socket, handshake done; an agent's when {@link #isAgent} says so
     * @throws IOException if the handshake fails or times out; the caller closes {@code plain}
     */
    static SSLSocket acceptShared(Socket plain, SSLContext context, Duration timeout) throws IOException {
        return accept(plain, context, timeout, RelayTls::selectOnSharedPort);
    }

    /**
     * Runs the server-side handshake of the agent port ({@link #selectOnAgentPort}).
     *
     * @param plain   the accepted TCP connection
     * @param context the server context
     * @param timeout the longest the handshake may take; zero for no bound
     * @return the TLS socket, handshake done, without a read timeout
     * @throws IOException if the handshake fails or times out; the caller closes {@code plain}
     */
    static SSLSocket acceptAgent(Socket plain, SSLContext context, Duration timeout) throws IOException {
        return accept(plain, context, timeout, RelayTls::selectOnAgentPort);
    }

    private static SSLSocket accept(Socket plain, SSLContext context, Duration timeout,
            Function<List<String>, String> selector) throws IOException {
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, null, true);
        tls.setSSLParameters(TlsContexts.serverParameters(context));
        tls.setHandshakeApplicationProtocolSelector((socket, offered) -> selector.apply(offered));
        return handshake(plain, tls, timeout);
    }

    /**
     * @param socket a socket whose handshake is done
     * @return whether the client chose the agent protocol in ALPN
     */
    static boolean isAgent(SSLSocket socket) {
        return Protocol.ALPN_ID.equals(socket.getApplicationProtocol());
    }

    /**
     * Layers server-side TLS 1.3 over an accepted connection and runs the handshake.
     *
     * @param plain   the accepted TCP connection
     * @param context the server context
     * @param timeout the longest the handshake may take; zero for no bound
     * @param alpn    the application protocols to offer, or none
     * @return the TLS socket, handshake done, without a read timeout
     * @throws IOException if the handshake fails or times out; the caller closes {@code plain}
     */
    static SSLSocket accept(Socket plain, SSLContext context, Duration timeout, String... alpn) throws IOException {
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, null, true);
        SSLParameters parameters = TlsContexts.serverParameters(context);
        if (alpn.length > 0) parameters.setApplicationProtocols(alpn);
        tls.setSSLParameters(parameters);
        return handshake(plain, tls, timeout);
    }

    private static SSLSocket handshake(Socket plain, SSLSocket tls, Duration timeout) throws IOException {
        tls.setUseClientMode(false);
        // zero is "no bound" (a headTimeout of zero), not the shortest bound
        plain.setSoTimeout(timeout.isZero() ? 0 : (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
        tls.startHandshake();
        plain.setSoTimeout(0);
        return tls;
    }
}
