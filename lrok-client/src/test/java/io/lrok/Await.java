package io.lrok;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a bound, for state that offers nothing to block on (a flag another thread sets). */
final class Await {
    private Await() {
    }

    static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + FakeRelay.WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + FakeRelay.WAIT + ": " + what);
            LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
        }
    }
}
