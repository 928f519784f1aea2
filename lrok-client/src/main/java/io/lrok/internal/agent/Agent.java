package io.lrok.internal.agent;

import io.lrok.AgentConfig;
import io.lrok.ConnectionEvent;
import io.lrok.ConnectionListener;
import io.lrok.ConnectionState;
import io.lrok.ReconnectPolicy;
import io.lrok.TunnelException;
import io.lrok.internal.wire.ControlMessage.Shutdown;
import io.lrok.internal.wire.ControlMessage.Welcome;
import io.lrok.internal.wire.ErrorCode;
import io.lrok.spi.RelayEndpoint;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The agent: a connection to one relay that stays up. It holds the tunnels; an {@link AgentSession} is one
 * connection they are bound on. When a session is lost (relay restart, network cut, a heartbeat that went
 * unanswered) or the relay announces its shutdown, the agent dials again following its {@link ReconnectPolicy},
 * asks the relay to resume the session (docs/protocol.md §6) so that it gets the same names back, binds every tunnel
 * again with the subdomain or port it had, and tells its {@link ConnectionListener}s each step.
 *
 * <p>Locking: {@code lock} guards {@code session}, {@code state}, {@code tunnels}, {@code lastWelcome},
 * {@code reconnecting} and {@code closed}; {@code changed} is signalled when {@code session} or {@code closed}
 * changes. Dialling and binding happen outside the lock. Listeners are called one at a time, in order, on the
 * agent's event thread, never under the lock.
 */
