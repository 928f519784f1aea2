package io.lrok.internal.tls;

import java.math.BigInteger;

/**
 * Turns the traditional OpenSSL private key encodings into PKCS#8 (RFC 5208), the one encoding the JDK's
 * {@code KeyFactory} reads: PKCS#1 RSA keys (RFC 8017 appendix A.1.2) and SEC1 EC keys (RFC 5915).
 */
final class Pkcs8 {

    // RFC 5915: ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, [0] parameters, [1] publicKey }
    private static final int EC_KEY_VERSION = 1;
    private static final int EC_PARAMETERS = Der.CONTEXT | Der.CONSTRUCTED;
    private static final int EC_PUBLIC_KEY = Der.CONTEXT | Der.CONSTRUCTED | 1;

    private Pkcs8() {}

    /**
     * @param pkcs1 an RSAPrivateKey structure, the content of a {@code BEGIN RSA PRIVATE KEY} block
     * @return the same key as PKCS#8 PrivateKeyInfo
     * @throws DerException if it is not a DER SEQUENCE starting with a version
     */
    static byte[] fromPkcs1(byte[] pkcs1) throws DerException {
        DerReader outer = new DerReader(pkcs1);
        DerReader key = outer.sequence();
        outer.end();
        key.integer(); // version: 0, or 1 for multi-prime; the KeyFactory checks the rest
        // RFC 8017 appendix A.1: rsaEncryption's parameters are NULL.
        return Der.sequence(Der.integer(0), Der.sequence(Der.oid(Oids.RSA_ENCRYPTION), Der.nul()),
                Der.octetString(pkcs1));
    }

    /**
     * @param sec1 an ECPrivateKey structure, the content of a {@code BEGIN EC PRIVATE KEY} block
     * @return the same key as PKCS#8 PrivateKeyInfo, its curve named in the AlgorithmIdentifier
     * @throws DerException if it is malformed, or has no named curve (none at all, or explicit parameters)
     */
    static byte[] fromSec1(byte[] sec1) throws DerException {
        DerReader outer = new DerReader(sec1);
        DerReader key = outer.sequence();
        outer.end();
        if (!key.integer().equals(BigInteger.valueOf(EC_KEY_VERSION))) {
            throw new DerException("EC private key version is not 1", 0);
        }
        byte[] privateKey = key.octetString();
        String curve = null;
        byte[] publicKey = null;
        if (key.peekTag() == EC_PARAMETERS) {
            DerReader.Tlv parameters = key.read();
            DerReader choice = parameters.reader();
            if (choice.peekTag() != Der.OID) {
                throw new DerException("explicit EC curve parameters are not supported; use a named curve",
                        parameters.offset());
            }
            curve = choice.oid();
            choice.end();
        }
        if (key.peekTag() == EC_PUBLIC_KEY) publicKey = key.read().content();
        key.end();
        if (curve == null) throw new DerException("EC private key names no curve", 0);
        // PKCS#8 names the curve in the AlgorithmIdentifier, so the inner key leaves its [0] out, as OpenSSL does.
        byte[] inner = publicKey == null
                ? Der.sequence(Der.integer(EC_KEY_VERSION), Der.octetString(privateKey))
                : Der.sequence(Der.integer(EC_KEY_VERSION), Der.octetString(privateKey),
                        Der.tlv(EC_PUBLIC_KEY, publicKey));
        return Der.sequence(Der.integer(0), Der.sequence(Der.oid(Oids.EC_PUBLIC_KEY), Der.oid(curve)),
                Der.octetString(inner));
    }

    /**
     * @param pkcs8 a PrivateKeyInfo (or RFC 5958 OneAsymmetricKey)
     * @return the OID of its key algorithm
     * @throws DerException if it does not start like one
     */
    static String algorithmOid(byte[] pkcs8) throws DerException {
        DerReader info = new DerReader(pkcs8).sequence();
        info.integer(); // 0, or 1 for OneAsymmetricKey with a public key
        return info.sequence().oid();
    }
}
