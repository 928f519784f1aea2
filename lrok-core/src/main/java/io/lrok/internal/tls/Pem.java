package io.lrok.internal.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads and writes PEM (RFC 7468): certificates, and private keys as PKCS#8, PKCS#1 RSA or SEC1 EC. Text outside
 * {@code -----BEGIN}/{@code -----END} lines is ignored, so files with comments or OpenSSL's "Bag Attributes" lines
 * read fine; what is inside a block must be right. Encrypted keys are refused: lrok reads no passphrases.
 */
public final class Pem {

    /** Labels of the blocks lrok reads and writes. */
    public static final String CERTIFICATE = "CERTIFICATE", PRIVATE_KEY = "PRIVATE KEY",
            RSA_PRIVATE_KEY = "RSA PRIVATE KEY", EC_PRIVATE_KEY = "EC PRIVATE KEY",
            ENCRYPTED_PRIVATE_KEY = "ENCRYPTED PRIVATE KEY";

    private static final int LINE_LENGTH = 64; // RFC 7468 §2: writers wrap base64 at 64 characters

    private Pem() {}

    /**
     * Reads every certificate, in the order they appear: a leaf, then its chain, as servers present them.
     * Other blocks (a key in the same file, say) are skipped.
     *
     * @throws PemException if a block is malformed, a certificate invalid, or there are no certificates
     */
    public static List<X509Certificate> readCertificates(String pem) throws PemException {
        List<X509Certificate> certificates = new ArrayList<>();
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("the JDK has no X.509 CertificateFactory", e);
        }
        for (PemBlock block : PemBlock.parse(pem)) {
            if (!block.label().equals(CERTIFICATE)) continue;
            ByteArrayInputStream in = new ByteArrayInputStream(block.der());
            try {
                certificates.add((X509Certificate) factory.generateCertificate(in));
            } catch (CertificateException e) {
                throw new PemException(block.where() + " is not a valid X.509 certificate: " + e.getMessage(), e);
            }
            if (in.available() > 0) throw new PemException(block.where() + " has bytes after the certificate");
        }
        if (certificates.isEmpty()) throw new PemException("no " + CERTIFICATE + " block found");
        return List.copyOf(certificates);
    }

    /** Reads certificates from a file, like {@link #readCertificates(String)}; errors name the file. */
    public static List<X509Certificate> readCertificates(Path file) throws IOException {
        String text = read(file);
        try {
            return readCertificates(text);
        } catch (PemException e) {
            throw new PemException(file + ": " + e.getMessage(), e.getCause());
        }
    }

    /**
     * Reads the one private key in {@code pem}: PKCS#8 ({@code PRIVATE KEY}) of any algorithm the JDK knows,
     * PKCS#1 RSA ({@code RSA PRIVATE KEY}) or SEC1 EC with a named curve ({@code EC PRIVATE KEY}). Other blocks
     * (certificates, {@code EC PARAMETERS}) are skipped.
     *
     * @throws PemException if there is no key or more than one, the key is encrypted, or it is malformed
     */
    public static PrivateKey readPrivateKey(String pem) throws PemException {
        PemBlock key = null;
        for (PemBlock block : PemBlock.parse(pem)) {
            if (!block.label().endsWith(PRIVATE_KEY)) continue;
            if (key != null) throw new PemException("more than one private key: " + key.where() + ", " + block.where());
            key = block;
        }
        if (key == null) throw new PemException("no private key block found");
        if (key.label().equals(ENCRYPTED_PRIVATE_KEY) || key.encrypted()) {
            throw new PemException(key.where() + " is encrypted; lrok reads only unencrypted keys"
                    + " (decrypt it with: openssl pkey -in key.pem -out key-plain.pem)");
        }
        byte[] pkcs8;
        String algorithm;
        try {
            pkcs8 = switch (key.label()) {
                case PRIVATE_KEY -> key.der();
                case RSA_PRIVATE_KEY -> Pkcs8.fromPkcs1(key.der());
                case EC_PRIVATE_KEY -> Pkcs8.fromSec1(key.der());
                default -> throw new PemException(key.where() + ": unsupported key type; convert it to PKCS#8"
                        + " (openssl pkey -in key.pem -out key-pkcs8.pem)");
            };
            String oid = Pkcs8.algorithmOid(pkcs8);
            algorithm = Oids.keyAlgorithm(oid);
            if (algorithm == null) throw new PemException(key.where() + ": unsupported key algorithm " + oid);
        } catch (DerException e) {
            throw new PemException(key.where() + " is malformed: " + e.getMessage(), e);
        }
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new PemException(key.where() + " is not a valid " + algorithm + " key: " + e.getMessage(), e);
        }
    }

    /** Reads the one private key in a file, like {@link #readPrivateKey(String)}; errors name the file. */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        String text = read(file);
        try {
            return readPrivateKey(text);
        } catch (PemException e) {
            throw new PemException(file + ": " + e.getMessage(), e.getCause());
        }
    }

    /** @return the certificates as consecutive {@code CERTIFICATE} blocks, in order */
    public static String writeCertificates(List<X509Certificate> certificates) {
        StringBuilder pem = new StringBuilder();
        for (X509Certificate certificate : certificates) {
            try {
                pem.append(write(CERTIFICATE, certificate.getEncoded()));
            } catch (CertificateException e) {
                throw new IllegalArgumentException("certificate cannot be encoded: " + e.getMessage(), e);
            }
        }
        return pem.toString();
    }

    /** @return the key as one PKCS#8 {@code PRIVATE KEY} block @throws IllegalArgumentException if not PKCS#8 */
    public static String writePrivateKey(PrivateKey key) {
        if (!"PKCS#8".equals(key.getFormat()) || key.getEncoded() == null) {
            throw new IllegalArgumentException("key has no PKCS#8 encoding: " + key.getFormat());
        }
        return write(PRIVATE_KEY, key.getEncoded());
    }

    /** @return one block: {@code -----BEGIN label-----}, base64 in 64-character lines, {@code -----END label-----} */
    public static String write(String label, byte[] der) {
        String base64 = Base64.getEncoder().encodeToString(der);
        StringBuilder pem = new StringBuilder("-----BEGIN ").append(label).append("-----\n");
        for (int i = 0; i < base64.length(); i += LINE_LENGTH) {
            pem.append(base64, i, Math.min(base64.length(), i + LINE_LENGTH)).append('\n');
        }
        return pem.append("-----END ").append(label).append("-----\n").toString();
    }

    private static String read(Path file) throws IOException {
        // ISO-8859-1 maps every byte to a char, so junk outside the blocks never fails decoding.
        return Files.readString(file, StandardCharsets.ISO_8859_1);
    }
}
