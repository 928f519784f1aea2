package io.lrok.internal.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Builds and signs one X.509 v3 certificate (RFC 5280) for {@link CertificateAuthority}: a CA certificate or a TLS
 * server certificate, with the extensions each needs and nothing else.
 *
 * @param subject    the subject's common name
 * @param subjectKey the key the certificate binds
 * @param issuer     the issuer's encoded Name, or null for a self-signed certificate (issuer = subject)
 * @param issuerKey  the issuer's public key, for the authority key identifier
 * @param signer     the issuer's private key
 * @param notBefore  start of validity
 * @param notAfter   end of validity
 * @param ca         true for a CA certificate, false for a server (leaf) certificate
 * @param names      the leaf's subjectAltNames: DNS names and IP address literals; empty for a CA
 */
record CertificateBuilder(String subject, PublicKey subjectKey, byte[] issuer, PublicKey issuerKey, PrivateKey signer,
        Instant notBefore, Instant notAfter, boolean ca, List<String> names) {

    private static final int V3 = 2; // the version field counts from 0
    private static final int SERIAL_BITS = 159; // RFC 5280 §4.1.2.2: positive, at most 20 octets
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    // RFC 5280 §4.2.1.3 keyUsage bits, and §4.2.1.6 GeneralName tags.
    private static final int DIGITAL_SIGNATURE = 0, KEY_ENCIPHERMENT = 2, KEY_CERT_SIGN = 5, CRL_SIGN = 6;
    private static final int DNS_NAME = 2, IP_ADDRESS = 7;

    /** @return the signed certificate, parsed by the JDK */
    X509Certificate sign() throws GeneralSecurityException {
        boolean rsa = signer.getAlgorithm().equals("RSA");
        byte[] signatureAlgorithm = rsa
                ? Der.sequence(Der.oid(Oids.SHA256_WITH_RSA), Der.nul()) // RFC 4055 §5: parameters NULL
                : Der.sequence(Der.oid(Oids.ECDSA_WITH_SHA256)); // RFC 5758 §3.2: parameters absent
        byte[] subjectName = name(subject);
        byte[] tbs = Der.sequence(
                Der.explicit(0, Der.integer(V3)),
                Der.integer(new BigInteger(SERIAL_BITS, RANDOM).add(BigInteger.ONE)),
                signatureAlgorithm,
                issuer == null ? subjectName : issuer,
                Der.sequence(Der.time(notBefore), Der.time(notAfter)),
                subjectName,
                subjectKey.getEncoded(),
                Der.explicit(3, extensions(rsa)));
        Signature signature = Signature.getInstance(rsa ? "SHA256withRSA" : "SHA256withECDSA");
        signature.initSign(signer);
        signature.update(tbs);
        byte[] certificate = Der.sequence(tbs, signatureAlgorithm, Der.bitString(signature.sign()));
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(certificate));
    }

    private byte[] extensions(boolean rsa) throws GeneralSecurityException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        if (ca) {
            all.writeBytes(extension(Oids.BASIC_CONSTRAINTS, true, Der.sequence(Der.bool(true))));
            all.writeBytes(extension(Oids.KEY_USAGE, true, Der.namedBits(DIGITAL_SIGNATURE, KEY_CERT_SIGN, CRL_SIGN)));
        } else {
            all.writeBytes(extension(Oids.BASIC_CONSTRAINTS, true, Der.sequence())); // cA defaults to FALSE
            // keyEncipherment only matters for RSA key exchange in TLS 1.2; TLS 1.3 signs with every key type.
            byte[] usage = rsa ? Der.namedBits(DIGITAL_SIGNATURE, KEY_ENCIPHERMENT) : Der.namedBits(DIGITAL_SIGNATURE);
            all.writeBytes(extension(Oids.KEY_USAGE, true, usage));
            all.writeBytes(extension(Oids.EXT_KEY_USAGE, false, Der.sequence(Der.oid(Oids.SERVER_AUTH))));
            all.writeBytes(extension(Oids.SUBJECT_ALT_NAME, false, subjectAltNames()));
        }
        all.writeBytes(extension(Oids.SUBJECT_KEY_IDENTIFIER, false, Der.octetString(keyIdentifier(subjectKey))));
        all.writeBytes(extension(Oids.AUTHORITY_KEY_IDENTIFIER, false,
                Der.sequence(Der.implicit(0, keyIdentifier(issuerKey)))));
        return Der.sequence(all.toByteArray());
    }

    private byte[] subjectAltNames() {
        if (names.isEmpty()) throw new IllegalArgumentException("a server certificate needs at least one name");
        ByteArrayOutputStream general = new ByteArrayOutputStream();
        for (String name : names) {
            if (isIpLiteral(name)) {
                general.writeBytes(Der.implicit(IP_ADDRESS, ipAddress(name)));
            } else {
                general.writeBytes(Der.implicit(DNS_NAME, name.getBytes(StandardCharsets.US_ASCII)));
            }
        }
        return Der.sequence(general.toByteArray());
    }

    /** @return whether {@code name} is an IPv4 or IPv6 address literal, not a DNS name */
    static boolean isIpLiteral(String name) {
        return IPV4.matcher(name).matches() || name.indexOf(':') >= 0;
    }

    private static byte[] ipAddress(String literal) {
        String bare = literal.startsWith("[") && literal.endsWith("]") ? literal.substring(1, literal.length() - 1)
                : literal;
        try {
            return InetAddress.getByName(bare).getAddress(); // a literal: no lookup happens
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + literal, e);
        }
    }

    private static byte[] extension(String oid, boolean critical, byte[] value) {
        return critical
                ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octetString(value))
                : Der.sequence(Der.oid(oid), Der.octetString(value)); // DER omits a DEFAULT FALSE
    }

    /** A Name with one CN attribute; and an O that says what made it, so nobody mistakes it for a real one. */
    private static byte[] name(String commonName) {
        return Der.sequence(
                Der.set(Der.sequence(Der.oid(Oids.ORGANIZATION), Der.utf8String("lrok development"))),
                Der.set(Der.sequence(Der.oid(Oids.COMMON_NAME), Der.utf8String(commonName))));
    }

    /** RFC 5280 §4.2.1.2 method 1: the SHA-1 of the subjectPublicKey BIT STRING's bytes. */
    static byte[] keyIdentifier(PublicKey key) throws GeneralSecurityException {
        try {
            DerReader info = new DerReader(key.getEncoded()).sequence();
            info.read(); // the AlgorithmIdentifier
            return MessageDigest.getInstance("SHA-1").digest(info.bitString());
        } catch (DerException e) {
            throw new GeneralSecurityException("public key is not a SubjectPublicKeyInfo: " + e.getMessage(), e);
        }
    }
}
