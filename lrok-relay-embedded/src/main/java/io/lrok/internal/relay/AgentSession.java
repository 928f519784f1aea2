package io.lrok.internal.relay;

import io.lrok.internal.tls.TlsTransport;
import io.lrok.internal.wire.ControlCodec;
import io.lrok.internal.wire.ControlMessage;
import io.lrok.internal.wire.ControlMessage.Bind;
import io.lrok.internal.wire.ControlMessage.ErrorMessage;
import io.lrok.internal.wire.ControlMessage.Hello;
import io.lrok.internal.wire.ControlMessage.Shutdown;
import io.lrok.internal.wire.ControlMessage.Unbind;
import io.lrok.internal.wire.ControlMessage.Unknown;
import io.lrok.internal.wire.ControlMessage.Welcome;
import io.lrok.internal.wire.ErrorCode;
import io.lrok.internal.wire.Protocol;
import io.lrok.internal.wire.WireException;
import io.lrok.mux.MuxException;
import io.lrok.mux.MuxSession;
import io.lrok.mux.MuxStream;
import io.lrok.mux.MuxTimeoutException;
import io.lrok.relay.AgentGrant;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One agent's connection, relay side: the yamux session, the control stream (docs/protocol.md §3) and the tunnels
 * the agent bound. A virtual thread runs {@link #run()}: the handshake (hello → welcome or error), then the control
 * messages in order until the agent closes the control stream or the connection ends; then {@link #end} releases
 * the tunnels. Edge threads open exchange streams with {@link #openStream()}.
 *
 * <p>Locking: {@code writeLock} makes each control message one uninterrupted write (the control thread answers,
 * the relay's close sends shutdown); it is held only while writing. {@code stateLock} guards {@code tunnels},
 * {@code nextTunnel}, {@code keptNames}, {@code keptPorts} and {@code ended}; no I/O is done under it.
 *
 * <p>Resuming (docs/protocol.md §6): a session whose connection is lost, rather than closed by its agent, keeps its
 * tunnels in the relay's {@link ResumeTable} for the resume grace; an agent that presents the session's id and
 * secret gets the same id, takes those tunnels over ({@code keptNames}, {@code keptPorts}), and binds them again
 * with the same names and ports.
 *
 * <p>Tokens: the grant the verifier gave at hello decides the session's account (its logs, its reserved names, its
 * session count) and its limits; {@link #recheck()} asks the verifier again after a change and revokes the session
 * ({@code unauthorized}) if the token no longer verifies. The token itself is kept, for that only, and never logged.
 */
final class AgentSession {
    private static final System.Logger LOG = System.getLogger(AgentSession.class.getName());
    /** The longest the relay's close waits to hand an agent its shutdown notice before closing the connection. */
    private static final Duration SHUTDOWN_NOTICE_WAIT = Duration.ofMillis(200);
    /** The longest a second caller of {@link #end} waits for the first to finish releasing the tunnels. */
    private static final Duration END_WAIT = Duration.ofSeconds(5);

    private final RelayServer relay;
    private final Socket socket;
    private final MuxSession mux;
    private final long acceptedAt = System.nanoTime();
    /** A new id, or the resumed session's from the handshake on (docs/protocol.md §6). */
    private volatile String id = Authenticator.newSessionId();
    private final TunnelBinder binder;

    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock stateLock = new ReentrantLock();
    private final Map<String, TunnelBinder.Binding> tunnels = new LinkedHashMap<>();
    /** After a resume: the lost connection's HTTP tunnels by name and TCP tunnels by port, until bound again. */
    private final Map<String, TunnelBinder.Binding> keptNames = new HashMap<>();
    private final Map<Integer, TunnelBinder.Binding> keptPorts = new HashMap<>();
    private long nextTunnel = 1;
    private boolean ended;
    /** Released when the first {@link #end} has released the tunnels and closed the connection. */
    private final CountDownLatch endDone = new CountDownLatch(1);

    /** Set once, by the control thread, when the handshake is over. */
    private volatile MuxStream control;
    /** Counted against {@code maxSessions} since the welcome. */
    private volatile boolean welcomed;
    /** The agent said it will close (shutdown), or the relay is closing: no new exchange streams. */
    private volatile boolean draining;
    /** What the token grants; set at welcome, replaced by {@link #recheck()}; null before welcome. */
    private volatile AgentGrant grant;
    /** The token of the hello, for {@link #recheck()}; never logged. Null before welcome, or without a token. */
    private volatile String token;
    /** The account the relay counted this session under, for {@link RelayServer#sessionEnded}; null if none. */
    private volatile String admittedAccount;
    /** Public exchanges (HTTP exchanges, TCP connections) in progress on this session. */
    private final AtomicInteger openStreams = new AtomicInteger();
    private final AtomicBoolean revoked = new AtomicBoolean();
    /** The agent announced its close (shutdown): its session ends for good, nothing is kept for a resume. */
    private volatile boolean agentClosing;
    /** Whether the agent's hello offered {@link Protocol#FEATURE_HTTP_STREAM_REUSE}; set before the welcome. */
    private volatile boolean httpStreamReuse;

    /**
     * @param socket the session's connection: TLS, or {@code plain} itself
     * @param plain  the TCP connection under it
     */
    AgentSession(RelayServer relay, Socket socket, Socket plain) throws IOException {
        this.relay = relay;
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.mux = MuxSession.server(socket.getInputStream(), TlsTransport.output(socket, plain),
                TlsTransport.closer(socket, plain), relay.limits().mux());
        this.binder = new TunnelBinder(relay, this);
    }

    /** @return the session id sent in welcome */
    String id() {
        return id;
    }

    /** Runs the session to its end, on the calling thread. */
    void run() {
        String why = "the agent closed the control stream";
        boolean lost = false; // the connection was lost rather than closed: keep the tunnels for a resume
        try {
            if (!handshake()) return;
            Thread.ofVirtual().name("lrok-relay-" + id + "-refuse").start(this::refuseAgentStreams);
            why = controlLoop();
        } catch (MuxException e) {
            why = "the connection ended: " + e.getMessage();
            lost = true;
        } catch (IOException | RuntimeException e) {
            if (revoked.get()) {
                why = "the token was revoked"; // the revoking thread closed the control stream under us
            } else {
                why = "failed: " + e;
                lost = e instanceof IOException;
                LOG.log(Level.WARNING, () -> "session " + id + " failed", e);
            }
        } finally {
            end(why, lost && !agentClosing && !revoked.get());
        }
    }

    /**
     * Opens a stream for one public exchange.
     *
     * @return the stream, its header not yet written
     * @throws IOException if the session has ended, is draining, or the multiplexer cannot open a stream
     */
    MuxStream openStream() throws IOException {
        if (draining || isEnded()) throw new MuxException("session " + id + " is closing");
        return mux.openStream();
    }

    /**
     * @return whether an HTTP stream may carry the next request of the same public connection (docs/protocol.md
     *         §5): the agent offered {@link Protocol#FEATURE_HTTP_STREAM_REUSE} in its hello
     */
    boolean reusesHttpStreams() {
        return httpStreamReuse;
    }

    /** Tells the agent the relay is closing (shutdown, best effort and bounded in time), then ends the session. */
    void shutdown(String reason) {
        drain(reason, Duration.ZERO);
        end(reason);
    }

    /**
     * Tells the agent the relay will close the session within {@code grace} (shutdown, best effort and bounded in
     * time) and opens no new exchange streams; those in progress go on. The agent reconnects elsewhere meanwhile.
     */
    void drain(String reason, Duration grace) {
        draining = true;
        if (welcomed) {
            Thread notice = Thread.ofVirtual().start(() -> trySend(new Shutdown(reason, grace.toMillis())));
            try {
                notice.join(SHUTDOWN_NOTICE_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- handshake and control loop ------------------------------------------------------------------------

    /** @return whether the agent was welcomed; otherwise it has been told why (if it got that far) */
    private boolean handshake() throws IOException {
        MuxStream stream;
        Hello hello;
        try {
            stream = mux.acceptStream(remaining());
            control = stream;
            stream.setReadTimeout(remaining());
            ControlMessage first = ControlCodec.read(stream.getInputStream());
            if (!(first instanceof Hello h)) {
                refuse(ErrorCode.BAD_REQUEST, first == null ? "the control stream ended before hello"
                        : "the first message must be hello, not " + first.type());
                return false;
            }
            hello = h;
        } catch (MuxTimeoutException e) {
            LOG.log(Level.INFO, () -> "agent " + socket.getRemoteSocketAddress() + " sent no hello within "
                    + relay.limits().handshakeTimeout().toMillis() + " ms; closing");
            return false;
        } catch (WireException e) {
            refuse(ErrorCode.BAD_REQUEST, "malformed hello: " + e.getMessage());
            return false;
        }
        String versionProblem = Protocol.checkVersion(hello.version());
        if (versionProblem != null) {
            refuse(ErrorCode.UNSUPPORTED_VERSION, versionProblem);
            return false;
        }
        // A token file reloaded between verify and welcome would miss this session: it compares generations below.
        long generation = relay.tokenGeneration();
        Optional<AgentGrant> verified;
        try {
            verified = relay.verifier().verify(hello.token());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, () -> "session " + id + ": the token verifier failed: " + e.getClass().getName());
            refuse(ErrorCode.INTERNAL, "the relay could not check the token; retry later");
            return false;
        }
        if (verified.isEmpty()) {
            refuse(ErrorCode.UNAUTHORIZED, hello.token() == null ? "this relay needs a token" : "unknown token");
            return false;
        }
        AgentGrant granted = verified.get();
        String full = relay.admitSession(granted.account(), limit(granted.limits().maxSessions(),
                relay.limits().maxSessionsPerAccount()));
        if (full != null) {
            refuse(ErrorCode.LIMIT_REACHED, full);
            return false;
        }
        admittedAccount = granted.account();
        grant = granted;
        token = hello.token();
        httpStreamReuse = hello.supports(Protocol.FEATURE_HTTP_STREAM_REUSE);
        welcomed = true;
        if (relay.tokenGeneration() != generation && !recheckNow()) {
            revoke();
            return false;
        }
        boolean resumed = hello.resumeSession() != null && resume(hello, granted.account());
        stream.setReadTimeout(Duration.ZERO);
        String secret = Authenticator.newResumeSecret();
        relay.resumes().welcomed(this, secret, granted.account());
        send(new Welcome(hello.version(), id, secret, RelayServer.RELAY_NAME, relay.domain()));
        LOG.log(Level.INFO, () -> "agent " + hello.client() + " from " + socket.getRemoteSocketAddress()
                + (resumed ? " resumed session " : " connected: session ") + id + ", account " + granted.account());
        return true;
    }

    /**
     * Takes over the session the agent asks to resume, if its secret and account are right: its id, and the tunnels
     * its lost connection kept. A session still on its old connection (the agent saw the loss first) is ended, its
     * tunnels kept for this one. Anything else starts a new session, without saying why (docs/protocol.md §6).
     *
     * @return whether the session was resumed
     */
    private boolean resume(Hello hello, String account) {
        ResumeTable.Resumed taken = relay.resumes().resume(hello.resumeSession(), hello.resumeSecret(), account);
        if (taken == null) {
            LOG.log(Level.DEBUG, () -> "agent asked to resume an unknown or expired session; starting session " + id);
            return false;
        }
        List<TunnelBinder.Binding> kept = new ArrayList<>(taken.kept());
        if (taken.replaced() != null) {
            taken.replaced().end("its agent resumed it on a new connection", true);
            kept.addAll(relay.resumes().takeKept(hello.resumeSession()));
        }
        stateLock.lock();
        try {
            id = hello.resumeSession();
            for (TunnelBinder.Binding binding : kept) {
                if (binding.tcp() != null) {
                    keptPorts.put(binding.tcp().port(), binding);
                } else {
                    keptNames.put(binding.tunnel().name(), binding);
                }
            }
        } finally {
            stateLock.unlock();
        }
        // Tunnels the agent does not bind again within the grace (it closed them while away) are released then.
        relay.resumes().releaseUnclaimedLater(this);
        return true;
    }

    /** @return the tunnel this session held under {@code name} before its agent reconnected, now taken; or null */
    TunnelBinder.Binding takeKeptName(String name) {
        stateLock.lock();
        try {
            return keptNames.remove(name);
        } finally {
            stateLock.unlock();
        }
    }

    /** @return the TCP tunnel this session held on {@code port} before its agent reconnected, now taken; or null */
    TunnelBinder.Binding takeKeptPort(int port) {
        stateLock.lock();
        try {
            return keptPorts.remove(port);
        } finally {
            stateLock.unlock();
        }
    }

    /** Releases the kept tunnels the agent did not bind again. */
    void releaseUnclaimed() {
        List<TunnelBinder.Binding> unclaimed = takeAllKept();
        for (TunnelBinder.Binding binding : unclaimed) binder.release(binding);
        if (!unclaimed.isEmpty()) {
            LOG.log(Level.INFO, () -> "session " + id + ": released " + unclaimed.size() + " tunnel(s) its agent did"
                    + " not bind again after resuming");
        }
    }

    private List<TunnelBinder.Binding> takeAllKept() {
        stateLock.lock();
        try {
            List<TunnelBinder.Binding> all = new ArrayList<>(keptNames.values());
            all.addAll(keptPorts.values());
            keptNames.clear();
            keptPorts.clear();
            return all;
        } finally {
            stateLock.unlock();
        }
    }

    /** @return why the loop ended, for the log */
    private String controlLoop() throws IOException {
        while (true) {
            ControlMessage message;
            try {
                message = ControlCodec.read(control.getInputStream());
            } catch (WireException e) {
                refuse(ErrorCode.BAD_REQUEST, "malformed control message: " + e.getMessage());
                return "malformed control message: " + e.getMessage();
            }
            switch (message) {
                case null -> {
                    return "the agent closed the control stream";
                }
                case Bind bind -> send(binder.bind(bind));
                case Unbind unbind -> unbind(unbind.tunnelId());
                case Shutdown shutdown -> {
                    draining = true;
                    agentClosing = true;
                    LOG.log(Level.INFO, () -> "session " + id + ": the agent is shutting down (" + shutdown.reason()
                            + ")");
                }
                case ErrorMessage error when error.id() == null -> {
                    return "the agent ended the session: " + error.code().wireName() + ": " + error.message();
                }
                case ErrorMessage error -> LOG.log(Level.INFO, () -> "session " + id + ": the agent sent error "
                        + error.code().wireName() + " for " + error.id() + ": " + error.message());
                case Unknown unknown -> LOG.log(Level.DEBUG, () -> "session " + id + ": ignoring a message of type "
                        + unknown.type());
                default -> {
                    refuse(ErrorCode.BAD_REQUEST, "an agent does not send " + message.type() + " messages");
                    return "the agent sent " + message.type();
                }
            }
        }
    }

    /** Streams the agent opens after the control stream mean nothing in protocol 1: they are reset. */
    private void refuseAgentStreams() {
        try {
            while (true) {
                MuxStream stray = mux.acceptStream();
                LOG.log(Level.DEBUG, () -> "session " + id + ": resetting stream " + stray.id() + " opened by the agent");
                stray.reset();
            }
        } catch (IOException sessionEnded) {
            // the session is over
        }
    }

    // ---- the grant: account and limits --------------------------------------------------------------------

    /** @return the account, or null before welcome */
    String account() {
        AgentGrant g = grant;
        return g == null ? null : g.account();
    }

    /** @return what the token grants, or null before welcome */
    AgentGrant grant() {
        return grant;
    }

    /** @return the most tunnels this session may hold: its account's limit, else the relay's */
    int maxTunnels() {
        AgentGrant g = grant;
        return limit(g == null ? 0 : g.limits().maxTunnelsPerSession(), relay.limits().maxTunnelsPerSession());
    }

    /** @return the most exchanges this session may carry at once: its account's limit, else the relay's */
    int maxStreams() {
        AgentGrant g = grant;
        return limit(g == null ? 0 : g.limits().maxStreamsPerSession(), relay.limits().maxStreamsPerSession());
    }

    /** @return the account's value when set (non-zero), else the relay's default */
    private static int limit(int account, int relayDefault) {
        return account > 0 ? account : relayDefault;
    }

    /**
     * Counts one more public exchange, if it fits {@link #maxStreams()}.
     *
     * @return whether it fits; if so the caller must {@link #releaseStream()} when the exchange is over
     */
    boolean acquireStream() {
        int max = maxStreams();
        while (true) {
            int n = openStreams.get();
            if (n >= max) return false;
            if (openStreams.compareAndSet(n, n + 1)) return true;
        }
    }

    /** An exchange {@link #acquireStream()} counted is over. */
    void releaseStream() {
        if (openStreams.decrementAndGet() == 0) relay.exchangesMayHaveEnded();
    }

    /** @return public exchanges in progress */
    int openStreamCount() {
        return openStreams.get();
    }

    /**
     * Asks the verifier again about this session's token (after a token file reload, or
     * {@code EmbeddedRelay.recheckTokens()}): revokes the session, on a thread of its own, if the token no longer
     * verifies; takes a changed grant. Does nothing before welcome: the handshake checks for a recheck it missed.
     */
    void recheck() {
        if (grant == null || isEnded()) return;
        if (!recheckNow()) Thread.ofVirtual().name("lrok-relay-" + id + "-revoke").start(this::revoke);
    }

    /** @return whether the token still verifies; if so, the grant is the verifier's current one */
    private boolean recheckNow() {
        Optional<AgentGrant> now;
        try {
            now = relay.verifier().verify(token);
        } catch (RuntimeException e) {
            // A verifier failing is not a revocation: keep the session, as it was granted.
            LOG.log(Level.WARNING, () -> "session " + id + ": the token verifier failed: " + e.getClass().getName());
            return true;
        }
        if (now.isEmpty()) return false;
        AgentGrant before = grant;
        if (!now.get().equals(before)) {
            grant = now.get();
            LOG.log(Level.INFO, () -> "session " + id + ": account " + now.get().account() + " now has "
                    + now.get().limits() + ", reserved " + now.get().reservedSubdomains());
        }
        return true;
    }

    /** Tells the agent its token was revoked ({@code unauthorized}), then ends the session. Once. */
    private void revoke() {
        if (!revoked.compareAndSet(false, true)) return;
        draining = true;
        LOG.log(Level.INFO, () -> "session " + id + " (account " + account() + "): its token is no longer"
                + " accepted; ending the session");
        refuse(ErrorCode.UNAUTHORIZED, "the token was revoked");
        end("the token was revoked");
    }

    // ---- tunnels -------------------------------------------------------------------------------------------

    /** @return a new tunnel id, or null if the session has ended or holds its maximum of tunnels */
    String reserveTunnelId() {
        int max = maxTunnels();
        stateLock.lock();
        try {
            if (ended || tunnels.size() >= max) return null;
            return "t-" + nextTunnel++;
        } finally {
            stateLock.unlock();
        }
    }

    /** @return whether the binding was added; false if the session ended meanwhile (the caller releases it) */
    boolean addTunnel(TunnelBinder.Binding binding) {
        stateLock.lock();
        try {
            if (ended) return false;
            tunnels.put(binding.id(), binding);
            return true;
        } finally {
            stateLock.unlock();
        }
    }

    private void unbind(String tunnelId) {
        TunnelBinder.Binding binding;
        stateLock.lock();
        try {
            binding = tunnels.remove(tunnelId);
        } finally {
            stateLock.unlock();
        }
        if (binding == null) {
            LOG.log(Level.DEBUG, () -> "session " + id + ": unbind of unknown tunnel " + tunnelId);
            return;
        }
        binder.release(binding);
        LOG.log(Level.INFO, () -> "session " + id + ": closed " + binding.describe());
    }

    // ---- writing and ending --------------------------------------------------------------------------------

    private void send(ControlMessage message) throws IOException {
        writeLock.lock();
        try {
            ControlCodec.write(control.getOutputStream(), message);
        } finally {
            writeLock.unlock();
        }
    }

    private void trySend(ControlMessage message) {
        try {
            send(message);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "session " + id + ": could not send " + message.type() + ": " + e);
        }
    }

    /**
     * Sends an error without id, which ends the session (docs/protocol.md §3), and waits a little for the agent to
     * close first, so that the error is read before the connection goes.
     */
    private void refuse(ErrorCode code, String message) {
        LOG.log(Level.INFO, () -> "refusing agent " + socket.getRemoteSocketAddress() + ": " + code.wireName() + ": "
                + message);
        if (control == null) return;
        trySend(new ErrorMessage(code, message, null));
        try {
            control.shutdownOutput();
            mux.whenClosed().get(relay.limits().lingerTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | IOException | java.util.concurrent.ExecutionException e) {
            // the agent did not close in time, or the session is gone already: end() closes it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Releases the tunnels and closes the connection, for good. Idempotent. */
    void end(String why) {
        end(why, false);
    }

    /**
     * Ends the session and closes the connection. Idempotent.
     *
     * @param why       for the log
     * @param resumable whether the connection was lost rather than closed: then the tunnels are kept for the
     *                  resume grace (unless the relay has none), else released
     */
    void end(String why, boolean resumable) {
        List<TunnelBinder.Binding> released;
        stateLock.lock();
        try {
            if (ended) {
                released = null;
            } else {
                ended = true;
                released = new ArrayList<>(tunnels.values());
                tunnels.clear();
            }
        } finally {
            stateLock.unlock();
        }
        if (released == null) {
            // Another thread is ending the session (the control thread, as the connection dropped): wait until it
            // has, so that the relay's close returns with every tunnel's own port closed.
            try {
                if (!endDone.await(END_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.log(Level.DEBUG, () -> "session " + id + ": still ending after " + END_WAIT.toMillis() + " ms");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try {
            draining = true;
            released.addAll(takeAllKept());
            boolean kept = false;
            if (welcomed && resumable) {
                for (TunnelBinder.Binding binding : released) TunnelBinder.suspend(binding);
                kept = relay.resumes().suspend(this, released);
            }
            if (!kept) {
                if (welcomed) relay.resumes().forget(this);
                for (TunnelBinder.Binding binding : released) binder.release(binding);
            }
            mux.close();
            relay.sessionEnded(this, admittedAccount);
            boolean keptForResume = kept;
            if (welcomed) {
                LOG.log(Level.INFO, () -> "session " + id + " ended: " + why + (keptForResume ? "; its "
                        + released.size() + " tunnel(s) are kept for " + relay.limits().resumeGrace().toSeconds()
                        + " s for the agent to resume" : ""));
            }
        } finally {
            endDone.countDown();
        }
    }

    private boolean isEnded() {
        stateLock.lock();
        try {
            return ended;
        } finally {
            stateLock.unlock();
        }
    }

    private Duration remaining() throws MuxTimeoutException {
        long left = acceptedAt + relay.limits().handshakeTimeout().toNanos() - System.nanoTime();
        if (left <= 0) throw new MuxTimeoutException("handshake timeout");
        return Duration.ofNanos(left);
    }

    @Override
    public String toString() {
        return "session " + id + " (" + socket.getRemoteSocketAddress() + ")";
    }
}
