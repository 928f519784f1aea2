package io.lrok.internal.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * {@link SSLContext}s and {@link SSLParameters} for lrok's TLS: TLS 1.3 only, and a client that checks the server's
 * name. An SSLContext cannot disable protocol versions by itself, so sockets and engines apply
 * {@link #serverParameters} or {@link #clientParameters} before the handshake.
 */
public final class TlsContexts {

    /** The only protocol version lrok speaks. */
    public static final String PROTOCOL = "TLSv1.3";

    // PKIX (the JDK's "NewSunX509") picks a key entry by SNI and key type, where the older SunX509 takes the first.
    private static final String KEY_MANAGER_ALGORITHM = "PKIX";
    private static final String TRUST_MANAGER_ALGORITHM = "PKIX";
    // RFC 2818/6125 name checks in JSSE: DNS names and IP addresses against the certificate's subjectAltNames.
    private static final String HOSTNAME_VERIFICATION = "HTTPS";

    private TlsContexts() {}

    /**
     * @param keyStore a key store holding the server's key and certificate chain
     * @param password the key entry's password
     * @return a context whose key managers present that chain
     */
    public static SSLContext server(KeyStore keyStore, char[] password) throws GeneralSecurityException {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KEY_MANAGER_ALGORITHM);
        keys.init(keyStore, password);
        SSLContext context = SSLContext.getInstance(PROTOCOL);
        context.init(keys.getKeyManagers(), null, null);
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
        context.init(null, trust.getTrustManagers(), null);
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
