package io.lrok.internal.agent;

import io.lrok.AgentConfig;
import io.lrok.TunnelException;
import io.lrok.internal.wire.ControlCodec;
import io.lrok.internal.wire.ControlMessage;
import io.lrok.internal.wire.ControlMessage.Bound;
import io.lrok.internal.wire.ControlMessage.ErrorMessage;
import io.lrok.internal.wire.ControlMessage.Shutdown;
import io.lrok.internal.wire.ControlMessage.Unbind;
import io.lrok.internal.wire.ControlMessage.Unknown;
import io.lrok.internal.wire.ControlMessage.Welcome;
import io.lrok.internal.wire.ErrorCode;
import io.lrok.internal.wire.StreamHeader;
import io.lrok.internal.wire.WireException;
import io.lrok.mux.MuxSession;
import io.lrok.mux.MuxStream;
import io.lrok.spi.RelayEndpoint;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The agent's session with one relay (docs/protocol.md §3, §5): binds tunnels over the control stream and forwards
 * every stream the relay opens to its tunnel.
 *
 * <p>Threads: one control reader (answers to binds, unbind, shutdown, error), one accept loop, and a virtual thread
 * per stream. Locking: {@code controlWriteLock} serialises writes to the control stream (one message at a time,
 * never held while reading); the {@link TunnelRegistry} has its own lock; pending binds are a concurrent map.
 *
 * <p>A session is one connection: when it ends (closed here, by the relay, or the connection lost) its pending binds
 * fail and its {@link Agent} is told, which dials a new session and binds the same tunnels on it. The tunnels
 * themselves belong to the agent and outlive the session.
 */
