package io.lrok.internal.relay;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Makes the relay's per-session secrets and ids. Tokens are checked by a {@code TokenVerifier} ({@link TokenTable},
 * {@link TokenFile}, or the embedder's own). Stateless.
 */
final class Authenticator {

    /** Random bytes in a resume secret: 128 bits, as docs/protocol.md §3 asks. */
    static final int RESUME_SECRET_BYTES = 16;
    /** Random bytes in a session id: for telling sessions apart in logs, not a secret. */
    static final int SESSION_ID_BYTES = 6;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Authenticator() {
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
}
