package io.lrok.internal.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * {@link SSLContext}s and {@link SSLParameters} for lrok's TLS: TLS 1.3 only, and a client that checks the server's
 * name. An SSLContext cannot disable protocol versions by itself, so sockets and engines apply
 * {@link #serverParameters} or {@link #clientParameters} before the handshake.
 *
 * <p>Each context is given every manager it uses, never null: for a null the JDK makes its defaults, and the
 * default trust managers read the JDK's whole {@code cacerts} file, which a relay (it asks no client for a
 * certificate) and an agent that trusts only the certificates it was given never consult.
 */
public final class TlsContexts {

    /** The only protocol version lrok speaks. */
    public static final String PROTOCOL = "TLSv1.3";

    private static final String TRUST_MANAGER_ALGORITHM = "PKIX";
    // RFC 2818/6125 name checks in JSSE: DNS names and IP addresses against the certificate's subjectAltNames.
    private static final String HOSTNAME_VERIFICATION = "HTTPS";

    private TlsContexts() {}

    /**
     * @param key   the server's private key, held as it is (no key store: see {@link FixedKeyManager})
     * @param chain its certificate chain, leaf first
     * @return a context that presents that chain, and trusts no client certificate (none is asked for)
     * @throws IllegalArgumentException if the chain is empty
     */
    public static SSLContext server(PrivateKey key, List<X509Certificate> chain) throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance(PROTOCOL);
        context.init(new KeyManager[] {new FixedKeyManager(key, chain)}, new TrustManager[0], null);
        return context;
    }

    /**
     * @param trustStore the certificates to trust, and nothing else (not the JDK's cacerts)
     * @return a context whose trust managers accept only chains ending at one of them
     */
    public static SSLContext client(KeyStore trustStore) throws GeneralSecurityException {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TRUST_MANAGER_ALGORITHM);
        trust.init(trustStore);
        SSLContext context = SSLContext.getInstance(PROTOCOL);
        context.init(new KeyManager[0], trust.getTrustManagers(), null); // no client certificate to present
        return context;
    }

    /**
     * @param certificates the server certificates to accept, byte for byte (see {@link PinnedTrustManager})
     * @return a context that accepts a server only if it presents one of them, valid now
     * @throws IllegalArgumentException if there is none
     */
    public static SSLContext pinning(List<X509Certificate> certificates) throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance(PROTOCOL);
        context.init(new KeyManager[0], new TrustManager[] {new PinnedTrustManager(certificates)}, null);
        return context;
    }

    /** @return the context's defaults restricted to TLS 1.3; for {@code SSLServerSocket}s and server engines */
    public static SSLParameters serverParameters(SSLContext context) {
        SSLParameters parameters = context.getDefaultSSLParameters();
        parameters.setProtocols(new String[] {PROTOCOL});
        return parameters;
    }

    /**
     * @return the context's defaults restricted to TLS 1.3, with hostname verification on: the handshake fails
     *         unless the certificate names the host the socket was created for (a DNS name or an IP address)
     */
    public static SSLParameters clientParameters(SSLContext context) {
        SSLParameters parameters = serverParameters(context);
        parameters.setEndpointIdentificationAlgorithm(HOSTNAME_VERIFICATION);
        return parameters;
    }
}