public final class AgentSession implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AgentSession.class.getName());
    /**
     * The longest {@link #close()} waits to hand the relay its shutdown notice: ample for a live connection on a
     * loaded machine (without the notice the relay keeps the names for a resume), short for a dead one.
     */
    private static final java.time.Duration CLOSE_NOTICE_WAIT = java.time.Duration.ofSeconds(2);

    private final MuxSession mux;
    private final MuxStream control;
    private final Welcome welcome;
    private final String relayAddress;
    private final AgentConfig config;
    private final Agent owner;
    private final TunnelRegistry tunnels = new TunnelRegistry();
    private final ReentrantLock controlWriteLock = new ReentrantLock();
    private final AtomicLong bindIds = new AtomicLong();
    private final Map<Long, PendingBind> pendingBinds = new ConcurrentHashMap<>();
    private final AtomicBoolean closedHere = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();

    /** A bind waiting for its answer: the tunnel it binds, and the caller's future. */
    private record PendingBind(AgentTunnel tunnel, CompletableFuture<AgentTunnel> result) {
    }

    private AgentSession(RelayDialer.Handshake handshake, String relayAddress, AgentConfig config, Agent owner) {
        this.mux = handshake.mux();
        this.control = handshake.control();
        this.welcome = handshake.welcome();
        this.relayAddress = relayAddress;
        this.config = config;
        this.owner = owner;
    }

    /**
     * Dials the relay and completes the handshake.
     *
     * @param relay  where to dial, and the token to present
     * @param config limits and timeouts
     * @param resume the welcome of the session to resume (docs/protocol.md §6), or null for a new one
     * @param owner  the agent this session serves: told of its end, of the relay's shutdown and of dropped tunnels
     * @return the open session
     * @throws TunnelException if the relay cannot be reached or refuses the session
     */
    static AgentSession connect(RelayEndpoint relay, AgentConfig config, Welcome resume, Agent owner)
            throws TunnelException {
        RelayDialer.Handshake handshake = RelayDialer.dial(relay, "lrok-java/" + AgentVersion.VERSION, config,
                resume);
        AgentSession session = new AgentSession(handshake, RelayDialer.describe(relay), config, owner);
        LOG.log(Level.DEBUG, "session {0} with relay {1} ({2}) open", session.welcome.sessionId(),
                session.welcome.relay(), session.relayAddress);
        Thread.ofVirtual().name("lrok-control-" + session.welcome.sessionId()).start(session::readControl);
        Thread.ofVirtual().name("lrok-accept-" + session.welcome.sessionId()).start(session::acceptStreams);
        session.mux.whenClosed().thenAccept(reason -> Thread.ofVirtual().name("lrok-session-end")
                .start(() -> session.sessionEnded(reason == null ? "closed" : reason.getMessage(), null)));
        return session;
    }

    /** @return the relay's welcome: session id, relay name, domain */
    public Welcome welcome() {
        return welcome;
    }

    /** @return whether the session is still up */
    public boolean isOpen() {
        return !ended.get() && !mux.isClosed();
    }

    /** @return the relay as a person would write it, such as {@code lrok://relay.example:4443} */
    String relayAddress() {
        return relayAddress;
    }

    /**
     * Binds a tunnel and waits for the relay's answer, at most {@link AgentConfig#bindTimeout()}; on success the
     * tunnel has this session's {@link AgentTunnel.Binding} and receives streams.
     *
     * @param tunnel the tunnel; on a rebind it asks for the subdomain or port it had
     * @throws TunnelException with the relay's code if it refused ({@code subdomain_taken}, {@code port_unavailable},
     *                         ...), or a local code for a timeout or a closed session
     */
    void bind(AgentTunnel tunnel) throws TunnelException {
        long id = bindIds.incrementAndGet();
        PendingBind pending = new PendingBind(tunnel, new CompletableFuture<>());
        tunnels.bindStarted();
        try {
            pendingBinds.put(id, pending);
            if (!isOpen()) throw sessionClosed();
            try {
                send(tunnel.bindRequest(id, welcome.domain()));
            } catch (IOException e) {
                throw sessionClosed();
            }
            awaitBound(id, pending);
        } finally {
            pendingBinds.remove(id);
            tunnels.bindEnded();
        }
    }

    private void awaitBound(long id, PendingBind pending) throws TunnelException {
        try {
            try {
                pending.result().get(config.bindTimeout().toNanos(), TimeUnit.NANOSECONDS);
                return;
            } catch (TimeoutException e) {
                if (pendingBinds.remove(id) != null) {
                    throw new TunnelException(TunnelException.RELAY_TIMEOUT, "the relay " + relayAddress
                            + " did not answer the bind within " + config.bindTimeout().toSeconds() + " s; try again");
                }
                pending.result().get(); // the control reader took the answer just now: it completes at once
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TunnelException t) throw t;
            throw new TunnelException(TunnelException.PROTOCOL_ERROR, "bind failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TunnelException(TunnelException.SESSION_CLOSED, "interrupted while waiting for the relay", e);
        }
    }

    /**
     * Closes the session: says so first (shutdown, then the end of the control stream) and lets the relay close the
     * connection, so that the relay has read the notice (a multiplexer drops unread data when its connection goes)
     * and releases the tunnels' names at once rather than keeping them for a resume; closes it here if the relay
     * has not within {@link #CLOSE_NOTICE_WAIT}. Idempotent; the owner is not told.
     */
    @Override
    public void close() {
        if (!closedHere.compareAndSet(false, true)) return;
        if (isOpen()) {
            Thread notice = Thread.ofVirtual().name("lrok-close-notice").start(() -> {
                sendQuietly(new Shutdown("agent closing", 0));
                try {
                    control.shutdownOutput();
                    mux.whenClosed().get(CLOSE_NOTICE_WAIT.toNanos(), TimeUnit.NANOSECONDS);
                } catch (IOException | ExecutionException | TimeoutException e) {
                    // the relay did not close in time, or the session is gone already: closed below
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                notice.join(CLOSE_NOTICE_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        control.close();
        mux.close();
        sessionEnded("closed by this agent", null);
    }

    /** Unbinds a tunnel its owner closed, if it is bound in this session. */
    void unbind(AgentTunnel tunnel) {
        if (!tunnel.isBound() || tunnel.binding().session() != this) return;
        if (tunnels.remove(tunnel.id()) == null || !isOpen()) return;
        try {
            send(new Unbind(tunnel.id()));
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "unbind of {0} not sent: {1}", tunnel.id(), e.getMessage());
        }
    }

    /** @return the number of tunnels bound now */
    int tunnelCount() {
        return tunnels.size();
    }

    private void send(ControlMessage message) throws IOException {
        controlWriteLock.lock();
        try {
            ControlCodec.write(control.getOutputStream(), message);
        } finally {
            controlWriteLock.unlock();
        }
    }

    // ---- control reader ------------------------------------------------------------------------------------

    private void readControl() {
        String end = "the relay closed the control stream";
        ErrorCode code = null;
        try {
            ControlMessage message;
            while ((message = ControlCodec.read(control.getInputStream())) != null) {
                String fatal = handle(message);
                if (fatal != null) {
                    end = fatal;
                    if (message instanceof ErrorMessage error) code = error.code();
                    break;
                }
            }
        } catch (WireException e) {
            end = "the relay sent a malformed control message: " + e.getMessage();
            refuse(e.getMessage());
        } catch (IOException e) {
            end = e.getMessage();
        }
        if (!closedHere.get()) {
            mux.close();
            sessionEnded(end, code);
        }
    }

    /**
     * Ends the session with {@code error(bad_request)}: sends it, half-closes the control stream, and waits up to
     * {@link AgentConfig#errorLinger()} for the relay to close the connection, so that it reads the error rather
     * than losing it with the connection; the caller then closes.
     */
    private void refuse(String why) {
        sendQuietly(new ErrorMessage(ErrorCode.BAD_REQUEST, why, null));
        try {
            control.shutdownOutput();
            mux.whenClosed().get(config.errorLinger().toNanos(), TimeUnit.NANOSECONDS);
        } catch (IOException | ExecutionException | TimeoutException e) {
            // the relay did not close in time, or the session is gone already: the caller closes it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return null to go on, or why the session must end */
    private String handle(ControlMessage message) {
        switch (message) {
            case Bound bound -> onBound(bound);
            case ErrorMessage error when error.id() != null -> onBindRefused(error);
            case ErrorMessage error -> {
                return "the relay ended the session: " + error.code().wireName() + ": " + error.message();
            }
            case Unbind unbind -> {
                AgentTunnel tunnel = tunnels.remove(unbind.tunnelId());
                if (tunnel != null) owner.tunnelDropped(tunnel, "the relay unbound it");
            }
            case Shutdown shutdown -> owner.relayShuttingDown(this, shutdown);
            case Unknown unknown -> LOG.log(Level.DEBUG, "ignored control message of unknown type {0}", unknown.type());
            default -> {
                String why = "unexpected " + message.type() + " message after the handshake";
                refuse(why);
                return "the relay sent an " + why;
            }
        }
        return null;
    }

    private void onBound(Bound bound) {
        PendingBind pending = pendingBinds.remove(bound.id());
        if (pending == null) { // we gave up waiting: the relay must not keep routing to it
            LOG.log(Level.DEBUG, "late bound {0} for bind {1}: unbinding", bound.tunnelId(), bound.id());
            sendQuietly(new Unbind(bound.tunnelId()));
            return;
        }
        AgentTunnel tunnel = pending.tunnel();
        tunnel.bound(this, bound);
        if (!tunnels.add(tunnel)) {
            pending.result().completeExceptionally(sessionClosed());
            return;
        }
        LOG.log(Level.DEBUG, "tunnel {0} bound in session {1} as {2}", bound.publicUrl(), welcome.sessionId(),
                bound.tunnelId());
        pending.result().complete(tunnel);
    }

    private void onBindRefused(ErrorMessage error) {
        PendingBind pending = pendingBinds.remove(error.id());
        if (pending == null) return; // the bind timed out already; its caller has been told
        String hint = switch (error.code()) {
            case SUBDOMAIN_TAKEN, SUBDOMAIN_RESERVED -> "; choose another subdomain, or none for a random one";
            case SUBDOMAIN_INVALID -> "; use 1 to 63 characters of a-z, 0-9 and '-', not at either end";
            case LIMIT_REACHED -> "; close other tunnels first";
            case PORT_UNAVAILABLE -> "; ask for another port, or none for one the relay picks";
            default -> "";
        };
        pending.result().completeExceptionally(new TunnelException(error.code().wireName(),
                "the relay refused the tunnel: " + error.code().wireName() + ": " + error.message() + hint));
    }

    private void sendQuietly(ControlMessage message) {
        try {
            send(message);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "control message not sent: {0}", e.getMessage());
        }
    }

    // ---- streams from the relay ------------------------------------------------------------------------------

    private void acceptStreams() {
        try {
            while (true) {
                MuxStream stream = mux.acceptStream();
                Thread.ofVirtual().name("lrok-stream-" + stream.id()).start(() -> serve(stream));
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "accept loop ended: {0}", e.getMessage());
        }
    }

    private void serve(MuxStream stream) {
        StreamHeader header;
        AgentTunnel tunnel;
        try {
            stream.setReadTimeout(config.streamHeaderTimeout());
            header = StreamHeader.read(stream.getInputStream());
            stream.setReadTimeout(java.time.Duration.ZERO);
            tunnel = tunnels.await(header.tunnelId(), config.bindTimeout());
            if (tunnel != null && tunnel.proto() != header.kind()) tunnel = null;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "resetting {0}: bad stream header: {1}", stream, e.getMessage());
            stream.reset();
            return;
        } catch (InterruptedException e) {
            stream.reset();
            return;
        }
        if (tunnel == null) {
            LOG.log(Level.WARNING, "resetting {0}: no {1} tunnel {2} in this session", stream,
                    header.kind().wireName(), header.tunnelId());
            stream.reset();
            return;
        }
        tunnel.forward(stream, header);
    }

    // ---- the end ---------------------------------------------------------------------------------------------

    /**
     * The session is over: fail pending binds, forget its tunnel ids, and tell the owner, unless the owner closed it.
     * Runs once.
     *
     * @param reason why, for the log and the owner's listeners
     * @param code   the relay's error code when it ended the session with an error, else null
     */
    private void sessionEnded(String reason, ErrorCode code) {
        if (!ended.compareAndSet(false, true)) return;
        tunnels.closeAll();
        for (PendingBind pending : pendingBinds.values()) pending.result().completeExceptionally(sessionClosed());
        if (closedHere.get()) {
            LOG.log(Level.DEBUG, "session {0} with relay {1} closed", welcome.sessionId(), relayAddress);
        } else {
            owner.sessionEnded(this, reason, code);
        }
    }

    private TunnelException sessionClosed() {
        return new TunnelException(TunnelException.SESSION_CLOSED, "the session with the relay " + relayAddress
                + " has ended; connect again");
    }

    @Override
    public String toString() {
        return "AgentSession[" + welcome.sessionId() + " " + relayAddress + ", tunnels=" + tunnels.size() + "]";
    }
}
