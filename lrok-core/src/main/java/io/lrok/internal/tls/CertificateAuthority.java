package io.lrok.internal.tls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * A throwaway certificate authority for development and tests: a self-signed CA made at runtime, which issues
 * TLS server certificates for DNS names and IP addresses. Nothing is written to disk; the CA's key lives as long as
 * this object. Not for production: its certificates say {@code O=lrok development}.
 *
 * <pre>{@code
 * CertificateAuthority ca = CertificateAuthority.create();
 * IssuedCertificate leaf = ca.issue("localhost", "127.0.0.1");
 * SSLContext server = leaf.serverContext();   // relay side
 * SSLContext client = ca.clientContext();     // agent side: trusts this CA only
 * }</pre>
 */
public final class CertificateAuthority {

    /** The key algorithms the CA and its certificates use; the same for both. */
    public enum KeyType {
        /** ECDSA on NIST P-256 (secp256r1), signing with SHA256withECDSA: small, fast, the default. */
        EC_P256,
        /** RSA with a 2048-bit modulus, signing with SHA256withRSA. */
        RSA_2048
    }

    /** How long before "now" certificates become valid, so a peer whose clock is a little behind accepts them. */
    public static final Duration CLOCK_SKEW = Duration.ofHours(1);
    /** How long the CA and, by default, its certificates stay valid. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(365);
    /** The CA's common name when none is given. */
    public static final String DEFAULT_NAME = "lrok development CA";

    private final KeyType keyType;
    private final KeyPair keyPair;
    private final X509Certificate certificate;

    private CertificateAuthority(KeyType keyType, KeyPair keyPair, X509Certificate certificate) {
        this.keyType = keyType;
        this.keyPair = keyPair;
        this.certificate = certificate;
    }

    /** @return a new EC P-256 CA named {@link #DEFAULT_NAME}, valid for {@link #DEFAULT_VALIDITY} */
    public static CertificateAuthority create() throws GeneralSecurityException {
        return create(KeyType.EC_P256, DEFAULT_NAME);
    }

    /** @return a new CA with the given key type and common name, valid for {@link #DEFAULT_VALIDITY} */
    public static CertificateAuthority create(KeyType keyType, String name) throws GeneralSecurityException {
        KeyPair keyPair = generate(keyType);
        Instant now = Instant.now();
        X509Certificate certificate = new CertificateBuilder(name, keyPair.getPublic(), null, keyPair.getPublic(),
                keyPair.getPrivate(), now.minus(CLOCK_SKEW), now.plus(DEFAULT_VALIDITY), true, List.of()).sign();
        return new CertificateAuthority(keyType, keyPair, certificate);
    }

    /** @return a server certificate for {@code names}, valid from {@link #CLOCK_SKEW} ago for {@link #DEFAULT_VALIDITY}
     */
    public IssuedCertificate issue(String... names) throws GeneralSecurityException {
        Instant now = Instant.now();
        return issue(List.of(names), now.minus(CLOCK_SKEW), now.plus(DEFAULT_VALIDITY));
    }

    /**
     * Issues a TLS server certificate (extendedKeyUsage serverAuth) with a new key of this CA's {@link KeyType}.
     *
     * @param names     DNS names ({@code localhost}, {@code *.lrok.test}) and IP address literals
     *                  ({@code 127.0.0.1}, {@code ::1}), in subjectAltName; the first is also the common name
     * @param notBefore start of validity
     * @param notAfter  end of validity; in the past for a test that needs an expired certificate
     * @return the key and the chain (leaf, CA)
     */
    public IssuedCertificate issue(List<String> names, Instant notBefore, Instant notAfter)
            throws GeneralSecurityException {
        if (names.isEmpty()) throw new IllegalArgumentException("a server certificate needs at least one name");
        KeyPair leaf = generate(keyType);
        X509Certificate issued = new CertificateBuilder(names.get(0), leaf.getPublic(),
                certificate.getSubjectX500Principal().getEncoded(), keyPair.getPublic(), keyPair.getPrivate(),
                notBefore, notAfter, false, List.copyOf(names)).sign();
        return new IssuedCertificate(leaf.getPrivate(), List.of(issued, certificate));
    }

    /** @return the CA's self-signed certificate */
    public X509Certificate certificate() {
        return certificate;
    }

    /** @return the CA's certificate as PEM, for {@code curl --cacert} or {@code openssl verify -CAfile} */
    public String certificatePem() {
        return Pem.writeCertificates(List.of(certificate));
    }

    /** @return an in-memory PKCS#12 key store holding only the CA's certificate, as a trusted entry */
    public KeyStore trustStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException("cannot create an empty key store", e);
        }
        store.setCertificateEntry("lrok-ca", certificate);
        return store;
    }

    /** @return a TLS 1.3 client context trusting only this CA (apply {@link TlsContexts#clientParameters}) */
    public SSLContext clientContext() throws GeneralSecurityException {
        return TlsContexts.client(trustStore());
    }

    private static KeyPair generate(KeyType keyType) throws GeneralSecurityException {
        KeyPairGenerator generator;
        switch (keyType) {
            case EC_P256 -> {
                generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            }
            case RSA_2048 -> {
                generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
            }
            default -> throw new AssertionError(keyType);
        }
        return generator.generateKeyPair();
    }
}
