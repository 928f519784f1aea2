package io.lrok.internal.relay;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Sessions an agent may resume (docs/protocol.md §6): for each welcomed session, the digest of its current resume
 * secret and its account; and for a session whose connection was lost, the tunnels it held, kept for the resume grace
 * period. Their names stay in the {@link TunnelRegistry} (unroutable, so no one else can bind them) and their own
 * ports stay bound, until the agent resumes the session and binds them again, or the grace ends and they are
 * released.
 *
 * <p>Locking: {@code lock} guards {@code entries} and every {@link Entry}'s fields; releasing tunnels and ending a
 * replaced session happen outside it. Expiries run on one daemon thread, which only hands the tunnels to the
 * release callback.
 */
final class ResumeTable implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ResumeTable.class.getName());

    /** One resumable session. */
    private static final class Entry {
        byte[] secretDigest;
        final String account;
        /** The session on its connection now; null while suspended. */
        AgentSession live;
        /** What a suspended session kept, to hand to its resumer; empty while live. */
        List<TunnelBinder.Binding> kept = List.of();
        ScheduledFuture<?> expiry;

        Entry(byte[] secretDigest, String account, AgentSession live) {
            this.secretDigest = secretDigest;
            this.account = account;
            this.live = live;
        }
    }

    /** What a resume hands the new session: the tunnels to rebind, or why it was refused. */
    record Resumed(List<TunnelBinder.Binding> kept, AgentSession replaced) {
    }

    private final Duration grace;
    private final Consumer<List<TunnelBinder.Binding>> release;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Entry> entries = new HashMap<>();
    private final ScheduledExecutorService expiries = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("lrok-relay-resume-expiry").factory());
    private boolean closed;

    /**
     * @param grace   how long a lost session's tunnels are kept
     * @param release releases tunnels whose grace ended (or that no one took back); called outside the lock
     */
    ResumeTable(Duration grace, Consumer<List<TunnelBinder.Binding>> release) {
        this.grace = grace;
        this.release = release;
    }

    /** A session was welcomed (new or resumed) with {@code secret}: it may be resumed with that secret from now on. */
    void welcomed(AgentSession session, String secret, String account) {
        lock.lock();
        try {
            if (closed) return;
            Entry entry = entries.get(session.id());
            if (entry == null) {
                entries.put(session.id(), new Entry(digest(secret), account, session));
            } else {
                entry.secretDigest = digest(secret); // the old secret is spent
                entry.live = session;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes over a session for a reconnected agent, if the secret and the account are right: the session's kept
     * tunnels move to the caller; a session still on its old connection is named, for the caller to end (its end then
     * keeps its tunnels, which {@link #takeKept} hands over).
     *
     * @return what was taken, or null if the session is unknown, expired, or the secret or account is wrong (the
     *         caller starts a new session and says nothing of why)
     */
    Resumed resume(String sessionId, String secret, String account) {
        lock.lock();
        try {
            Entry entry = entries.get(sessionId);
            if (entry == null || closed) return null;
            // Compared in constant time, and the account too: a secret alone must not move a session across tokens.
            boolean secretOk = MessageDigest.isEqual(entry.secretDigest, digest(secret));
            if (!secretOk || !entry.account.equals(account)) return null;
            entry.secretDigest = new byte[0]; // spent: no second resume with it, even one racing this one
            if (entry.expiry != null) entry.expiry.cancel(false);
            entry.expiry = null;
            List<TunnelBinder.Binding> kept = entry.kept;
            entry.kept = List.of();
            AgentSession replaced = entry.live;
            entry.live = null;
            return new Resumed(kept, replaced);
        } finally {
            lock.unlock();
        }
    }

    /**
     * After the replaced session of a {@link #resume} has ended: takes the tunnels its end kept.
     *
     * @return them (empty if it kept none)
     */
    List<TunnelBinder.Binding> takeKept(String sessionId) {
        lock.lock();
        try {
            Entry entry = entries.get(sessionId);
            if (entry == null) return List.of();
            if (entry.expiry != null) entry.expiry.cancel(false);
            entry.expiry = null;
            List<TunnelBinder.Binding> kept = entry.kept;
            entry.kept = List.of();
            return kept;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A session's connection is gone and it may be resumed: keeps {@code tunnels} for the grace period.
     *
     * @return false if they are not kept (no grace, the relay is closing, or the session was never welcomed here):
     *         the caller releases them
     */
    boolean suspend(AgentSession session, List<TunnelBinder.Binding> tunnels) {
        if (grace.isZero()) {
            forget(session);
            return false;
        }
        lock.lock();
        try {
            Entry entry = entries.get(session.id());
            if (entry == null || closed) return false;
            if (entry.live == session) entry.live = null;
            List<TunnelBinder.Binding> all = new ArrayList<>(entry.kept);
            all.addAll(tunnels);
            entry.kept = List.copyOf(all);
            if (entry.expiry == null) {
                entry.expiry = expiries.schedule(() -> expire(session.id()), grace.toNanos(), TimeUnit.NANOSECONDS);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** A session ended for good (the agent closed it, its token was revoked, the relay is closing): forget it. */
    void forget(AgentSession session) {
        List<TunnelBinder.Binding> kept;
        lock.lock();
        try {
            Entry entry = entries.get(session.id());
            if (entry == null || (entry.live != session && entry.live != null)) return;
            entries.remove(session.id());
            if (entry.expiry != null) entry.expiry.cancel(false);
            kept = entry.kept;
        } finally {
            lock.unlock();
        }
        if (!kept.isEmpty()) release.accept(kept);
    }

    /** After a resume: releases, once the grace has passed, the kept tunnels its agent did not bind again. */
    void releaseUnclaimedLater(AgentSession resumed) {
        lock.lock();
        try {
            if (closed) return;
            expiries.schedule(() -> Thread.ofVirtual().name("lrok-relay-unclaimed").start(resumed::releaseUnclaimed),
                    grace.toNanos(), TimeUnit.NANOSECONDS);
        } finally {
            lock.unlock();
        }
    }

    /** @return the number of sessions suspended now, waiting for their agents */
    int suspendedCount() {
        lock.lock();
        try {
            return (int) entries.values().stream().filter(e -> e.live == null && !e.kept.isEmpty()).count();
        } finally {
            lock.unlock();
        }
    }

    private void expire(String sessionId) {
        List<TunnelBinder.Binding> kept;
        lock.lock();
        try {
            Entry entry = entries.get(sessionId);
            if (entry == null || entry.live != null) return;
            entries.remove(sessionId);
            kept = entry.kept;
        } finally {
            lock.unlock();
        }
        LOG.log(Level.INFO, () -> "session " + sessionId + " was not resumed within " + grace.toSeconds()
                + " s; releasing its " + kept.size() + " tunnel(s)");
        // on a virtual thread: releasing closes ports, and the expiry thread serves every session
        Thread.ofVirtual().name("lrok-relay-release-" + sessionId).start(() -> release.accept(kept));
    }

    /** Releases everything kept and forgets every session; the relay is closing. */
    @Override
    public void close() {
        List<TunnelBinder.Binding> kept = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            for (Entry entry : entries.values()) kept.addAll(entry.kept);
            entries.clear();
        } finally {
            lock.unlock();
        }
        expiries.shutdownNow();
        if (!kept.isEmpty()) release.accept(kept);
    }

    private static byte[] digest(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
