package io.lrok.testing;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Seeded, reproducible fuzz runs: a run of {@code cases} cases, each with a seed of its own derived from the run's
 * seed, and each failure reported with the seed that reproduces it alone.
 *
 * <ul>
 *   <li>{@code -Dlrok.fuzz.seed=<n>} runs one case, the one with that case seed (as a failure prints it), instead
 *       of the whole run: {@code ./build -q -B test -pl lrok-core -Dtest=FrameFuzzTest -Dlrok.fuzz.seed=123}.</li>
 *   <li>{@code -Dlrok.fuzz.cases=<n>} changes the number of cases of every run (more for a long hunt; the
 *       defaults keep each run to a few seconds).</li>
 * </ul>
 *
 * <p>The run's seed and case count are printed (to the test's output file under surefire), so a passing run can be
 * repeated too. {@link #allocatedBytes()} measures what the current thread allocates, to bound a parser's
 * allocation per input. A case still running after 10 s has its seed printed to standard error, as a
 * hang ends in the test's {@code @Timeout}, which cannot name it.
 */
public final class Fuzz {
    /** The system property that runs a single case by its seed. */
    public static final String SEED_PROPERTY = "lrok.fuzz.seed";
    /** The system property that overrides every run's number of cases. */
    public static final String CASES_PROPERTY = "lrok.fuzz.cases";

    /** Spreads case seeds apart: the 64-bit golden ratio, as {@link java.util.SplittableRandom} uses. */
    private static final long GOLDEN_GAMMA = 0x9E37_79B9_7F4A_7C15L;

    private static final com.sun.management.ThreadMXBean THREADS = threads();
    /** How long one case may run before the watchdog names its seed; cases take milliseconds. */
    private static final Duration CASE_WARNING = Duration.ofSeconds(10);
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lrok-fuzz-watchdog");
        t.setDaemon(true);
        return t;
    });

    private Fuzz() {
    }

    /** One case of a run. */
    @FunctionalInterface
    public interface Case {
        /**
         * Runs one case.
         *
         * @param random the case's random source, seeded with {@code seed}
         * @param seed   the case's seed, to name it in messages
         * @throws Exception if the case fails
         */
        void run(Random random, long seed) throws Exception;
    }

    /**
     * Runs {@code cases} cases (or the one named by {@value #SEED_PROPERTY}), each with a {@link Random} of its own
     * seed. A failing case is reported as an {@link AssertionError} naming its seed and how to run it alone.
     *
     * @param name     the run's name, for messages
     * @param runSeed  the seed the case seeds derive from; fixed in the test, so every run covers the same cases
     * @param cases    the number of cases, unless {@value #CASES_PROPERTY} says otherwise
     * @param testCase what each case does
     * @return the number of cases run
     */
    public static int run(String name, long runSeed, int cases, Case testCase) {
        String only = System.getProperty(SEED_PROPERTY);
        if (only != null && !only.isBlank()) {
            long seed = Long.decode(only.strip());
            System.out.println("fuzz " + name + ": the one case of seed " + seed + " (-D" + SEED_PROPERTY + ")");
            runCase(name, seed, testCase);
            return 1;
        }
        int count = Integer.getInteger(CASES_PROPERTY, cases);
        System.out.println("fuzz " + name + ": " + count + " cases from run seed " + runSeed);
        for (int i = 0; i < count; i++) runCase(name, caseSeed(runSeed, i), testCase);
        return count;
    }

    /**
     * The seed of a run's case.
     *
     * @param runSeed the run's seed
     * @param index   the case's index, from 0
     * @return its seed
     */
    public static long caseSeed(long runSeed, int index) {
        long z = runSeed + (index + 1L) * GOLDEN_GAMMA; // SplitMix64's finalizer: neighbouring indexes far apart
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    private static void runCase(String name, long seed, Case testCase) {
        // A hang ends in the test's @Timeout, which cannot know the seed: the watchdog says it first.
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> System.err.println("fuzz " + name + ": case of seed "
                + seed + " still running after " + CASE_WARNING.toSeconds() + " s (run it alone with -D"
                + SEED_PROPERTY + "=" + seed + ")"), CASE_WARNING.toMillis(), TimeUnit.MILLISECONDS);
        try {
            testCase.run(new Random(seed), seed);
        } catch (Throwable e) {
            throw new AssertionError("fuzz " + name + ": case of seed " + seed + " failed (run it alone with -D"
                    + SEED_PROPERTY + "=" + seed + "): " + e, e);
        } finally {
            watchdog.cancel(false);
        }
    }

    /**
     * The bytes the current thread has allocated so far; the difference of two calls is what ran in between
     * allocated, whether it is still reachable or not.
     *
     * @return the running total, in bytes
     */
    public static long allocatedBytes() {
        long bytes = THREADS.getCurrentThreadAllocatedBytes();
        if (bytes < 0) throw new IllegalStateException("not measurable on a virtual thread: use totalAllocatedBytes");
        return bytes;
    }

    /**
     * The bytes every thread of the JVM has allocated so far, virtual threads included (they allocate on their
     * carriers); for work that runs on threads the test does not own, such as a session's reader. Other threads'
     * allocations are counted too, so a bound on it must leave room for them.
     *
     * @return the running total, in bytes
     */
    public static long totalAllocatedBytes() {
        return THREADS.getTotalThreadAllocatedBytes();
    }

    private static com.sun.management.ThreadMXBean threads() {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean)) {
            throw new IllegalStateException("this JVM cannot measure allocation per thread");
        }
        if (!bean.isThreadAllocatedMemorySupported()) {
            throw new IllegalStateException("this JVM cannot measure allocation per thread");
        }
        bean.setThreadAllocatedMemoryEnabled(true);
        return bean;
    }
}
