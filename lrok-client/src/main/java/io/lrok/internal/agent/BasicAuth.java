package io.lrok.internal.agent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;

/**
 * HTTP Basic authentication in front of a tunnel (RFC 7617): a request whose {@code Authorization} is not the
 * configured user and password is answered 401 by the agent and never reaches the local app. The credentials are
 * kept only as a SHA-256 digest of the expected header value and compared in constant time. Immutable.
 */
public final class BasicAuth {
    /** The realm the 401 names, which browsers show in their password prompt. */
    static final String REALM = "lrok";

    private final byte[] expectedDigest;
    private final String user;

    /**
     * @param user     the user name: not empty, no ':' (RFC 7617 has no way to carry one)
     * @param password the password: not empty
     * @throws IllegalArgumentException if either is unusable
     */
    public BasicAuth(String user, String password) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (user.isEmpty() || user.indexOf(':') >= 0) {
            throw new IllegalArgumentException("the basic-auth user must be non-empty and contain no ':'");
        }
        if (password.isEmpty()) throw new IllegalArgumentException("the basic-auth password must not be empty");
        String token = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.expectedDigest = digest(token);
        this.user = user;
    }

    /**
     * @param authorization the request's {@code Authorization} field, or null if it had none
     * @return whether it carries these credentials
     */
    boolean accepts(String authorization) {
        if (authorization == null) return false;
        String value = authorization.strip();
        int space = value.indexOf(' ');
        if (space < 0 || !value.substring(0, space).toLowerCase(Locale.ROOT).equals("basic")) return false;
        return MessageDigest.isEqual(expectedDigest, digest(value.substring(space + 1).strip()));
    }

    /** @return the {@code WWW-Authenticate} challenge of a 401 */
    static String challenge() {
        return "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"";
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public String toString() {
        return "BasicAuth[" + user + ", password hidden]";
    }
}
