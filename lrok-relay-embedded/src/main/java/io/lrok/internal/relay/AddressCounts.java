package io.lrok.internal.relay;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Public connections held per client IP address, for {@code RelayLimits.maxConnectionsPerAddress}. An address with
 * no connection has no entry, so the map is as large as the set of addresses connected now.
 *
 * <p>Locking: {@code lock} guards {@code counts}; nothing else is done under it.
 */
final class AddressCounts {
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<InetAddress, Integer> counts = new HashMap<>();

    /**
     * @param address a client's address
     * @param max     the most connections allowed from it, this one included
     * @return whether one more fits; if so it is counted until {@link #release}
     */
    boolean acquire(InetAddress address, int max) {
        lock.lock();
        try {
            int now = counts.getOrDefault(address, 0);
            if (now >= max) return false;
            counts.put(address, now + 1);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** @param address an address {@link #acquire} counted a connection for, now over */
    void release(InetAddress address) {
        lock.lock();
        try {
            counts.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
        } finally {
            lock.unlock();
        }
    }

    /** @param address a client's address @return the connections counted for it now */
    int count(InetAddress address) {
        lock.lock();
        try {
            return counts.getOrDefault(address, 0);
        } finally {
            lock.unlock();
        }
    }
}
