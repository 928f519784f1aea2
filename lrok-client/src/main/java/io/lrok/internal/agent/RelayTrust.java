package io.lrok.internal.agent;

import io.lrok.internal.tls.Pem;
import io.lrok.internal.tls.TlsContexts;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import io.lrok.spi.RelayEndpoint;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS contexts that say which relay certificates the agent trusts, from what the user gave the builder.
 */
public final class RelayTrust {

    private RelayTrust() {
    }

    /**
     * @param pem a PEM file of one or more CA (or self-signed relay) certificates
     * @return a TLS 1.3 client context trusting those certificates only
     * @throws IllegalArgumentException if the file cannot be read, holds no certificate, or cannot make a context
     */
    public static SSLContext trusting(Path pem) {
        List<X509Certificate> certificates;
        try {
            certificates = Pem.readCertificates(pem);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the trusted certificates: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) throw new IllegalArgumentException(pem + " holds no certificate");
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < certificates.size(); i++) store.setCertificateEntry("trusted-" + i, certificates.get(i));
            return TlsContexts.client(store);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot trust the certificates in " + pem + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param trustStore the certificates to trust
     * @return a TLS 1.3 client context trusting those certificates only
     * @throws IllegalArgumentException if no context can be made from the store
     */
    public static SSLContext trusting(KeyStore trustStore) {
        try {
            return TlsContexts.client(trustStore);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot trust the key store: " + e.getMessage(), e);
        }
    }

    /**
     * @return a context that accepts any certificate for any name: encryption without authentication, for a
     *         development relay on loopback only (the builder checks that)
     */
    public static SSLContext trustingAnything() {
        try {
            SSLContext context = SSLContext.getInstance(TlsContexts.PROTOCOL);
            context.init(null, new TrustManager[] {new TrustAnything()}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a TLS context: " + e.getMessage(), e);
        }
    }

    /**
     * @param relay a relay
     * @param trust the context to verify it with
     * @return the relay, verified with {@code trust} in place of its own {@link RelayEndpoint#sslContext()}
     */
    public static RelayEndpoint withTrust(RelayEndpoint relay, SSLContext trust) {
        return adjusted(relay, null, trust);
    }

    /**
     * @param relay a relay
     * @param token the token to present in place of the relay's own, or null to keep it
     * @param trust the context to verify it with in place of its own, or null to keep it
     * @return the relay with this token and trust where they are not null
     */
    public static RelayEndpoint adjusted(RelayEndpoint relay, String token, SSLContext trust) {
        return new RelayEndpoint() {
            @Override
            public String host() {
                return relay.host();
            }

            @Override
            public int port() {
                return relay.port();
            }

            @Override
            public boolean tls() {
                return relay.tls();
            }

            @Override
            public Optional<SSLContext> sslContext() {
                return trust != null ? Optional.of(trust) : relay.sslContext();
            }

            @Override
            public Optional<String> authToken() {
                return token != null ? Optional.of(token) : relay.authToken();
            }

            @Override
            public String toString() {
                return relay.toString();
            }
        };
    }

    /** Accepts every chain and, being an extended trust manager, skips the host name check too. */
    private static final class TrustAnything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            // anything
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            // anything
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // anything
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
