package io.lrok.mux;

import io.lrok.testing.Await;
import java.time.Duration;

/** Checks that tests leave nothing behind: heap use after a full collection, and a session's threads. */
final class Leaks {
    private Leaks() {}

    /** Bytes of heap in use after asking twice for a full collection; compare two calls with generous bounds. */
    static long usedHeapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        System.gc();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /** Waits until the session's reader and control writer threads have ended. */
    static void awaitSessionThreadsGone(MuxSession session, Duration timeout) {
        Await.until("the threads of " + session + " have ended", timeout, () -> !session.threadsAliveForTest());
    }
}
