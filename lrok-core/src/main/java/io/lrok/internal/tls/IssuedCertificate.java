package io.lrok.internal.tls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * A server certificate from {@link CertificateAuthority#issue}, with its key.
 *
 * @param privateKey the leaf's private key
 * @param chain      the leaf certificate, then the CA certificate: what a server presents
 */
public record IssuedCertificate(PrivateKey privateKey, List<X509Certificate> chain) {

    /** The alias of the key entry in {@link #keyStore()}. */
    public static final String ALIAS = "lrok";

    /** The password of {@link #keyStore()} and its key entry; the store only ever lives in memory. */
    public static final String PASSWORD = "lrok";

    /** Copies the chain. */
    public IssuedCertificate {
        chain = List.copyOf(chain);
    }

    /** @return the leaf certificate */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** @return an in-memory PKCS#12 key store with one key entry, {@link #ALIAS}, password {@link #PASSWORD} */
    public KeyStore keyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException("cannot create an empty key store", e);
        }
        store.setKeyEntry(ALIAS, privateKey, PASSWORD.toCharArray(), chain.toArray(X509Certificate[]::new));
        return store;
    }

    /** @return a TLS 1.3 server context presenting this chain (apply {@link TlsContexts#serverParameters}) */
    public SSLContext serverContext() throws GeneralSecurityException {
        return TlsContexts.server(keyStore(), PASSWORD.toCharArray());
    }

    /** @return the chain as PEM, leaf first */
    public String chainPem() {
        return Pem.writeCertificates(chain);
    }

    /** @return the private key as a PKCS#8 PEM block */
    public String privateKeyPem() {
        return Pem.writePrivateKey(privateKey);
    }
}
