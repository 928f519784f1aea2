package io.lrok.internal.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A session's bound tunnels by tunnel id, and the count of binds still waiting for an answer. The relay may open a
 * stream for a tunnel right after its bound, and the stream can reach the accept loop before the control reader has
 * registered the tunnel; so a lookup that misses waits while binds are pending ({@link #await}).
 *
 * <p>Locking: {@code lock} guards {@code tunnels}, {@code pendingBinds} and {@code closed}; {@code changed} is
 * signalled whenever one of them changes. Nothing else is done under the lock.
 */
final class TunnelRegistry {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, AgentTunnel> tunnels = new HashMap<>();
    private int pendingBinds;
    private boolean closed;

    /** A bind is about to be sent. */
    void bindStarted() {
        lock.lock();
        try {
            pendingBinds++;
        } finally {
            lock.unlock();
        }
    }

    /** A bind has its answer (or gave up waiting). */
    void bindEnded() {
        lock.lock();
        try {
            pendingBinds--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** @return false if the registry is closed (the session ended): the tunnel is not added */
    boolean add(AgentTunnel tunnel) {
        lock.lock();
        try {
            if (closed) return false;
            tunnels.put(tunnel.id(), tunnel);
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** @return the tunnel removed, or null if it was not there */
    AgentTunnel remove(String tunnelId) {
        lock.lock();
        try {
            return tunnels.remove(tunnelId);
        } finally {
            lock.unlock();
        }
    }

    /**
     * @param tunnelId a tunnel id from a stream header
     * @param max      the longest wait for a pending bind to register it
     * @return the tunnel, or null if there is none and no bind pending could add it
     */
    AgentTunnel await(String tunnelId, Duration max) throws InterruptedException {
        long left = max.toNanos();
        lock.lock();
        try {
            while (true) {
                AgentTunnel tunnel = tunnels.get(tunnelId);
                if (tunnel != null || closed || pendingBinds == 0 || left <= 0) return tunnel;
                left = changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /** @return the number of tunnels bound now */
    int size() {
        lock.lock();
        try {
            return tunnels.size();
        } finally {
            lock.unlock();
        }
    }

    /** Closes the registry: nothing more is added. @return the tunnels that were in it */
    List<AgentTunnel> closeAll() {
        lock.lock();
        try {
            closed = true;
            List<AgentTunnel> all = new ArrayList<>(tunnels.values());
            tunnels.clear();
            changed.signalAll();
            return all;
        } finally {
            lock.unlock();
        }
    }
}
