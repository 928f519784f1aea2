package io.lrok.internal.wire;

/**
 * The code of an {@link ControlMessage.ErrorMessage}. Wire names are stable: never rename one, only add. A code
 * this version does not know (from a newer peer) decodes to {@link #UNKNOWN}, with the original name kept at the
 * start of the message.
 */
public enum ErrorCode {
    /** The token is missing, wrong or revoked. Answers a hello; the relay then closes the session. */
    UNAUTHORIZED("unauthorized"),
    /** The relay does not speak the agent's protocol version. Answers a hello; the relay then closes. */
    UNSUPPORTED_VERSION("unsupported_version"),
    /** Another session holds the subdomain (or holds it reserved for a reconnect). Answers a bind. */
    SUBDOMAIN_TAKEN("subdomain_taken"),
    /** The relay keeps the subdomain for itself or for another account. Answers a bind. */
    SUBDOMAIN_RESERVED("subdomain_reserved"),
    /** The subdomain is not a valid DNS label ({@link Names#isValidSubdomain}). Answers a bind. */
    SUBDOMAIN_INVALID("subdomain_invalid"),
    /** The TCP port is in use, outside the relay's range, or no port is free. Answers a bind. */
    PORT_UNAVAILABLE("port_unavailable"),
    /** Too many tunnels, sessions or streams for this token or relay. Answers a bind or a hello. */
    LIMIT_REACHED("limit_reached"),
    /** The message was malformed or made no sense (a TCP bind with a subdomain, say). */
    BAD_REQUEST("bad_request"),
    /** The sender failed; retrying later may work. */
    INTERNAL("internal"),
    /** A code this version does not know; the message starts with the code as sent. Not to be sent. */
    UNKNOWN("unknown");

    private final String wireName;

    ErrorCode(String wireName) {
        this.wireName = wireName;
    }

    /** @return the name on the wire, such as {@code subdomain_taken} */
    public String wireName() {
        return wireName;
    }

    /** @param name a wire name @return the constant, {@link #UNKNOWN} for a name this version does not know */
    public static ErrorCode fromWire(String name) {
        for (ErrorCode c : values()) {
            if (c.wireName.equals(name)) return c;
        }
        return UNKNOWN;
    }
}
