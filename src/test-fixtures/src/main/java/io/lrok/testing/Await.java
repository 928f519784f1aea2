package io.lrok.testing;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Bounded waits for tests: for a condition that no event announces (a counter another thread bumps, a port
 * closing), polled every few milliseconds, and for a latch. Never an unbounded wait, never a bare sleep.
 */
public final class Await {
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private Await() {}

  /**
   * Returns once {@code condition} holds; fails the test if it does not within {@code bound}.
   *
   * @param what what is awaited, for the failure message
   * @param bound the longest wait
   * @param condition polled until it is true
   */
  public static void until(String what, Duration bound, BooleanSupplier condition) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + bound + ": " + what);
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  /**
   * Returns once {@code latch} has counted down; fails the test if it does not within {@code bound}.
   *
   * @param what what the latch stands for, for the failure message
   * @param bound the longest wait
   * @param latch the latch
   */
  public static void latch(String what, Duration bound, CountDownLatch latch) throws InterruptedException {
    if (!latch.await(bound.toNanos(), TimeUnit.NANOSECONDS)) {
      throw new AssertionError("not within " + bound + ": " + what + " (" + latch.getCount() + " to go)");
    }
  }
}
