package io.lrok.internal.wire;

import java.time.Duration;

/**
 * The lrok wire protocol, version {@value #VERSION}: its constants, and the version rule both ends apply. The
 * protocol runs on yamux ({@link io.lrok.mux}); docs/protocol.md is its full specification.
 *
 * <ul>
 *   <li>The agent (yamux client) opens the first stream, the control stream, and writes {@link ControlMessage}s on
 *       it with {@link ControlCodec}: hello, then binds; the relay answers welcome, bound, or error.
 *   <li>For every public HTTP exchange or TCP connection the relay opens a stream, writes a {@link StreamHeader},
 *       and then the raw bytes of the exchange follow in both directions.
 * </ul>
 *
 * Both message kinds are framed alike: a {@value #LENGTH_PREFIX_SIZE}-byte big-endian unsigned length, then that
 * many bytes of one UTF-8 JSON object.
 */
public final class Protocol {

    /** The version this code speaks; sent in hello, echoed in welcome. Bumped for any change an old peer would
     *  misread; additions an old peer may ignore (new fields, new message types) keep the version. */
    public static final int VERSION = 1;

    /** The TLS application protocol (ALPN, RFC 7301) id of this protocol: every agent offers it, and a relay whose
     *  public HTTPS port is shared with agents gives the agent session to a client that offers it (docs/protocol.md
     *  §1). Tied to {@link #VERSION}: a version that an old peer would misread gets an id of its own. */
    public static final String ALPN_ID = "lrok/" + VERSION;

    /** The hello feature (docs/protocol.md §3, §5) by which an agent says it can take successive HTTP requests on
     *  one stream: a relay that sees it carries a public keep-alive connection's requests to the same tunnel on one
     *  stream, each request and response delimited by its own HTTP framing, instead of a stream per request. */
    public static final String FEATURE_HTTP_STREAM_REUSE = "http-stream-reuse";

    /** Bytes of the big-endian unsigned length before every control message and stream header. */
    public static final int LENGTH_PREFIX_SIZE = 4;

    /** The largest control message body in bytes (the JSON, without the length prefix); a longer length is a
     *  protocol error, reported before anything is allocated. */
    public static final int MAX_CONTROL_MESSAGE = 64 * 1024;

    /** The largest stream header body in bytes (the JSON, without the length prefix). */
    public static final int MAX_STREAM_HEADER = 16 * 1024;

    /** How long the whole handshake may take, from TCP connect to welcome (TLS, hello, welcome): the relay closes
     *  a connection that has not sent hello by then, the agent gives up on a relay that has not answered. */
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    /** How long an agent waits for the bound or error that answers one of its binds. */
    public static final Duration BIND_TIMEOUT = Duration.ofSeconds(10);

    /** The largest bind id: 2<sup>53</sup> − 1, so ids stay exact in any JSON implementation (JavaScript's too). */
    public static final long MAX_ID = (1L << 53) - 1;

    /** How long a relay keeps a dropped session's tunnels reserved for a resuming agent, unless configured
     *  otherwise; an agent that has been away longer starts a new session. */
    public static final Duration DEFAULT_RESUME_GRACE = Duration.ofMinutes(2);

    private Protocol() {
    }

    /**
     * The relay's side of version negotiation: called with the version of an agent's hello. A relay that gets a
     * message back answers {@code error(unsupported_version, message)} and closes the session; the check comes
     * before authentication, so an outdated agent learns the real reason.
     *
     * @param agentVersion the version the agent sent
     * @return null when this relay speaks it, otherwise the message for the error
     */
    public static String checkVersion(int agentVersion) {
        if (agentVersion == VERSION) return null;
        return "relay speaks lrok protocol " + VERSION + ", agent sent " + agentVersion;
    }

    /**
     * The agent's side of the handshake: turns the relay's answer to hello into a welcome or a clear failure.
     *
     * @param reply the first control message from the relay, null if it closed the stream instead
     * @return the welcome
     * @throws WireException with {@link WireException#code()} {@link ErrorCode#UNSUPPORTED_VERSION} when the
     *                       versions differ (reported by the relay or found in its welcome), the relay's code when
     *                       it refused the session, and no code for any other reply
     */
    public static ControlMessage.Welcome expectWelcome(ControlMessage reply) throws WireException {
        return switch (reply) {
            case ControlMessage.Welcome w when w.version() == VERSION -> w;
            case ControlMessage.Welcome w -> throw new WireException(ErrorCode.UNSUPPORTED_VERSION,
                    "the relay answered with lrok protocol " + w.version() + ", this agent speaks " + VERSION);
            case ControlMessage.ErrorMessage e when e.code() == ErrorCode.UNSUPPORTED_VERSION ->
                    throw new WireException(e.code(), "the relay does not support this agent's lrok protocol "
                            + VERSION + " (relay said: " + e.message() + "); use an lrok version that matches it");
            case ControlMessage.ErrorMessage e -> throw new WireException(e.code(),
                    "the relay refused the session: " + e.code().wireName() + ": " + e.message());
            case null -> throw new WireException("the relay closed the control stream without answering hello");
            default -> throw new WireException("expected welcome or error from the relay, got " + reply.type());
        };
    }
}
