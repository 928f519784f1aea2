package io.lrok.internal.agent;

import io.lrok.AgentConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keep-alive connections to one tunnel's local app. {@link #acquire()} hands out the most recently used idle
 * connection (the likeliest to be alive) or opens a new one; {@link #release} takes back a connection whose
 * exchange completed cleanly. At most {@code maxIdle} idle connections are kept, each for at most
 * {@code idleTimeout}; a sweep closes expired ones even when no request comes.
 *
 * <p>Locking: {@code lock} guards {@code idle}, {@code closed} and {@code sweepScheduled}. No I/O under it:
 * connections are opened and closed after unlocking.
 */
final class LocalConnectionPool implements AutoCloseable {
    /** One daemon thread for every pool's sweeps; a sweep only closes sockets, on a virtual thread. */
    private static final ScheduledExecutorService SWEEPER = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("lrok-pool-sweeper").factory());

    private final LocalTarget target;
    private final Duration connectTimeout;
    private final int maxIdle;
    private final long idleTimeoutNanos;

    private final ReentrantLock lock = new ReentrantLock();
    /** Idle connections, most recently released first. */
    private final ArrayDeque<LocalConnection> idle = new ArrayDeque<>();
    private boolean closed;
    private boolean sweepScheduled;

    LocalConnectionPool(LocalTarget target, AgentConfig config) {
        this.target = target;
        this.connectTimeout = config.localConnectTimeout();
        this.maxIdle = config.maxIdleLocalConnections();
        this.idleTimeoutNanos = config.localIdleTimeout().toNanos();
    }

    /**
     * @return an idle connection (marked {@link LocalConnection#reused()}) or a new one
     * @throws IOException if a new connection cannot be opened
     */
    LocalConnection acquire() throws IOException {
        LocalConnection found = null;
        List<LocalConnection> expired;
        lock.lock();
        try {
            expired = expireLocked(System.nanoTime());
            if (!closed) found = idle.pollFirst();
        } finally {
            lock.unlock();
        }
        closeAll(expired);
        return found != null ? found.reuse() : open();
    }

    /**
     * @return a new connection, never a pooled one: for the retry after a pooled connection turned out dead, as the
     *         others idle beside it may be dead too (the app closed its idle connections, or restarted)
     * @throws IOException if it cannot be opened
     */
    LocalConnection open() throws IOException {
        return new LocalConnection(target.connect(connectTimeout));
    }

    /** Takes back a connection whose exchange ended cleanly and whose app allows reuse; closes it if full. */
    void release(LocalConnection connection) {
        boolean kept = false;
        boolean schedule = false;
        lock.lock();
        try {
            if (!closed && idle.size() < maxIdle) {
                connection.idleSince = System.nanoTime();
                idle.addFirst(connection);
                kept = true;
                schedule = !sweepScheduled;
                sweepScheduled |= schedule;
            }
        } finally {
            lock.unlock();
        }
        if (!kept) connection.close();
        if (schedule) SWEEPER.schedule(this::sweep, idleTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    /** @return the number of idle connections now */
    int idleCount() {
        lock.lock();
        try {
            return idle.size();
        } finally {
            lock.unlock();
        }
    }

    /** Closes every idle connection and keeps none from now on. */
    @Override
    public void close() {
        List<LocalConnection> all;
        lock.lock();
        try {
            closed = true;
            all = new ArrayList<>(idle);
            idle.clear();
        } finally {
            lock.unlock();
        }
        closeAll(all);
    }

    private void sweep() {
        List<LocalConnection> expired;
        long next = 0;
        lock.lock();
        try {
            long now = System.nanoTime();
            expired = expireLocked(now);
            LocalConnection oldest = idle.peekLast();
            sweepScheduled = oldest != null;
            if (oldest != null) next = Math.max(1, oldest.idleSince + idleTimeoutNanos - now);
        } finally {
            lock.unlock();
        }
        if (next > 0) SWEEPER.schedule(this::sweep, next, TimeUnit.NANOSECONDS);
        if (!expired.isEmpty()) Thread.ofVirtual().name("lrok-pool-close").start(() -> closeAll(expired));
    }

    /** Removes the idle connections past their timeout; the oldest are last. */
    private List<LocalConnection> expireLocked(long now) {
        List<LocalConnection> expired = new ArrayList<>();
        while (!idle.isEmpty() && now - idle.peekLast().idleSince >= idleTimeoutNanos) expired.add(idle.pollLast());
        return expired;
    }

    private static void closeAll(List<LocalConnection> connections) {
        for (LocalConnection c : connections) c.close();
    }
}
