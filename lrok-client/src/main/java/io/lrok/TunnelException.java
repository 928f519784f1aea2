package io.lrok;

import java.io.IOException;
import java.util.Objects;

/**
 * A tunnel or a relay session could not be opened, with a stable {@link #code()} to act on and a message that says
 * what to do. The code is either one the relay sent (its wire name: {@code unauthorized},
 * {@code unsupported_version}, {@code subdomain_taken}, {@code subdomain_reserved}, {@code subdomain_invalid},
 * {@code limit_reached}, {@code bad_request}, {@code internal}, {@code unknown}) or one of the local codes below.
 * Codes never change meaning; new ones may be added.
 */
public class TunnelException extends IOException {

    /** No relay in the code, system properties, environment or config file, and no in-process relay on the class
     *  path. */
    public static final String NO_RELAY_CONFIGURED = "no_relay_configured";
    /** A configured relay address is malformed, or asks for plaintext to a host that is not loopback. */
    public static final String INVALID_RELAY_ADDRESS = "invalid_relay_address";
    /** The relay's TLS certificate was not accepted: not issued by a trusted authority, expired or not yet valid,
     *  or not for the relay's host name. The message says which, and what to do. */
    public static final String RELAY_UNTRUSTED = "relay_untrusted";
    /** The relay could not be reached: refused, unknown host, no route, connect timeout. */
    public static final String RELAY_UNREACHABLE = "relay_unreachable";
    /** The relay did not answer hello or a bind in time. */
    public static final String RELAY_TIMEOUT = "relay_timeout";
    /** The relay sent something this agent cannot read, or closed the connection during the handshake. */
    public static final String PROTOCOL_ERROR = "protocol_error";
    /** The session with the relay has ended (closed by this side or the relay) before the operation completed. */
    public static final String SESSION_CLOSED = "session_closed";
    /** The inspector could not listen on the port configured for it (in use, say). */
    public static final String INSPECTOR_UNAVAILABLE = "inspector_unavailable";

    private final String code;

    /**
     * @param code    the stable code: a relay's wire error name or one of this class's constants
     * @param message what happened and what to do, for a person
     */
    public TunnelException(String code, String message) {
        this(code, message, null);
    }

    /**
     * @param code    the stable code: a relay's wire error name or one of this class's constants
     * @param message what happened and what to do, for a person
     * @param cause   the underlying failure, or null
     */
    public TunnelException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** @return the stable code, such as {@code subdomain_taken} or {@code relay_unreachable} */
    public String code() {
        return code;
    }

    @Override
    public String toString() {
        return getClass().getName() + ": [" + code + "] " + getMessage();
    }
}
