package io.lrok;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How an agent dials its relay again after the connection is lost: exponential backoff with jitter, from
 * {@code initialDelay} doubling up to {@code maxDelay}, each delay drawn at random from its upper half so that many
 * agents cut off at once do not come back in step. Attempts go on until one succeeds, the relay refuses the agent
 * for good (such as a revoked token), or {@code giveUpAfter} has passed since the connection was lost.
 *
 * @param enabled      whether to reconnect at all; when false a lost connection closes the tunnels
 * @param initialDelay the delay before the first attempt (halved at random, like every delay)
 * @param maxDelay     the longest delay between two attempts
 * @param giveUpAfter  how long to keep trying after the connection was lost; {@link Duration#ZERO} for ever
 */
public record ReconnectPolicy(boolean enabled, Duration initialDelay, Duration maxDelay, Duration giveUpAfter) {

    /** 200 ms: a relay that restarts or a network that blinks is usually back within a second. */
    public static final Duration DEFAULT_INITIAL_DELAY = Duration.ofMillis(200);
    /** 30 s: a relay that stays away is tried twice a minute, which costs it nothing. */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(30);
    /** Try for ever: a laptop that sleeps or changes network comes back whenever it does. */
    public static final Duration DEFAULT_GIVE_UP_AFTER = Duration.ZERO;

    /** Checks the values. */
    public ReconnectPolicy {
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        Objects.requireNonNull(giveUpAfter, "giveUpAfter");
        if (initialDelay.isNegative() || initialDelay.isZero()) {
            throw new IllegalArgumentException("initialDelay must be positive");
        }
        if (maxDelay.compareTo(initialDelay) < 0) throw new IllegalArgumentException("maxDelay must be >= initialDelay");
        if (giveUpAfter.isNegative()) throw new IllegalArgumentException("giveUpAfter must not be negative");
    }

    /** @return reconnect for ever, from 200 ms doubling to 30 s (the {@code DEFAULT_*} constants) */
    public static ReconnectPolicy defaults() {
        return new ReconnectPolicy(true, DEFAULT_INITIAL_DELAY, DEFAULT_MAX_DELAY, DEFAULT_GIVE_UP_AFTER);
    }

    /** @return never reconnect: a lost connection closes the tunnels at once */
    public static ReconnectPolicy disabled() {
        return new ReconnectPolicy(false, DEFAULT_INITIAL_DELAY, DEFAULT_MAX_DELAY, DEFAULT_GIVE_UP_AFTER);
    }

    /**
     * @param initial the delay before the first attempt
     * @param max     the longest delay
     * @return a copy with these delays
     */
    public ReconnectPolicy withDelays(Duration initial, Duration max) {
        return new ReconnectPolicy(enabled, initial, max, giveUpAfter);
    }

    /** @param value how long to keep trying, zero for ever @return a copy with it */
    public ReconnectPolicy withGiveUpAfter(Duration value) {
        return new ReconnectPolicy(enabled, initialDelay, maxDelay, value);
    }

    /**
     * The delay before an attempt: {@code min(maxDelay, initialDelay * 2^attempt)}, then a random point in its
     * upper half.
     *
     * @param attempt the number of attempts already made in this outage, from 0
     * @return the delay to wait before the next one
     */
    public Duration delayBefore(int attempt) {
        long ceiling = maxDelay.toNanos();
        long base = initialDelay.toNanos();
        long delay = attempt >= 62 || base > ceiling >> Math.min(attempt, 62) ? ceiling : base << attempt;
        delay = Math.min(delay, ceiling);
        long half = delay / 2;
        return Duration.ofNanos(half + ThreadLocalRandom.current().nextLong(delay - half + 1));
    }
}
