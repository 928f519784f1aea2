package io.lrok.internal.tls;

/** The object identifiers lrok's PEM and certificate code uses, in dotted form, with where each is defined. */
final class Oids {

    // Key algorithms (RFC 8017, RFC 5480, RFC 8410).
    static final String RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
    static final String RSASSA_PSS = "1.2.840.113549.1.1.10";
    static final String EC_PUBLIC_KEY = "1.2.840.10045.2.1";
    static final String X25519 = "1.3.101.110";
    static final String X448 = "1.3.101.111";
    static final String ED25519 = "1.3.101.112";
    static final String ED448 = "1.3.101.113";

    // Named curves (RFC 5480).
    static final String SECP256R1 = "1.2.840.10045.3.1.7";
    static final String SECP384R1 = "1.3.132.0.34";
    static final String SECP521R1 = "1.3.132.0.35";

    // Signature algorithms (RFC 5758, RFC 4055).
    static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
    static final String SHA256_WITH_RSA = "1.2.840.113549.1.1.11";

    // Names and extensions (RFC 5280).
    static final String COMMON_NAME = "2.5.4.3";
    static final String ORGANIZATION = "2.5.4.10";
    static final String SUBJECT_KEY_IDENTIFIER = "2.5.29.14";
    static final String KEY_USAGE = "2.5.29.15";
    static final String SUBJECT_ALT_NAME = "2.5.29.17";
    static final String BASIC_CONSTRAINTS = "2.5.29.19";
    static final String AUTHORITY_KEY_IDENTIFIER = "2.5.29.35";
    static final String EXT_KEY_USAGE = "2.5.29.37";
    static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    private Oids() {}

    /** @return the JCA KeyFactory name for a PKCS#8 AlgorithmIdentifier OID, or null if lrok does not know it */
    static String keyAlgorithm(String oid) {
        return switch (oid) {
            case RSA_ENCRYPTION -> "RSA";
            case RSASSA_PSS -> "RSASSA-PSS";
            case EC_PUBLIC_KEY -> "EC";
            case X25519 -> "X25519";
            case X448 -> "X448";
            case ED25519 -> "Ed25519";
            case ED448 -> "Ed448";
            default -> null;
        };
    }
}
