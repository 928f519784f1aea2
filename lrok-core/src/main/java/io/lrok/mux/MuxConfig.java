package io.lrok.mux;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits and timeouts of a {@link MuxSession}. Immutable; start from {@link #defaults()} and change what you
 * need with the {@code withX} methods. The defaults match hashicorp/yamux where it has an equivalent.
 *
 * @param acceptBacklog          inbound streams that may wait for {@link MuxSession#acceptStream()}; further
 *                               SYNs are refused with RST. Also caps our own un-acknowledged outbound streams:
 *                               {@link MuxSession#openStream()} waits while that many are pending.
 * @param maxStreamWindow        the per-stream receive window in bytes, at least 256 KiB (the protocol's initial
 *                               window); a larger one is granted to the peer by the stream's first window update
 * @param keepAliveInterval      how often to ping an idle peer; {@link Duration#ZERO} disables keepalive
 * @param keepAliveTimeout       how long a ping may stay unanswered, with no other frame arriving, before the
 *                               session is declared dead; also bounds {@link MuxSession#ping()}
 * @param writeTimeout           how long one write to the connection may block before the session is closed
 *                               (a peer that stopped reading)
 * @param streamOpenTimeout      how long an opened stream may wait for the peer's ACK before it is reset;
 *                               {@link Duration#ZERO} waits forever
 * @param streamCloseTimeout     how long a stream the application has closed may wait for the peer to finish
 *                               it (FIN) before it is reset; a half-close ({@link MuxStream#shutdownOutput()})
 *                               alone is not limited, as the application is still reading; {@link Duration#ZERO}
 *                               waits forever
 * @param maxConcurrentStreams   streams (both directions) the session holds at once; beyond it
 *                               {@code openStream} fails and inbound SYNs are refused with RST
 * @param maxSendFrameSize       the largest Data payload we send; we accept frames as large as the window
 * @param maxPendingControlFrames small frames (acks, window updates, pongs, resets) that may wait for the
 *                               connection; a peer that floods us without reading our replies past this
 *                               bound has its session closed
 * @param maxRefusedStreams      streams refused for a full accept backlog, with no stream accepted by the
 *                               application in between, before the session is closed as a SYN flood; a
 *                               well-behaved peer rarely exceeds our backlog, as it caps its own
 *                               un-acknowledged streams the same way
 */
public record MuxConfig(
        int acceptBacklog,
        int maxStreamWindow,
        Duration keepAliveInterval,
        Duration keepAliveTimeout,
        Duration writeTimeout,
        Duration streamOpenTimeout,
        Duration streamCloseTimeout,
        int maxConcurrentStreams,
        int maxSendFrameSize,
        int maxPendingControlFrames,
        int maxRefusedStreams) {

    /** The window every stream starts with, fixed by the protocol. */
    public static final int INITIAL_STREAM_WINDOW = 256 * 1024;

    /**
     * The size of a frame header: a Data frame of n payload bytes goes out as n + 12 bytes, in one write to the
     * connection. A writer that wants whole frames of a given size (a multiple of the TLS record size, say) reads
     * this much less payload.
     */
    public static final int FRAME_HEADER_SIZE = 12;

    /** The largest window we allow: the protocol counts windows in 32 bits. */
    public static final int MAX_STREAM_WINDOW_LIMIT = 1 << 30;

    /** Validates the values. */
    public MuxConfig {
        requirePositive("acceptBacklog", acceptBacklog);
        if (maxStreamWindow < INITIAL_STREAM_WINDOW || maxStreamWindow > MAX_STREAM_WINDOW_LIMIT) {
            throw new IllegalArgumentException("maxStreamWindow must be between " + INITIAL_STREAM_WINDOW + " and "
                    + MAX_STREAM_WINDOW_LIMIT + ": " + maxStreamWindow);
        }
        requireNonNegative("keepAliveInterval", keepAliveInterval);
        requirePositiveDuration("keepAliveTimeout", keepAliveTimeout);
        requirePositiveDuration("writeTimeout", writeTimeout);
        requireNonNegative("streamOpenTimeout", streamOpenTimeout);
        requireNonNegative("streamCloseTimeout", streamCloseTimeout);
        requirePositive("maxConcurrentStreams", maxConcurrentStreams);
        if (maxSendFrameSize < 1024 || maxSendFrameSize > INITIAL_STREAM_WINDOW) {
            throw new IllegalArgumentException("maxSendFrameSize must be between 1024 and " + INITIAL_STREAM_WINDOW
                    + ": " + maxSendFrameSize);
        }
        requirePositive("maxPendingControlFrames", maxPendingControlFrames);
        requirePositive("maxRefusedStreams", maxRefusedStreams);
    }

    /**
     * The defaults: backlog 256, window 256 KiB, keepalive every 30 s with a 10 s timeout, write timeout 10 s,
     * open timeout 75 s, close timeout 5 min, 65,536 concurrent streams, 64 KiB frames, 4,096 pending control
     * frames, 1,024 refused streams.
     *
     * @return the default configuration
     */
    public static MuxConfig defaults() {
        return new MuxConfig(256, INITIAL_STREAM_WINDOW, Duration.ofSeconds(30), Duration.ofSeconds(10),
                Duration.ofSeconds(10), Duration.ofSeconds(75), Duration.ofMinutes(5), 65_536, 64 * 1024,
                4_096, 1_024);
    }

    /** @param value the new accept backlog @return a copy with it */
    public MuxConfig withAcceptBacklog(int value) {
        return new MuxConfig(value, maxStreamWindow, keepAliveInterval, keepAliveTimeout, writeTimeout,
                streamOpenTimeout, streamCloseTimeout, maxConcurrentStreams, maxSendFrameSize,
                maxPendingControlFrames, maxRefusedStreams);
    }

    /** @param value the new per-stream receive window in bytes @return a copy with it */
    public MuxConfig withMaxStreamWindow(int value) {
        return new MuxConfig(acceptBacklog, value, keepAliveInterval, keepAliveTimeout, writeTimeout,
                streamOpenTimeout, streamCloseTimeout, maxConcurrentStreams, maxSendFrameSize,
                maxPendingControlFrames, maxRefusedStreams);
    }

    /** @param value the new keepalive interval, zero to disable @return a copy with it */
    public MuxConfig withKeepAliveInterval(Duration value) {
        return new MuxConfig(acceptBacklog, maxStreamWindow, value, keepAliveTimeout, writeTimeout,
                streamOpenTimeout, streamCloseTimeout, maxConcurrentStreams, maxSendFrameSize,
                maxPendingControlFrames, maxRefusedStreams);
    }

    /** @param value the new keepalive (and ping) timeout @return a copy with it */
    public MuxConfig withKeepAliveTimeout(Duration value) {
        return new MuxConfig(acceptBacklog, maxStreamWindow, keepAliveInterval, value, writeTimeout,
                streamOpenTimeout, streamCloseTimeout, maxConcurrentStreams, maxSendFrameSize,
                maxPendingControlFrames, maxRefusedStreams);
    }

    /** @param value the new connection write timeout @return a copy with it */
    public MuxConfig withWriteTimeout(Duration value) {
        return new MuxConfig(acceptBacklog, maxStreamWindow, keepAliveInterval, keepAliveTimeout, value,
                streamOpenTimeout, streamCloseTimeout, maxConcurrentStreams, maxSendFrameSize,
                maxPendingControlFrames, maxRefusedStreams);
    }

    /** @param value the new stream open timeout, zero for none @return a copy with it */
    public MuxConfig withStreamOpenTimeout(Duration value) {
        return new MuxConfig(acceptBacklog, maxStreamWindow, keepAliveInterval, keepAliveTimeout, writeTimeout,
                value, streamCloseTimeout, maxConcurrentStreams, maxSendFrameSize,
                maxPendingControlFrames, maxRefusedStreams);
    }

    /** @param value the new stream close timeout, zero for none @return a copy with it */
    public MuxConfig withStreamCloseTimeout(Duration value) {
        return new MuxConfig(acceptBacklog, maxStreamWindow, keepAliveInterval, keepAliveTimeout, writeTimeout,
                streamOpenTimeout, value, maxConcurrentStreams, maxSendFrameSize,
                maxPendingControlFrames, maxRefusedStreams);
    }

    /** @param value the new limit on concurrent streams @return a copy with it */
    public MuxConfig withMaxConcurrentStreams(int value) {
        return new MuxConfig(acceptBacklog, maxStreamWindow, keepAliveInterval, keepAliveTimeout, writeTimeout,
                streamOpenTimeout, streamCloseTimeout, value, maxSendFrameSize,
                maxPendingControlFrames, maxRefusedStreams);
    }

    /** @param value the new largest Data payload to send @return a copy with it */
    public MuxConfig withMaxSendFrameSize(int value) {
        return new MuxConfig(acceptBacklog, maxStreamWindow, keepAliveInterval, keepAliveTimeout, writeTimeout,
                streamOpenTimeout, streamCloseTimeout, maxConcurrentStreams, value,
                maxPendingControlFrames, maxRefusedStreams);
    }

    /** @param value the new bound on control frames waiting for the connection @return a copy with it */
    public MuxConfig withMaxPendingControlFrames(int value) {
        return new MuxConfig(acceptBacklog, maxStreamWindow, keepAliveInterval, keepAliveTimeout, writeTimeout,
                streamOpenTimeout, streamCloseTimeout, maxConcurrentStreams, maxSendFrameSize,
                value, maxRefusedStreams);
    }

    /** @param value the new number of refused streams that ends the session @return a copy with it */
    public MuxConfig withMaxRefusedStreams(int value) {
        return new MuxConfig(acceptBacklog, maxStreamWindow, keepAliveInterval, keepAliveTimeout, writeTimeout,
                streamOpenTimeout, streamCloseTimeout, maxConcurrentStreams, maxSendFrameSize,
                maxPendingControlFrames, value);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) throw new IllegalArgumentException(name + " must be positive: " + value);
    }

    private static void requireNonNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) throw new IllegalArgumentException(name + " must not be negative: " + value);
    }

    private static void requirePositiveDuration(String name, Duration value) {
        requireNonNegative(name, value);
        if (value.isZero()) throw new IllegalArgumentException(name + " must be positive");
    }
}
