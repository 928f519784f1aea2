package io.lrok.bench;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop HTTP load generator that holds its rate, like wrk2: request i is due at {@code start + i / rate},
 * a platform thread starts a virtual thread for it at that time whatever the earlier requests are doing, and its
 * latency is measured from that intended time, not from when it was actually sent. A slow response therefore counts
 * against every request that had to wait behind it (no coordinated omission). Requests reuse kept-alive connections;
 * when none is free a new one is opened, up to {@link #MAX_CONNECTIONS}.
 */
final class OpenLoop {
    /** The most connections the generator opens; beyond it requests wait for one (their wait counts). */
    static final int MAX_CONNECTIONS = 256;
    /** The first request is due this long after the run starts, so that setting up does not make it late. */
    static final long START_DELAY_NANOS = 10_000_000;

    /** Latencies of one run, in nanoseconds, sorted; and how many requests failed. */
    record Result(long[] latencies, int errors) {
        double percentileMillis(double p) {
            if (latencies.length == 0) return Double.NaN;
            int index = (int) Math.min(latencies.length - 1, Math.ceil(p / 100 * latencies.length) - 1);
            return latencies[Math.max(0, index)] / 1e6;
        }
    }

    private OpenLoop() {
    }

    /**
     * Sends {@code rate} requests a second for {@code warmupSeconds + seconds}; the first {@code warmupSeconds}
     * are not recorded.
     */
    static Result run(Loads.HttpTarget target, int rate, double seconds, double warmupSeconds) throws Exception {
        int warm = (int) (rate * warmupSeconds);
        int total = warm + (int) (rate * seconds);
        long period = 1_000_000_000L / rate;
        long[] latencies = new long[total];
        Arrays.fill(latencies, -1);
        AtomicInteger errors = new AtomicInteger();
        ConcurrentLinkedDeque<Loads.HttpConnection> idle = new ConcurrentLinkedDeque<>();
        Semaphore connections = new Semaphore(MAX_CONNECTIONS);
        try (ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor()) {
            long start = System.nanoTime() + START_DELAY_NANOS;
            for (int i = 0; i < total; i++) {
                long due = start + i * period;
                for (long wait; (wait = due - System.nanoTime()) > 0; ) LockSupport.parkNanos(wait);
                int index = i;
                requests.submit(() -> {
                    Loads.HttpConnection c = idle.pollFirst();
                    try {
                        if (c == null) {
                            connections.acquire();
                            c = idle.pollFirst(); // one may have come back meanwhile
                            if (c == null) {
                                c = new Loads.HttpConnection(target);
                            } else {
                                connections.release();
                            }
                        }
                        c.exchange();
                        latencies[index] = System.nanoTime() - due;
                        idle.addFirst(c);
                    } catch (IOException | InterruptedException e) {
                        errors.incrementAndGet();
                        if (c != null) {
                            try {
                                c.close();
                            } catch (IOException ignored) {
                                // it failed already
                            }
                            connections.release();
                        }
                    }
                });
            }
        }
        for (Loads.HttpConnection c : idle) c.close();
        long[] recorded = Arrays.stream(latencies, warm, total).filter(l -> l >= 0).sorted().toArray();
        return new Result(recorded, errors.get());
    }
}