public final class Agent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Agent.class.getName());

    /** Codes after which dialling again cannot help: the relay does not want this agent, or cannot be trusted. */
    private static final Set<String> FINAL_CODES = Set.of(ErrorCode.UNAUTHORIZED.wireName(),
            ErrorCode.UNSUPPORTED_VERSION.wireName(), TunnelException.RELAY_UNTRUSTED,
            TunnelException.INVALID_RELAY_ADDRESS);
    /** Codes of a rebind whose old subdomain or port went to someone else while the agent was away. */
    private static final Set<String> NAME_LOST_CODES = Set.of(ErrorCode.SUBDOMAIN_TAKEN.wireName(),
            ErrorCode.SUBDOMAIN_RESERVED.wireName(), ErrorCode.PORT_UNAVAILABLE.wireName());

    private final RelayEndpoint relay;
    private final AgentConfig config;
    private final List<ConnectionListener> listeners;
    private final ExecutorService events;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** The session tunnels are bound on; null while reconnecting. */
    private AgentSession session;
    private ConnectionState state = ConnectionState.CONNECTED;
    private final List<AgentTunnel> tunnels = new ArrayList<>();
    /** The latest welcome: its session id and secret resume the session after a reconnect. */
    private Welcome lastWelcome;
    /** Whether a reconnect loop is running (at most one is). */
    private boolean reconnecting;
    private boolean closed;

    private Agent(RelayEndpoint relay, AgentConfig config, List<ConnectionListener> listeners) {
        this.relay = relay;
        this.config = config;
        this.listeners = List.copyOf(listeners);
        this.events = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("lrok-connection-events").factory());
    }

    /**
     * Connects to the relay. The first connection is not retried: a relay that cannot be reached now is an error
     * for the caller to see, not something to wait for silently.
     *
     * @param relay     where to dial, and the token to present
     * @param config    limits, timeouts, heartbeat and reconnect policy
     * @param listeners told of every state change from now on
     * @return the connected agent
     * @throws TunnelException if the relay cannot be reached or refuses the session
     */
    public static Agent connect(RelayEndpoint relay, AgentConfig config, List<ConnectionListener> listeners)
            throws TunnelException {
        Agent agent = new Agent(relay, config, listeners);
        try {
            AgentSession first = AgentSession.connect(relay, config, null, agent);
            agent.lock.lock();
            try {
                agent.session = first;
                agent.lastWelcome = first.welcome();
            } finally {
                agent.lock.unlock();
            }
            LOG.log(Level.DEBUG, "connected to relay {0} ({1}), session {2}", first.welcome().relay(),
                    first.relayAddress(), first.welcome().sessionId());
            agent.publish(ConnectionState.CONNECTED, "connected to relay " + first.relayAddress(), null, 0,
                    Duration.ZERO);
            return agent;
        } catch (TunnelException | RuntimeException e) {
            agent.events.shutdown();
            throw e;
        }
    }

    /** @return the connection's state now */
    public ConnectionState state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    /** @return the relay as a person would write it */
    public String relayAddress() {
        return RelayDialer.describe(relay);
    }

    /**
     * Binds an HTTP tunnel; while reconnecting, waits for the next session (at most the bind timeout).
     *
     * @param spec the tunnel's settings
     * @return the bound tunnel, already receiving exchanges
     * @throws TunnelException with the relay's code if it refused, or a local code for a timeout or a closed agent
     */
    public HttpTunnel bind(HttpTunnelSpec spec) throws TunnelException {
        HttpTunnel tunnel = new HttpTunnel(this, spec, config);
        bind(tunnel);
        return tunnel;
    }

    /**
     * Binds a TCP tunnel; while reconnecting, waits for the next session (at most the bind timeout).
     *
     * @param spec the tunnel's settings
     * @return the bound tunnel, already receiving connections
     * @throws TunnelException with the relay's code if it refused ({@code port_unavailable}: the port asked for is
     *                         taken or not offered), or a local code for a timeout or a closed agent
     */
    public TcpTunnel bindTcp(TcpTunnelSpec spec) throws TunnelException {
        TcpTunnel tunnel = new TcpTunnel(this, spec, config);
        bind(tunnel);
        return tunnel;
    }

    private void bind(AgentTunnel tunnel) throws TunnelException {
        long deadline = System.nanoTime() + config.bindTimeout().toNanos();
        while (true) {
            AgentSession current = awaitSession(deadline);
            try {
                current.bind(tunnel);
            } catch (TunnelException e) {
                // the session died under the bind: try the next one while there is time
                if (e.code().equals(TunnelException.SESSION_CLOSED) && System.nanoTime() < deadline && !isClosed()) {
                    continue;
                }
                throw e;
            }
            lock.lock();
            try {
                if (closed) {
                    current.unbind(tunnel);
                    throw closedException();
                }
                // Bound on the current session, or on one that has just been lost: then the reconnect loop, which
                // rebinds every tunnel not bound on its new session, takes this one too.
                if (session == current || session == null) {
                    tunnels.add(tunnel);
                    LOG.log(Level.INFO, "tunnel {0} -> {1}", tunnel.publicUrl(), tunnel.localUrl());
                    return;
                }
            } finally {
                lock.unlock();
            }
            current.unbind(tunnel); // bound on a draining session while a new one came up: bind it there instead
        }
    }

    /** Waits until there is a session to bind on. */
    private AgentSession awaitSession(long deadline) throws TunnelException {
        lock.lock();
        try {
            while (true) {
                if (closed) throw closedException();
                if (session != null && session.isOpen()) return session;
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TunnelException(TunnelException.RELAY_TIMEOUT, "the connection to the relay "
                            + relayAddress() + " is being re-established and was not back within "
                            + config.bindTimeout().toSeconds() + " s; try again");
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TunnelException(TunnelException.SESSION_CLOSED, "interrupted while waiting for the relay", e);
        } finally {
            lock.unlock();
        }
    }

    /** Closes the agent: its session (the relay drops the tunnels) and every tunnel. Idempotent. */
    @Override
    public void close() {
        closeWith(null);
    }

    /** @return whether the agent has closed, for good */
    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** @return the number of tunnels it holds */
    public int tunnelCount() {
        lock.lock();
        try {
            return tunnels.size();
        } finally {
            lock.unlock();
        }
    }

    // ---- from the tunnels and sessions -------------------------------------------------------------------------

    /** Its owner closed a tunnel: forget it, and unbind it from the session it is bound on. */
    void tunnelClosed(AgentTunnel tunnel) {
        lock.lock();
        try {
            tunnels.remove(tunnel);
        } finally {
            lock.unlock();
        }
        if (tunnel.isBound()) tunnel.binding().session().unbind(tunnel);
    }

    /** The relay unbound a tunnel: it is closed for good, not rebound after a reconnect. */
    void tunnelDropped(AgentTunnel tunnel, String reason) {
        lock.lock();
        try {
            tunnels.remove(tunnel);
        } finally {
            lock.unlock();
        }
        tunnel.closedBy(reason);
    }

    /**
     * A session ended without this agent closing it.
     *
     * @param ended  the session
     * @param reason why, for a person
     * @param code   the relay's error code if it ended the session with an error, else null
     */
    void sessionEnded(AgentSession ended, String reason, ErrorCode code) {
        TunnelException cause = new TunnelException(code != null ? code.wireName() : TunnelException.SESSION_CLOSED,
                "the session with the relay " + ended.relayAddress() + " ended: " + reason);
        lock.lock();
        try {
            if (ended != session) return; // a session the agent had already left (drained after a shutdown notice)
            session = null;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        LOG.log(Level.WARNING, "connection to relay {0} lost: {1}", ended.relayAddress(), reason);
        connectionLost(cause);
    }

    /**
     * The relay will close the session soon: move to a new session now (the old one finishes its exchanges), so
     * that public traffic moves over without a gap.
     */
    void relayShuttingDown(AgentSession draining, Shutdown shutdown) {
        LOG.log(Level.INFO, "relay {0} is shutting down within {1} ms ({2}); reconnecting", draining.relayAddress(),
                shutdown.graceMillis(), shutdown.reason());
        lock.lock();
        try {
            if (draining != session) return;
            if (!config.reconnect().enabled()) return; // the tunnels close when the relay closes the session
            session = null;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        connectionLost(new TunnelException(TunnelException.SESSION_CLOSED, "the relay " + draining.relayAddress()
                + " is shutting down: " + shutdown.reason()));
    }

    private void connectionLost(TunnelException cause) {
        if (!config.reconnect().enabled()) {
            closeWith(cause);
            return;
        }
        if (FINAL_CODES.contains(cause.code())) {
            closeWith(cause);
            return;
        }
        lock.lock();
        try {
            if (closed || reconnecting) return;
            reconnecting = true;
            state = ConnectionState.RECONNECTING;
        } finally {
            lock.unlock();
        }
        Thread.ofVirtual().name("lrok-reconnect").start(() -> reconnect(cause));
    }

    // ---- reconnecting ------------------------------------------------------------------------------------------

    /** Dials until a session is up and every tunnel is bound on it, or the policy gives up, or the agent closes. */
    private void reconnect(TunnelException lost) {
        ReconnectPolicy policy = config.reconnect();
        long outageStart = System.nanoTime();
        TunnelException cause = lost;
        for (int attempt = 0; ; attempt++) {
            Duration delay = policy.delayBefore(attempt);
            if (!policy.giveUpAfter().isZero()
                    && System.nanoTime() + delay.toNanos() - outageStart > policy.giveUpAfter().toNanos()) {
                closeWith(new TunnelException(cause.code(), "gave up reconnecting to the relay " + relayAddress()
                        + " after " + policy.giveUpAfter().toSeconds() + " s; last failure: " + cause.getMessage(),
                        cause));
                return;
            }
            publish(ConnectionState.RECONNECTING, attempt == 0 ? "connection lost: " + cause.getMessage()
                    : "reconnect attempt " + attempt + " failed: " + cause.getMessage(), cause, attempt, delay);
            if (awaitClosed(delay)) return;
            Welcome resume;
            lock.lock();
            try {
                resume = lastWelcome;
            } finally {
                lock.unlock();
            }
            AgentSession next;
            try {
                next = AgentSession.connect(relay, config, resume, this);
            } catch (TunnelException e) {
                if (FINAL_CODES.contains(e.code())) {
                    closeWith(e);
                    return;
                }
                cause = e;
                continue;
            }
            boolean resumed = next.welcome().sessionId().equals(resume.sessionId());
            lock.lock();
            try {
                if (closed) {
                    next.close();
                    return;
                }
                session = next;
                lastWelcome = next.welcome();
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            LOG.log(Level.INFO, "reconnected to relay {0} ({1}), {2}", next.relayAddress(), next.welcome().relay(),
                    resumed ? "session " + resume.sessionId() + " resumed" : "new session "
                            + next.welcome().sessionId() + " (the relay did not resume " + resume.sessionId() + ")");
            List<String> changes = new ArrayList<>();
            if (rebindAll(next, changes)) {
                publish(ConnectionState.CONNECTED, "reconnected to relay " + next.relayAddress()
                        + (resumed ? " (session resumed)" : " (new session)")
                        + (changes.isEmpty() ? "" : "; " + String.join("; ", changes)), null, 0, Duration.ZERO);
                return;
            }
            if (isClosed()) return;
            cause = new TunnelException(TunnelException.SESSION_CLOSED, "the new session with the relay "
                    + next.relayAddress() + " ended while its tunnels were being bound");
        }
    }

    /**
     * Binds on {@code next} every tunnel not bound there yet, until none is left; then the agent is connected.
     *
     * @param changes collects what changed for the listeners: tunnels on a new URL, tunnels lost
     * @return false if {@code next} ended meanwhile, or the agent closed
     */
    private boolean rebindAll(AgentSession next, List<String> changes) {
        while (true) {
            List<AgentTunnel> stale = new ArrayList<>();
            lock.lock();
            try {
                if (closed || session != next) return false;
                for (AgentTunnel tunnel : tunnels) {
                    if (!tunnel.isBound() || tunnel.binding().session() != next) stale.add(tunnel);
                }
                if (stale.isEmpty()) {
                    state = ConnectionState.CONNECTED;
                    reconnecting = false;
                    return true;
                }
            } finally {
                lock.unlock();
            }
            for (AgentTunnel tunnel : stale) {
                if (!rebind(next, tunnel, changes)) return false;
            }
        }
    }

    /** @return false if {@code next} ended meanwhile */
    private boolean rebind(AgentSession next, AgentTunnel tunnel, List<String> changes) {
        URI before = tunnel.publicUrl();
        try {
            next.bind(tunnel);
        } catch (TunnelException e) {
            if (!next.isOpen()) return false;
            if (NAME_LOST_CODES.contains(e.code()) && !tunnel.nameChosen()) {
                // Its name went to someone else while the agent was away: a new name beats no tunnel.
                tunnel.forgetName();
                return rebind(next, tunnel, changes);
            }
            lock.lock();
            try {
                tunnels.remove(tunnel);
            } finally {
                lock.unlock();
            }
            String why = "could not bind it again after reconnecting: " + e.getMessage();
            tunnel.closedBy(why);
            changes.add(before + " closed: " + why);
            return true;
        }
        if (!tunnel.isOpen()) { // closed by its owner during the bind
            next.unbind(tunnel);
        } else if (!before.equals(tunnel.publicUrl())) {
            LOG.log(Level.WARNING, "tunnel {0} is now {1}: its address was taken while the agent was away", before,
                    tunnel.publicUrl());
            changes.add(before + " is now " + tunnel.publicUrl());
        }
        return true;
    }

    /** @return true if the agent closed within {@code delay} */
    private boolean awaitClosed(Duration delay) {
        long left = delay.toNanos();
        lock.lock();
        try {
            while (!closed && left > 0) left = changed.awaitNanos(left);
            return closed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the agent for good: the session, then the tunnels, then the state; the listeners hear why.
     *
     * @param cause why, or null when its owner closed it
     */
    private void closeWith(TunnelException cause) {
        List<AgentTunnel> all;
        AgentSession current;
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            reconnecting = false;
            all = new ArrayList<>(tunnels);
            tunnels.clear();
            current = session;
            session = null;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (current != null) current.close();
        if (cause != null) {
            LOG.log(Level.WARNING, "connection to relay {0} closed: {1}", relayAddress(), cause.getMessage());
        }
        for (AgentTunnel tunnel : all) {
            if (cause == null) {
                tunnel.closedQuietly();
            } else {
                tunnel.closedBy(cause.getMessage());
            }
        }
        markClosed(); // after the tunnels: whoever sees CLOSED sees them closed too
        publish(ConnectionState.CLOSED, cause == null ? "closed by its owner" : cause.getMessage(), cause, 0,
                Duration.ZERO);
        events.shutdown();
    }

    /** The state turns CLOSED last, once the tunnels are closed. */
    private void markClosed() {
        lock.lock();
        try {
            state = ConnectionState.CLOSED;
        } finally {
            lock.unlock();
        }
    }

    private TunnelException closedException() {
        return new TunnelException(TunnelException.SESSION_CLOSED, "the connection to the relay " + relayAddress()
                + " has been closed; connect again");
    }

    /** Hands an event to the listeners, in order, on the event thread. */
    private void publish(ConnectionState newState, String detail, TunnelException cause, int attempt,
            Duration nextDelay) {
        if (listeners.isEmpty()) return;
        ConnectionEvent event = new ConnectionEvent(newState, Instant.now(), detail, cause, attempt, nextDelay);
        try {
            events.execute(() -> {
                for (ConnectionListener listener : listeners) {
                    try {
                        listener.onConnectionEvent(event);
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "a connection listener failed on " + event, e);
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.log(Level.DEBUG, "connection event after close dropped: {0}", event);
        }
    }

    /**
     * Waits until the listeners have been handed every event published so far; for tests.
     *
     * @param max the longest wait
     * @return whether they have
     */
    boolean awaitEventsDelivered(Duration max) throws InterruptedException {
        var done = new java.util.concurrent.CountDownLatch(1);
        try {
            events.execute(done::countDown);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return events.awaitTermination(max.toNanos(), TimeUnit.NANOSECONDS);
        }
        return done.await(max.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public String toString() {
        return "Agent[" + relayAddress() + " " + state() + ", tunnels=" + tunnelCount() + "]";
    }
}
