package io.lrok.internal.agent;

import io.lrok.internal.wire.ControlMessage.Bind;
import io.lrok.internal.wire.ControlMessage.Bound;
import io.lrok.internal.wire.Proto;
import io.lrok.internal.wire.StreamHeader;
import io.lrok.mux.MuxStream;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A tunnel of an {@link Agent}: an {@link HttpTunnel} or a {@link TcpTunnel}. It outlives the sessions it is bound
 * on: after a reconnect the agent binds it again, asking for the same subdomain or port, and it takes the new
 * session's {@link Binding}. The session's registry holds it by tunnel id, and every stream the relay opens for it
 * is handed to {@link #forward}.
 */
public abstract sealed class AgentTunnel permits HttpTunnel, TcpTunnel {
    private static final System.Logger LOG = System.getLogger(AgentTunnel.class.getName());

    /**
     * Where the tunnel is bound: the session, the tunnel id the relay gave it there, its public URL, and the
     * subdomain the relay says it holds (null for TCP, or a relay that does not say).
     */
    record Binding(AgentSession session, String id, URI publicUrl, String subdomain) {
    }

    private final Agent agent;
    /** The latest bound; null until the first. Replaced (never cleared) by a rebind after a reconnect. */
    private volatile Binding binding;
    private final AtomicBoolean open = new AtomicBoolean(true);
    /** False after its old name was lost: the next bind asks for a new one. */
    private volatile boolean keepName = true;

    AgentTunnel(Agent agent) {
        this.agent = agent;
    }

    /** @return the tunnel id the relay gave it in its latest session */
    public final String id() {
        return binding().id();
    }

    /** @return where the public reaches it */
    public final URI publicUrl() {
        return binding().publicUrl();
    }

    /** @return what it carries: the {@link StreamHeader#kind()} its streams must have */
    public abstract Proto proto();

    /** @return the local app it forwards to, such as {@code http://127.0.0.1:3000} or {@code tcp://127.0.0.1:5432} */
    public abstract URI localUrl();

    /** @return whether it is still wanted: not closed by its owner, the relay, or its agent's end (it may be between
     *          sessions, reconnecting) */
    public final boolean isOpen() {
        return open.get() && !agent.isClosed(); // the agent's close is the one moment a whole client closes at
    }

    /** @return the agent it belongs to */
    public final Agent agent() {
        return agent;
    }

    /** Closes the tunnel: tells the relay (unbind). Idempotent. */
    public final void close() {
        if (markClosed()) agent.tunnelClosed(this);
    }

    /**
     * The bind that asks for this tunnel: on a reconnect, for the subdomain or port it had, so that its URL stays.
     *
     * @param id     the bind's id in its session
     * @param domain the relay's domain from its welcome, or null
     * @return the bind
     */
    abstract Bind bindRequest(long id, String domain);

    /** @return whether its owner asked for its subdomain or port (rather than taking what the relay gave) */
    abstract boolean nameChosen();

    /**
     * Forwards one stream the relay opened for this tunnel; runs on the stream's thread, to the stream's end.
     *
     * @param stream the stream, its header read
     * @param header its header, of this tunnel's kind
     */
    abstract void forward(MuxStream stream, StreamHeader header);

    /** Frees what the tunnel holds locally (idle connections); called once, when it closes. */
    void released() {
    }

    /** The relay answered a bind for it in {@code session}: it is reachable there from now on. */
    final void bound(AgentSession session, Bound bound) {
        binding = new Binding(session, bound.tunnelId(), bound.publicUrl(), bound.subdomain());
        keepName = true;
    }

    /** @return whether its next bind asks for the subdomain or port it was given before */
    final boolean keepsName() {
        return keepName && isBound();
    }

    /** Its old subdomain or port went to someone else: the next bind takes whatever the relay gives. */
    final void forgetName() {
        keepName = false;
    }

    /** @return whether the relay has bound it at least once */
    final boolean isBound() {
        return binding != null;
    }

    /** @return the latest binding
     *  @throws IllegalStateException before the first bound */
    final Binding binding() {
        Binding current = binding;
        if (current == null) throw new IllegalStateException("not bound yet");
        return current;
    }

    /** @param reason why the relay or the agent closed it, for the log */
    final void closedBy(String reason) {
        if (markClosed()) LOG.log(Level.INFO, "tunnel {0} closed: {1}", publicUrl(), reason);
    }

    /** Its agent was closed by its owner: nothing to log. */
    final void closedQuietly() {
        markClosed();
    }

    private boolean markClosed() {
        if (!open.compareAndSet(true, false)) return false;
        released();
        return true;
    }
}
