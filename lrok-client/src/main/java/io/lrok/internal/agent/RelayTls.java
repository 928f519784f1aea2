package io.lrok.internal.agent;

import io.lrok.TunnelException;
import io.lrok.internal.tls.PinnedCertificateException;
import io.lrok.internal.tls.TlsContexts;
import io.lrok.internal.wire.Protocol;
import io.lrok.spi.RelayEndpoint;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The agent's side of TLS to the relay (docs/protocol.md §1): TLS 1.3 only, the relay's certificate verified against
 * the endpoint's {@link RelayEndpoint#sslContext() context} (or the JDK's default trust store), and its name against
 * the host dialed. A refused certificate is a {@link TunnelException#RELAY_UNTRUSTED} that says why and what to do.
 * It offers {@link Protocol#ALPN_ID} in ALPN, and accepts a relay that selects it or none.
 */
final class RelayTls {

    private RelayTls() {
    }

    /**
     * Layers TLS over a connected socket and runs the handshake by the deadline.
     *
     * @param plain    the TCP connection to the relay; closed on failure
     * @param relay    the relay, its host name (checked against the certificate) and trust
     * @param address  the relay as a person writes it, for messages
     * @param deadline {@link System#nanoTime()} by which the whole handshake must be done
     * @return the TLS socket, handshake done, without a read timeout
     * @throws TunnelException {@code relay_untrusted} for a refused certificate, {@code relay_timeout},
     *                         {@code protocol_error} for another handshake failure
     */
    static SSLSocket handshake(Socket plain, RelayEndpoint relay, String address, long deadline)
            throws TunnelException {
        try {
            SSLContext context = relay.sslContext().isPresent() ? relay.sslContext().get() : SSLContext.getDefault();
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, relay.host(), relay.port(), true);
            SSLParameters parameters = TlsContexts.clientParameters(context);
            // the lrok protocol's ALPN id: a relay serving agents and the public on one port picks the agent by it
            parameters.setApplicationProtocols(new String[] {Protocol.ALPN_ID});
            tls.setSSLParameters(parameters);
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            plain.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left)));
            tls.startHandshake();
            plain.setSoTimeout(0);
            return tls;
        } catch (NoSuchAlgorithmException e) {
            close(plain);
            throw new TunnelException(TunnelException.PROTOCOL_ERROR, "this JDK has no TLS 1.3: " + e.getMessage(), e);
        } catch (SocketTimeoutException e) {
            close(plain);
            throw new TunnelException(TunnelException.RELAY_TIMEOUT, "the relay " + address + " did not complete the "
                    + "TLS handshake in time; is it an lrok relay that speaks TLS (lrok://), and healthy?", e);
        } catch (SSLHandshakeException e) {
            close(plain);
            String why = untrusted(e, relay.host());
            if (why != null) {
                throw new TunnelException(TunnelException.RELAY_UNTRUSTED, "the relay " + address + " was not "
                        + "trusted: " + why, e);
            }
            if (refusedAlpn(e)) {
                throw new TunnelException(TunnelException.PROTOCOL_ERROR, "the port " + address + " does not "
                        + "serve lrok agents: its TLS handshake refused the lrok protocol (ALPN " + Protocol.ALPN_ID
                        + "), as a public HTTPS port does; dial the relay's agent port, or have its operator let "
                        + "agents share the HTTPS port (--agents-on-https-port)", e);
            }
            throw new TunnelException(TunnelException.PROTOCOL_ERROR, "the TLS handshake with the relay " + address
                    + " failed: " + e.getMessage() + "; the relay must speak TLS 1.3 on its agent port (use "
                    + "lrok+plain:// only for a plaintext relay on this machine)", e);
        } catch (SSLException e) {
            close(plain);
            throw new TunnelException(TunnelException.PROTOCOL_ERROR, "the TLS handshake with the relay " + address
                    + " failed: " + e.getMessage() + "; is it an lrok relay that speaks TLS (lrok://)?", e);
        } catch (IOException e) {
            close(plain);
            throw new TunnelException(TunnelException.PROTOCOL_ERROR, "the relay " + address + " closed the "
                    + "connection during the TLS handshake (" + e.getMessage() + "); is it an lrok relay that speaks "
                    + "TLS (lrok://)?", e);
        }
    }

    /** @return whether the failure is the peer's {@code no_application_protocol} alert: it speaks no lrok */
    static boolean refusedAlpn(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).contains("no_application_protocol")) return true;
        }
        return false;
    }

    /**
     * @return why the relay's certificate was refused, with what to do; null if the failure is not about it
     */
    static String untrusted(Throwable failure, String host) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CertificateExpiredException
                    || t instanceof CertPathValidatorException v && v.getReason()
                            == CertPathValidatorException.BasicReason.EXPIRED) {
                return "its certificate has expired (" + t.getMessage() + "); the relay's operator must renew it "
                        + "(and check this machine's clock)";
            }
            if (t instanceof CertificateNotYetValidException
                    || t instanceof CertPathValidatorException v && v.getReason()
                            == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
                return "its certificate is not valid yet (" + t.getMessage() + "); check this machine's clock";
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PinnedCertificateException) {
                return "its certificate is not the one this agent was given to expect (" + t.getMessage() + "): "
                        + "another relay answers at this address, or the relay was started again with a new "
                        + "certificate; give the agent the endpoint of the relay that runs there now";
            }
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (message.contains("no subject alternative") || message.contains("no name matching")) {
                return "its certificate is not for the host name " + host + " (" + t.getMessage() + "); dial the "
                        + "relay by a name its certificate lists, or have its operator add " + host + " to it";
            }
            if (t instanceof CertPathValidatorException || message.contains("unable to find valid certification path")
                    || t.getClass().getName().endsWith("SunCertPathBuilderException")) {
                return "its certificate is not issued by an authority this agent trusts (" + t.getMessage() + "); "
                        + "give the agent the relay's CA certificate with trustedCertificates(Path) or "
                        + "trustStore(KeyStore), or use a relay with a publicly trusted certificate";
            }
        }
        return null;
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
