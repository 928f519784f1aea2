package io.lrok.internal.tls;

import java.security.GeneralSecurityException;
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

    /** Copies the chain. */
    public IssuedCertificate {
        chain = List.copyOf(chain);
    }

    /** @return the leaf certificate */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** @return a TLS 1.3 server context presenting this chain (apply {@link TlsContexts#serverParameters}) */
    public SSLContext serverContext() throws GeneralSecurityException {
        return TlsContexts.server(privateKey, chain);
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
