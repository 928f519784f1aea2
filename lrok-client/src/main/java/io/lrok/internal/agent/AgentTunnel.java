package io.lrok.internal.agent;

import io.lrok.internal.wire.Proto;
import io.lrok.internal.wire.StreamHeader;
import io.lrok.mux.MuxStream;
import java.net.URI;

/**
 * A tunnel an {@link AgentSession} has bound: an {@link HttpTunnel} or a {@link TcpTunnel}. The session's registry
 * holds it by tunnel id, and every stream the relay opens for it is handed to {@link #forward}.
 */
public sealed interface AgentTunnel permits HttpTunnel, TcpTunnel {

    /** @return the tunnel id the relay gave it */
    String id();

    /** @return what it carries: the {@link StreamHeader#kind()} its streams must have */
    Proto proto();

    /** @return where the public reaches it */
    URI publicUrl();

    /** @return the local app it forwards to, such as {@code http://127.0.0.1:3000} or {@code tcp://127.0.0.1:5432} */
    URI localUrl();

    /** @return whether it still forwards: not closed by its owner, the relay, or the session's end */
    boolean isOpen();

    /** Closes the tunnel: tells the relay (unbind). Idempotent. */
    void close();

    /**
     * Forwards one stream the relay opened for this tunnel; runs on the stream's thread, to the stream's end.
     *
     * @param stream the stream, its header read
     * @param header its header, of this tunnel's kind
     */
    void forward(MuxStream stream, StreamHeader header);

    /** @param reason why the relay or the session closed the tunnel, for the log */
    void closedBy(String reason);

    /** The session this agent closed took the tunnel with it: nothing to log. */
    void closedQuietly();
}
