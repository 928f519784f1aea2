package io.lrok.internal.relay;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The live members of something the relay must be able to count and close: public connections, agent sessions.
 *
 * <p>Locking: {@code lock} guards {@code members} and {@code closed}; nothing is closed or written under it.
 *
 * @param <T> the member type
 */
final class LiveSet<T> {
    private final ReentrantLock lock = new ReentrantLock();
    private final Set<T> members = new LinkedHashSet<>();
    private boolean closed;

    /**
     * @param member the member to add
     * @param max    the most members allowed, this one included
     * @return whether it was added: false when {@code max} are live already, or the set was drained for good
     */
    boolean add(T member, int max) {
        lock.lock();
        try {
            if (closed || members.size() >= max) return false;
            return members.add(member);
        } finally {
            lock.unlock();
        }
    }

    /** @param member the member to remove, if present */
    void remove(T member) {
        lock.lock();
        try {
            members.remove(member);
        } finally {
            lock.unlock();
        }
    }

    /** @return how many are live */
    int size() {
        lock.lock();
        try {
            return members.size();
        } finally {
            lock.unlock();
        }
    }

    /** @return the members now live, in the order added */
    List<T> snapshot() {
        lock.lock();
        try {
            return new ArrayList<>(members);
        } finally {
            lock.unlock();
        }
    }

    /** @return the members now live; from now on {@link #add} refuses every member */
    List<T> closeAndDrain() {
        lock.lock();
        try {
            closed = true;
            List<T> all = new ArrayList<>(members);
            members.clear();
            return all;
        } finally {
            lock.unlock();
        }
    }
}
