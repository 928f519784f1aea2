package io.lrok.internal.inspect;

import io.lrok.inspect.NoRequestException;
import io.lrok.inspect.RecordedExchange;
import io.lrok.inspect.RecordedRequest;
import io.lrok.internal.http.RequestHead;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * One HTTP tunnel's recorded exchanges: a ring of the most recent {@link InspectSettings#capacity()}, the queue
 * that {@code takeRequest} reads, and the listeners (the inspector's event streams) told of every change.
 *
 * <p>Order: exchanges are numbered as their requests arrive; {@link #take}, {@link #requests} and
 * {@link #awaitRequest} see a request once it is complete (see {@link ExchangeRecorder}), in the order requests
 * became complete. Each request is handed out by {@link #take} once. An exchange evicted from the ring (or
 * cleared) is no longer handed out.
 *
 * <p>{@link #lock} guards the ring, the take queue, the counters and the recorders' store fields; {@link #changed}
 * signals every change. Listeners are called without the lock held, on the forwarder's thread, and must not block.
 */
public final class ExchangeStore {
    private static final System.Logger LOG = System.getLogger(ExchangeStore.class.getName());

    /** What listens to the store: the inspector's event streams. Called without the store's lock; must not block. */
    public interface Listener {
        /** @param exchange an exchange that was added or changed */
        void changed(ExchangeRecorder exchange);

        /** Every exchange was removed. */
        void cleared();
    }

    /** What the tunnel is called in messages: its public URL once bound. */
    private final java.util.function.Supplier<String> name;
    private final InspectSettings settings;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<ExchangeRecorder> ring = new ArrayDeque<>();
    private final ArrayDeque<ExchangeRecorder> untaken = new ArrayDeque<>();
    private long lastId;
    private long lastVisibleSeq;
    /** Bumped at every change of any exchange: what awaitExchange waits on. */
    private long changes;

    /**
     * @param name     what the tunnel is called in messages (its public URL), asked when a message is made
     * @param settings the capacity and body limit
     */
    public ExchangeStore(java.util.function.Supplier<String> name, InspectSettings settings) {
        this.name = name;
        this.settings = settings;
    }

    /** @return the limits */
    public InspectSettings settings() {
        return settings;
    }

    int bodyLimit() {
        return settings.bodyLimit();
    }

    /**
     * Starts recording an exchange whose request head has arrived.
     *
     * @param request       the head as it arrived
     * @param chunked       whether its body is chunked
     * @param clientAddress who sent it
     * @param scheme        http or https
     * @param host          the public host asked for
     * @param replayOf      the exchange it replays, if it is a replay
     * @param start         when the exchange started (wall clock)
     * @param startNanos    the same moment by {@link System#nanoTime()}
     * @return its recorder, already in the ring
     */
    public ExchangeRecorder begin(RequestHead request, boolean chunked, String clientAddress, String scheme,
            String host, OptionalLong replayOf, Instant start, long startNanos) {
        ExchangeRecorder recorder;
        lock.lock();
        try {
            recorder = new ExchangeRecorder(this, ++lastId, request, chunked, clientAddress, scheme, host, replayOf,
                    start, startNanos, settings.bodyLimit());
            ring.addLast(recorder);
            while (ring.size() > settings.capacity()) {
                ExchangeRecorder evicted = ring.pollFirst();
                evicted.removed = true;
                if (!evicted.taken && evicted.visibleSeq > 0) untaken.remove(evicted);
            }
            changes++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        notifyChanged(recorder);
        return recorder;
    }

    /** The exchange's request is complete: it joins the take queue. */
    void visible(ExchangeRecorder recorder) {
        lock.lock();
        try {
            if (recorder.removed || recorder.visibleSeq > 0) return;
            recorder.visibleSeq = ++lastVisibleSeq;
            untaken.addLast(recorder);
            changes++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        notifyChanged(recorder);
    }

    /** The exchange changed (response head, end). */
    void changed(ExchangeRecorder recorder) {
        lock.lock();
        try {
            if (recorder.removed) return;
            changes++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        notifyChanged(recorder);
    }

    private void notifyChanged(ExchangeRecorder recorder) {
        for (Listener l : listeners) {
            try {
                l.changed(recorder);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "inspector listener failed", e);
            }
        }
    }

    /**
     * Takes the next complete request not taken yet, waiting for one if there is none.
     *
     * @param timeout the longest wait
     * @return the request
     * @throws NoRequestException   if none came within the timeout
     * @throws InterruptedException if interrupted while waiting
     */
    public RecordedRequest take(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        ExchangeRecorder next;
        lock.lock();
        try {
            while ((next = untaken.pollFirst()) == null) {
                if (nanos <= 0) {
                    throw new NoRequestException("no request arrived at " + name.get() + " within " + describe(timeout)
                            + " (" + recordedLocked() + ")");
                }
                nanos = changed.awaitNanos(nanos);
            }
            next.taken = true;
        } finally {
            lock.unlock();
        }
        return next.request();
    }

    /** @return the complete requests in the ring, in the order they became complete */
    public List<RecordedRequest> requests() {
        return visibleRequests(0);
    }

    private List<RecordedRequest> visibleRequests(long afterSeq) {
        List<ExchangeRecorder> visible = new ArrayList<>();
        lock.lock();
        try {
            for (ExchangeRecorder r : ring) if (r.visibleSeq > afterSeq) visible.add(r);
        } finally {
            lock.unlock();
        }
        visible.sort(Comparator.comparingLong(r -> r.visibleSeq));
        List<RecordedRequest> requests = new ArrayList<>(visible.size());
        for (ExchangeRecorder r : visible) requests.add(r.request());
        return requests;
    }

    /**
     * Waits until a complete request in the ring matches, counting those recorded before the call; does not take
     * it (a later {@link #take} may return it too).
     *
     * @param predicate what to look for; called without any lock, on the caller's thread
     * @param timeout   the longest wait
     * @return the earliest matching request
     * @throws NoRequestException   if none matched within the timeout
     * @throws InterruptedException if interrupted while waiting
     */
    public RecordedRequest awaitRequest(Predicate<? super RecordedRequest> predicate, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long seen = 0;
        while (true) {
            long upTo = currentVisibleSeq();
            for (RecordedRequest r : visibleRequests(seen)) if (predicate.test(r)) return r;
            seen = upTo;
            lock.lock();
            try {
                while (lastVisibleSeq == seen) {
                    long nanos = deadline - System.nanoTime();
                    if (nanos <= 0) {
                        throw new NoRequestException("no matching request arrived at " + name.get() + " within "
                                + describe(timeout) + " (" + recordedLocked() + ")");
                    }
                    changed.awaitNanos(nanos);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Waits until an exchange in the ring, in the state it has now, matches.
     *
     * @param predicate what to look for; called without any lock, on the caller's thread
     * @param timeout   the longest wait
     * @return a snapshot of the earliest matching exchange
     * @throws NoRequestException   if none matched within the timeout
     * @throws InterruptedException if interrupted while waiting
     */
    public RecordedExchange awaitExchange(Predicate<? super RecordedExchange> predicate, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long seen;
            List<ExchangeRecorder> all;
            lock.lock();
            try {
                seen = changes;
                all = new ArrayList<>(ring);
            } finally {
                lock.unlock();
            }
            for (ExchangeRecorder r : all) {
                RecordedExchange e = r.snapshot();
                if (predicate.test(e)) return e;
            }
            lock.lock();
            try {
                while (changes == seen) {
                    long nanos = deadline - System.nanoTime();
                    if (nanos <= 0) {
                        throw new NoRequestException("no matching exchange at " + name.get() + " within "
                                + describe(timeout) + " (" + recordedLocked() + ")");
                    }
                    changed.awaitNanos(nanos);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private long currentVisibleSeq() {
        lock.lock();
        try {
            return lastVisibleSeq;
        } finally {
            lock.unlock();
        }
    }

    /** @return the exchanges in the ring, oldest first, as recorded now */
    public List<RecordedExchange> exchanges() {
        List<ExchangeRecorder> all = recorders();
        List<RecordedExchange> list = new ArrayList<>(all.size());
        for (ExchangeRecorder r : all) list.add(r.snapshot());
        return list;
    }

    /** @return the recorders in the ring, oldest first */
    public List<ExchangeRecorder> recorders() {
        lock.lock();
        try {
            return new ArrayList<>(ring);
        } finally {
            lock.unlock();
        }
    }

    /**
     * @param id an exchange id
     * @return its recorder, if it is still in the ring
     */
    public Optional<ExchangeRecorder> find(long id) {
        lock.lock();
        try {
            // Ids ascend along the ring: look from the newest end, where the UI's clicks usually land.
            var it = ring.descendingIterator();
            while (it.hasNext()) {
                ExchangeRecorder r = it.next();
                if (r.id() == id) return Optional.of(r);
                if (r.id() < id) break;
            }
            return Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    /** Removes every recorded exchange; exchanges still running go on but are no longer recorded. */
    public void clear() {
        lock.lock();
        try {
            for (ExchangeRecorder r : ring) r.removed = true;
            ring.clear();
            untaken.clear();
            changes++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (Listener l : listeners) l.cleared();
    }

    /**
     * @param listener told of every change from now on
     * @return what removes it again
     */
    public Runnable subscribe(Listener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    private String recordedLocked() {
        long visible = ring.stream().filter(r -> r.visibleSeq > 0).count();
        if (visible == 0) return ring.isEmpty() ? "none recorded" : ring.size() + " still arriving";
        return visible + " recorded, " + untaken.size() + " not taken";
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
