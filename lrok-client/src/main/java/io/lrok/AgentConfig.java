package io.lrok;

import io.lrok.http.HttpLimits;
import io.lrok.internal.wire.Protocol;
import io.lrok.mux.MuxConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * Every limit and timeout of the agent (the lrok side that dials the relay and forwards to the local app), in one
 * place; give it to {@link HttpTunnelBuilder#agentConfig}, {@link TcpTunnelBuilder#agentConfig} or
 * {@link LrokClient#connect(io.lrok.spi.RelayEndpoint, AgentConfig, ConnectionListener...)}. Immutable: start from
 * {@link #defaults()} and change what you need with the {@code withX} methods. The defaults are the
 * {@code DEFAULT_*} constants below; the protocol's own timeouts come from lrok-core's {@code Protocol}, the
 * multiplexer's from {@link MuxConfig}, the HTTP codec's from {@link HttpLimits}. docs/operations.md lists them all.
 *
 * @param relayConnectTimeout      how long the TCP connect to the relay may take (also bounded by
 *                                 {@code handshakeTimeout})
 * @param handshakeTimeout         from the TCP connect to the relay's welcome
 * @param bindTimeout              how long a bind waits for the relay's bound or error
 * @param streamHeaderTimeout      how long a stream the relay opened may take to deliver its stream header
 * @param errorLinger              after sending an error that ends the session, how long the agent waits for the
 *                                 relay to close the connection before closing it itself
 * @param localConnectTimeout      how long connecting to the local app may take (TLS handshake included)
 * @param maxIdleLocalConnections  idle keep-alive connections to the local app kept per tunnel
 * @param localIdleTimeout         how long an idle connection to the local app is kept before it is closed
 * @param requestBodyGrace         after a response has ended, how long the forwarder waits for the request body
 *                                 to finish before it closes the local connection instead of reusing it
 * @param copyBufferSize           the buffer of each body copy; every read is written and flushed at once
 * @param httpLimits               limits on request heads from the relay and response heads from the local app
 * @param muxConfig                the multiplexer's settings for the relay connection; its keepalive is the
 *                                 heartbeat that detects a dead relay within interval + timeout
 * @param reconnect                how to dial again after losing the relay
 * @param localResponseTimeout     how long the local app may take to start its response (its status line and
 *                                 headers) once the request is sent; past it the public client gets 504.
 *                                 {@link Duration#ZERO} waits for ever. A body may take as long as it likes
 */
public record AgentConfig(
        Duration relayConnectTimeout,
        Duration handshakeTimeout,
        Duration bindTimeout,
        Duration streamHeaderTimeout,
        Duration errorLinger,
        Duration localConnectTimeout,
        int maxIdleLocalConnections,
        Duration localIdleTimeout,
        Duration requestBodyGrace,
        int copyBufferSize,
        HttpLimits httpLimits,
        MuxConfig muxConfig,
        ReconnectPolicy reconnect,
        Duration localResponseTimeout) {

    /** TCP connect to the relay: 5 s; the whole handshake is bounded by {@code handshakeTimeout} (10 s). */
    public static final Duration DEFAULT_RELAY_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** A stream header should follow its stream's opening at once: 10 s before the stream is reset. */
    public static final Duration DEFAULT_STREAM_HEADER_TIMEOUT = Duration.ofSeconds(10);
    /** 1 s: the multiplexer drops a stream's unread data when its connection closes, so a side that ends the
     *  session with an error lets the other read it first, and closes the connection when the other has or after
     *  this long. */
    public static final Duration DEFAULT_ERROR_LINGER = Duration.ofSeconds(1);
    /** Connect (and TLS handshake) to the local app: 5 s; on loopback a refusal is immediate anyway. */
    public static final Duration DEFAULT_LOCAL_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Idle keep-alive connections per tunnel: 128. With 16, a load of 64 concurrent requests (wrk -c64) opened a new
     *  local connection for one exchange in eight, and bench/compare measured 9,200 against 13,900 requests/s with
     *  128; an idle connection costs a socket and is closed after {@link #DEFAULT_LOCAL_IDLE_TIMEOUT} anyway. */
    public static final int DEFAULT_MAX_IDLE_LOCAL_CONNECTIONS = 128;
    /** Idle keep-alive connections are closed after 4 s: below Node's 5 s server keep-alive timeout, the shortest
     *  common one, so that a pooled connection is rarely one the app is closing at the same moment. */
    public static final Duration DEFAULT_LOCAL_IDLE_TIMEOUT = Duration.ofSeconds(4);
    /** 1 s: a request body normally ends before its response; one still flowing after it means the app answered
     *  without reading it, and its connection is closed rather than reused. */
    public static final Duration DEFAULT_REQUEST_BODY_GRACE = Duration.ofSeconds(1);
    /** 5 minutes for the local app to start answering: well above common long polls (30 to 120 s) and slow reports,
     *  yet a hung app is reported (504) rather than held for ever; server-sent events and slow bodies are unaffected
     *  (only the head is timed). */
    public static final Duration DEFAULT_LOCAL_RESPONSE_TIMEOUT = Duration.ofMinutes(5);
    /** 16 KiB per copy direction. */
    public static final int DEFAULT_COPY_BUFFER_SIZE = 16 * 1024;
    /**
     * The agent's receive window per stream (its multiplexer's {@link MuxConfig#maxStreamWindow()}): how far the relay
     * may send ahead of the local app reading a request body or a TCP connection's bytes. 4 MiB rather than yamux's
     * 256 KiB: on one bulk stream through the tunnel the window, not the CPU, was the limit (docs/benchmarks.md). It
     * costs memory only for a stream whose local reader is slower than the relay, at most this much per stream.
     */
    public static final int DEFAULT_STREAM_WINDOW = 4 * 1024 * 1024;

    /** Checks the values. */
    public AgentConfig {
        positive("relayConnectTimeout", relayConnectTimeout);
        positive("handshakeTimeout", handshakeTimeout);
        positive("bindTimeout", bindTimeout);
        positive("streamHeaderTimeout", streamHeaderTimeout);
        positive("errorLinger", errorLinger);
        positive("localConnectTimeout", localConnectTimeout);
        positive("localIdleTimeout", localIdleTimeout);
        Objects.requireNonNull(requestBodyGrace, "requestBodyGrace");
        if (requestBodyGrace.isNegative()) throw new IllegalArgumentException("requestBodyGrace must not be negative");
        if (maxIdleLocalConnections < 0) throw new IllegalArgumentException("maxIdleLocalConnections must be >= 0");
        if (copyBufferSize < 512) throw new IllegalArgumentException("copyBufferSize must be at least 512");
        Objects.requireNonNull(httpLimits, "httpLimits");
        Objects.requireNonNull(muxConfig, "muxConfig");
        Objects.requireNonNull(reconnect, "reconnect");
        Objects.requireNonNull(localResponseTimeout, "localResponseTimeout");
        if (localResponseTimeout.isNegative()) {
            throw new IllegalArgumentException("localResponseTimeout must not be negative");
        }
    }

    /** @return the defaults: the {@code DEFAULT_*} constants, the protocol's timeouts, default HTTP and mux limits */
    public static AgentConfig defaults() {
        return new AgentConfig(DEFAULT_RELAY_CONNECT_TIMEOUT, Protocol.HANDSHAKE_TIMEOUT, Protocol.BIND_TIMEOUT,
                DEFAULT_STREAM_HEADER_TIMEOUT, DEFAULT_ERROR_LINGER, DEFAULT_LOCAL_CONNECT_TIMEOUT,
                DEFAULT_MAX_IDLE_LOCAL_CONNECTIONS, DEFAULT_LOCAL_IDLE_TIMEOUT, DEFAULT_REQUEST_BODY_GRACE,
                DEFAULT_COPY_BUFFER_SIZE, HttpLimits.defaults(),
                MuxConfig.defaults().withMaxStreamWindow(DEFAULT_STREAM_WINDOW), ReconnectPolicy.defaults(),
                DEFAULT_LOCAL_RESPONSE_TIMEOUT);
    }

    /** @param value the new timeout @return a copy with it */
    public AgentConfig withHandshakeTimeout(Duration value) {
        return new AgentConfig(relayConnectTimeout, value, bindTimeout, streamHeaderTimeout, errorLinger,
                localConnectTimeout, maxIdleLocalConnections, localIdleTimeout, requestBodyGrace, copyBufferSize,
                httpLimits, muxConfig, reconnect, localResponseTimeout);
    }

    /** @param value the new timeout @return a copy with it */
    public AgentConfig withBindTimeout(Duration value) {
        return new AgentConfig(relayConnectTimeout, handshakeTimeout, value, streamHeaderTimeout, errorLinger,
                localConnectTimeout, maxIdleLocalConnections, localIdleTimeout, requestBodyGrace, copyBufferSize,
                httpLimits, muxConfig, reconnect, localResponseTimeout);
    }

    /** @param value the new limit @return a copy with it */
    public AgentConfig withMaxIdleLocalConnections(int value) {
        return new AgentConfig(relayConnectTimeout, handshakeTimeout, bindTimeout, streamHeaderTimeout, errorLinger,
                localConnectTimeout, value, localIdleTimeout, requestBodyGrace, copyBufferSize, httpLimits, muxConfig,
                reconnect, localResponseTimeout);
    }

    /** @param value the new timeout @return a copy with it */
    public AgentConfig withLocalIdleTimeout(Duration value) {
        return new AgentConfig(relayConnectTimeout, handshakeTimeout, bindTimeout, streamHeaderTimeout, errorLinger,
                localConnectTimeout, maxIdleLocalConnections, value, requestBodyGrace, copyBufferSize, httpLimits,
                muxConfig, reconnect, localResponseTimeout);
    }

    /** @param value the new grace period @return a copy with it */
    public AgentConfig withRequestBodyGrace(Duration value) {
        return new AgentConfig(relayConnectTimeout, handshakeTimeout, bindTimeout, streamHeaderTimeout, errorLinger,
                localConnectTimeout, maxIdleLocalConnections, localIdleTimeout, value, copyBufferSize, httpLimits,
                muxConfig, reconnect, localResponseTimeout);
    }

    /** @param value the new settings @return a copy with them */
    public AgentConfig withMuxConfig(MuxConfig value) {
        return new AgentConfig(relayConnectTimeout, handshakeTimeout, bindTimeout, streamHeaderTimeout, errorLinger,
                localConnectTimeout, maxIdleLocalConnections, localIdleTimeout, requestBodyGrace, copyBufferSize,
                httpLimits, value, reconnect, localResponseTimeout);
    }

    /** @param value the new policy @return a copy with it */
    public AgentConfig withReconnect(ReconnectPolicy value) {
        return new AgentConfig(relayConnectTimeout, handshakeTimeout, bindTimeout, streamHeaderTimeout, errorLinger,
                localConnectTimeout, maxIdleLocalConnections, localIdleTimeout, requestBodyGrace, copyBufferSize,
                httpLimits, muxConfig, value, localResponseTimeout);
    }

    /** @param value the new timeout @return a copy with it */
    public AgentConfig withLocalConnectTimeout(Duration value) {
        return new AgentConfig(relayConnectTimeout, handshakeTimeout, bindTimeout, streamHeaderTimeout, errorLinger,
                value, maxIdleLocalConnections, localIdleTimeout, requestBodyGrace, copyBufferSize, httpLimits,
                muxConfig, reconnect, localResponseTimeout);
    }

    /** @param value the new limits on heads from the relay and from the local app @return a copy with them */
    public AgentConfig withHttpLimits(HttpLimits value) {
        return new AgentConfig(relayConnectTimeout, handshakeTimeout, bindTimeout, streamHeaderTimeout, errorLinger,
                localConnectTimeout, maxIdleLocalConnections, localIdleTimeout, requestBodyGrace, copyBufferSize,
                value, muxConfig, reconnect, localResponseTimeout);
    }

    /** @param value the new timeout, zero for none @return a copy with it */
    public AgentConfig withLocalResponseTimeout(Duration value) {
        return new AgentConfig(relayConnectTimeout, handshakeTimeout, bindTimeout, streamHeaderTimeout, errorLinger,
                localConnectTimeout, maxIdleLocalConnections, localIdleTimeout, requestBodyGrace, copyBufferSize,
                httpLimits, muxConfig, reconnect, value);
    }

    /**
     * @param interval how often to ping a quiet relay
     * @param timeout  how long a ping may go unanswered, with nothing else arriving, before the connection is
     *                 taken for dead
     * @return a copy whose multiplexer keepalive is this heartbeat
     */
    public AgentConfig withHeartbeat(Duration interval, Duration timeout) {
        return withMuxConfig(muxConfig.withKeepAliveInterval(interval).withKeepAliveTimeout(timeout));
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) throw new IllegalArgumentException(name + " must be positive");
    }
}
