package io.lrok.testing;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits, with a bound, for a condition that no event announces (a port closing, a counter reaching a value, a
 * thread ending): the tests' replacement for sleeping a guessed time.
 */
public final class Await {
    /** The bound when a test names none: generous, for a loaded 2-core machine. */
    public static final Duration DEFAULT_BOUND = Duration.ofSeconds(30);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private Await() {
    }

    /**
     * Polls {@code condition} until it holds, for at most {@link #DEFAULT_BOUND}.
     *
     * @param what      what is awaited, for the failure message
     * @param condition the condition
     * @throws AssertionError naming {@code what} if it still does not hold after the bound
     */
    public static void until(String what, BooleanSupplier condition) {
        until(what, DEFAULT_BOUND, condition);
    }

    /**
     * Polls {@code condition} until it holds.
     *
     * @param what      what is awaited, for the failure message
     * @param bound     the longest wait
     * @param condition the condition
     * @throws AssertionError naming {@code what} if it still does not hold after {@code bound}
     */
    public static void until(String what, Duration bound, BooleanSupplier condition) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("still not true after " + bound.toMillis() + " ms: " + what);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /**
     * Waits until {@code latch} has counted down.
     *
     * @param what  what the latch stands for, for the failure message
     * @param bound the longest wait
     * @param latch the latch
     * @throws AssertionError naming {@code what} and the counts still missing if it has not counted down after
     *                        {@code bound}
     */
    public static void latch(String what, Duration bound, CountDownLatch latch) throws InterruptedException {
        if (!latch.await(bound.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new AssertionError("still not true after " + bound.toMillis() + " ms: " + what + " ("
                    + latch.getCount() + " to go)");
        }
    }
}
