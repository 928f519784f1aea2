package io.lrok.mux;

import io.lrok.testing.Await;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An application thread in a test, whose outcome is awaited with a bound. A platform thread on purpose: its
 * {@link Thread.State} tells a wait on a lock or condition (WAITING) from socket I/O (RUNNABLE).
 *
 * @param <T> what the task returns
 */
final class AppThread<T> {
    private final Thread thread;
    private final CompletableFuture<T> result = new CompletableFuture<>();

    private AppThread(String name, Callable<T> task) {
        thread = Thread.ofPlatform().name(name).daemon().unstarted(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
    }

    static <T> AppThread<T> start(String name, Callable<T> task) {
        AppThread<T> app = new AppThread<>(name, task);
        app.thread.start();
        return app;
    }

    Thread thread() {
        return thread;
    }

    boolean isDone() {
        return result.isDone();
    }

    /** The task's result; fails the test if it threw or did not finish in time. */
    T await(Duration timeout) throws Exception {
        try {
            return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(thread.getName() + " did not finish within " + timeout.toMillis() + " ms; "
                    + thread.getState() + " at " + Arrays.toString(thread.getStackTrace()));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) throw cause;
            throw e;
        }
    }

    /** What the task threw; fails the test if it returned normally or did not finish in time. */
    Throwable awaitFailure(Duration timeout) throws InterruptedException {
        try {
            T value = await(timeout);
            throw new AssertionError(thread.getName() + " returned " + value + " instead of failing");
        } catch (AssertionError e) {
            throw e;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return e;
        }
    }

    /** Waits until the thread is in {@code state}, e.g. WAITING for a window update. */
    void awaitState(Thread.State state, Duration timeout) {
        Await.until(thread.getName() + " is " + state, timeout, () -> thread.getState() == state || result.isDone());
        if (result.isDone()) {
            throw new AssertionError(thread.getName() + " finished instead of reaching " + state + ": " + result);
        }
    }
}
