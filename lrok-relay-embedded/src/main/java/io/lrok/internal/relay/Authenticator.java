package io.lrok.internal.relay;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/**
 * Checks agents' tokens, and makes the relay's secrets. Tokens are kept only as SHA-256 digests and compared in
 * constant time, against every configured token whatever matched, so that the time taken tells nothing about a
 * token. Nothing here logs a token. Immutable.
 */
final class Authenticator {

    /** Random bytes in a resume secret: 128 bits, as docs/protocol.md §3 asks. */
    static final int RESUME_SECRET_BYTES = 16;
    /** Random bytes in a session id: for telling sessions apart in logs, not a secret. */
    static final int SESSION_ID_BYTES = 6;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final List<byte[]> digests;

    /** @param tokens the accepted tokens; empty accepts every agent */
    Authenticator(Collection<String> tokens) {
        List<byte[]> list = new ArrayList<>(tokens.size());
        for (String token : tokens) {
            if (token == null || token.isBlank()) throw new IllegalArgumentException("empty token");
            list.add(digest(token));
        }
        this.digests = List.copyOf(list);
    }

    /** @return whether agents need a token */
    boolean required() {
        return !digests.isEmpty();
    }

    /**
     * @param token the token from a hello, may be null
     * @return whether it is accepted: any token when none is configured, else one of them
     */
    boolean accepts(String token) {
        if (digests.isEmpty()) return true;
        if (token == null) return false;
        byte[] presented = digest(token);
        boolean match = false;
        for (byte[] d : digests) match |= MessageDigest.isEqual(d, presented);
        return match;
    }

    /** @return a new resume secret: {@value #RESUME_SECRET_BYTES} random bytes, base64url without padding */
    static String newResumeSecret() {
        byte[] b = new byte[RESUME_SECRET_BYTES];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** @return a new session id such as {@code s-5f2c9a01b3d4} */
    static String newSessionId() {
        byte[] b = new byte[SESSION_ID_BYTES];
        RANDOM.nextBytes(b);
        return "s-" + HexFormat.of().formatHex(b);
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
