package io.lrok.internal.relay;

import io.lrok.internal.tls.TlsContexts;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
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
 */
public record RelayTls(ServerCertificates agentCertificates, ServerCertificates httpsCertificates, int httpsPort,
        boolean redirectToHttps) {

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
    }

    /**
     * Layers server-side TLS 1.3 over an accepted connection and runs the handshake.
     *
     * @param plain   the accepted TCP connection
     * @param context the server context
     * @param timeout the longest the handshake may take
     * @param alpn    the application protocols to offer, or none
     * @return the TLS socket, handshake done, without a read timeout
     * @throws IOException if the handshake fails or times out; the caller closes {@code plain}
     */
    static SSLSocket accept(Socket plain, SSLContext context, Duration timeout, String... alpn) throws IOException {
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, null, true);
        SSLParameters parameters = TlsContexts.serverParameters(context);
        if (alpn.length > 0) parameters.setApplicationProtocols(alpn);
        tls.setSSLParameters(parameters);
        tls.setUseClientMode(false);
        plain.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
        tls.startHandshake();
        plain.setSoTimeout(0);
        return tls;
    }
}
