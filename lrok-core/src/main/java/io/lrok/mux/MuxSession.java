package io.lrok.mux;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A yamux session over one connection: opens and accepts {@link MuxStream}s, answers and sends pings, and
 * watches the peer's health. Create one with {@link #client(Socket)} on the dialing side and
 * {@link #server(Socket)} on the accepting side (the roles only decide stream id parity).
 *
 * <p>Threads: one reader (a virtual thread) owns the connection's input and never blocks on its output; one
 * control writer (a virtual thread) sends acks, window updates, pings and resets; application threads write
 * stream data themselves (see {@link FrameWriter}). Timeouts are checked by a shared timer thread.
 *
 * <p>Locking: {@code acceptLock} guards {@code acceptQueue}. Streams are held in a concurrent map; each stream
 * guards its own state. No lock is held while calling into another object that takes a lock, except that a
 * stream's lock may be taken under none.
 */
public final class MuxSession implements Closeable {
    private static final System.Logger LOG = System.getLogger(MuxSession.class.getName());
    private static final AtomicLong SESSION_IDS = new AtomicLong();

    private final MuxConfig config;
    private final boolean client;
    private final String name;
    private final FrameInput in;
    private final Closeable connection;
    private final FrameWriter writer;

    private final Map<Integer, MuxStream> streams = new ConcurrentHashMap<>();
    /** Next id we open, as an unsigned 32-bit value in a long; past 0xFFFFFFFF ids are exhausted. */
    private final AtomicLong nextStreamId;
    /** Our outbound streams not yet acknowledged may not exceed the accept backlog. */
    private final Semaphore openPermits;

    private final ReentrantLock acceptLock = new ReentrantLock();
    private final Condition acceptable = acceptLock.newCondition();
    private final ArrayDeque<MuxStream> acceptQueue = new ArrayDeque<>();

    private final Map<Integer, CompletableFuture<Long>> pings = new ConcurrentHashMap<>();
    private final AtomicInteger pingIds = new AtomicInteger();
    /** Streams refused since the application last accepted one; too many in a row is a SYN flood. */
    private final AtomicInteger refusedStreams = new AtomicInteger();

    /** The reader's buffer in front of the connection: a header and small frames are read from it in one go. */
    private static final int READ_BUFFER_SIZE = 64 * 1024;
    /** How long a closing session waits for its final GoAway to be written before closing the connection. */
    private static final long GO_AWAY_LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean connectionClosed = new AtomicBoolean();
    private final CompletableFuture<MuxException> closeReason = new CompletableFuture<>();
    /** Completed with the reason once the session has let go of everything: what {@link #whenClosed()} reports. */
    private final CompletableFuture<MuxException> ended = new CompletableFuture<>();
    private volatile boolean localGoAway;
    private volatile boolean remoteGoAway;

    /** System.nanoTime() of the last frame received; keepalive counts any frame as a sign of life. */
    private volatile long lastFrameAt = System.nanoTime();
    /** The keepalive ping in flight, with the time it was sent; touched only by the timer thread. */
    private CompletableFuture<Long> keepAlivePing;
    private long keepAliveSentAt;
    private long lastKeepAliveAt = System.nanoTime();
    private final ScheduledFuture<?> housekeeping;
    /** The reader and control writer threads, kept so that tests can check they end with the session. */
    private final Thread readerThread;
    private final Thread controlWriterThread;

    private MuxSession(InputStream in, OutputStream out, Closeable connection, MuxConfig config, boolean client) {
        this.config = Objects.requireNonNull(config, "config");
        this.client = client;
        this.name = (client ? "client-" : "server-") + SESSION_IDS.incrementAndGet();
        this.in = new FrameInput(in, READ_BUFFER_SIZE);
        this.connection = connection;
        this.writer = new FrameWriter(out, config.maxSendFrameSize(), config.maxPendingControlFrames(),
                e -> fail(new MuxException("connection write failed: " + e.getMessage(), e), -1));
        this.nextStreamId = new AtomicLong(client ? 1 : 2);
        this.openPermits = new Semaphore(config.acceptBacklog());
        long tick = tickNanos(config);
        this.housekeeping = Timer.SCHEDULER.scheduleWithFixedDelay(this::housekeep, tick, tick, TimeUnit.NANOSECONDS);
        // Threads last: either may end the session at once (a peer that closed, or sent garbage, before we got
        // here), and fail() needs every field above.
        this.readerThread = Thread.ofVirtual().name("lrok-mux-reader-" + name).start(this::readLoop);
        this.controlWriterThread = Thread.ofVirtual().name("lrok-mux-writer-" + name).start(writer::runControlWriter);
    }

    /**
     * Starts the dialing side's session (odd stream ids) on a connected socket with default settings.
     *
     * @param socket a connected socket; the session owns it from now on
     * @return the running session
     * @throws IOException if the socket's streams cannot be obtained
     */
    public static MuxSession client(Socket socket) throws IOException {
        return client(socket, MuxConfig.defaults());
    }

    /**
     * Starts the dialing side's session (odd stream ids) on a connected socket.
     *
     * @param socket a connected socket; the session owns it from now on
     * @param config limits and timeouts
     * @return the running session
     * @throws IOException if the socket's streams cannot be obtained
     */
    public static MuxSession client(Socket socket, MuxConfig config) throws IOException {
        return overSocket(socket, config, true);
    }

    /**
     * Starts the accepting side's session (even stream ids) on a connected socket with default settings.
     *
     * @param socket a connected socket; the session owns it from now on
     * @return the running session
     * @throws IOException if the socket's streams cannot be obtained
     */
    public static MuxSession server(Socket socket) throws IOException {
        return server(socket, MuxConfig.defaults());
    }

    /**
     * Starts the accepting side's session (even stream ids) on a connected socket.
     *
     * @param socket a connected socket; the session owns it from now on
     * @param config limits and timeouts
     * @return the running session
     * @throws IOException if the socket's streams cannot be obtained
     */
    public static MuxSession server(Socket socket, MuxConfig config) throws IOException {
        return overSocket(socket, config, false);
    }

    /**
     * Starts the dialing side's session over any byte-stream pair (a TLS engine, an in-memory pipe).
     *
     * @param in         the connection's input; only the session reads it
     * @param out        the connection's output; only the session writes it
     * @param connection closed when the session closes; closing it must unblock reads and writes
     * @param config     limits and timeouts
     * @return the running session
     */
    public static MuxSession client(InputStream in, OutputStream out, Closeable connection, MuxConfig config) {
        return new MuxSession(in, out, connection, config, true);
    }

    /**
     * Starts the accepting side's session over any byte-stream pair (a TLS engine, an in-memory pipe).
     *
     * @param in         the connection's input; only the session reads it
     * @param out        the connection's output; only the session writes it
     * @param connection closed when the session closes; closing it must unblock reads and writes
     * @param config     limits and timeouts
     * @return the running session
     */
    public static MuxSession server(InputStream in, OutputStream out, Closeable connection, MuxConfig config) {
        return new MuxSession(in, out, connection, config, false);
    }

    private static MuxSession overSocket(Socket socket, MuxConfig config, boolean client) throws IOException {
        socket.setTcpNoDelay(true);
        return new MuxSession(socket.getInputStream(), socket.getOutputStream(), socket, config, client);
    }

    // ---- public operations -------------------------------------------------------------------------------------

    /**
     * Opens a new stream. Returns at once when fewer than {@link MuxConfig#acceptBacklog()} of our streams await
     * the peer's acknowledgement; otherwise waits for one (at most {@link MuxConfig#streamOpenTimeout()}).
     * Data may be written before the peer accepts.
     *
     * @return the new stream
     * @throws MuxException if the session is closed, the peer sent GoAway, stream ids are exhausted, the
     *                      concurrent-stream limit is reached, or the wait timed out
     * @throws java.io.InterruptedIOException if interrupted while waiting
     */
    public MuxStream openStream() throws IOException {
        checkCanOpen();
        acquireOpenPermit();
        boolean opened = false;
        try {
            checkCanOpen();
            if (streams.size() >= config.maxConcurrentStreams()) {
                throw new MuxException("too many streams: the limit is " + config.maxConcurrentStreams());
            }
            long id = nextStreamId.getAndAdd(2);
            if (id > 0xFFFF_FFFFL) {
                nextStreamId.set(0x1_0000_0001L); // stays exhausted
                throw new MuxException("stream ids exhausted on session " + name + ": open a new session");
            }
            MuxStream stream = new MuxStream(this, (int) id, config.maxStreamWindow(), true);
            streams.put(stream.id(), stream);
            try {
                sendControl(new Frame(Frame.TYPE_WINDOW_UPDATE, Frame.FLAG_SYN, stream.id(), extraWindow()));
            } catch (MuxException e) {
                streams.remove(stream.id(), stream); // the session ended as we opened: nothing to keep
                throw e;
            }
            opened = true;
            return stream;
        } finally {
            if (!opened) openPermits.release();
        }
    }

    /**
     * Waits for the peer's next stream and acknowledges it.
     *
     * @return the stream
     * @throws MuxException when the session closes
     * @throws java.io.InterruptedIOException if interrupted while waiting
     */
    public MuxStream acceptStream() throws IOException {
        return acceptStream(Duration.ZERO);
    }

    /**
     * Waits at most {@code timeout} for the peer's next stream and acknowledges it.
     *
     * @param timeout the longest wait; zero waits forever
     * @return the stream
     * @throws MuxTimeoutException if none arrived in time
     * @throws MuxException when the session closes
     * @throws java.io.InterruptedIOException if interrupted while waiting
     */
    public MuxStream acceptStream(Duration timeout) throws IOException {
        long deadline = timeout.isZero() ? 0 : System.nanoTime() + timeout.toNanos();
        MuxStream stream;
        acceptLock.lock();
        try {
            while ((stream = acceptQueue.pollFirst()) == null) {
                if (closed.get()) throw closeCause();
                if (deadline == 0) {
                    acceptable.await();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) throw new MuxTimeoutException("no stream arrived within " + timeout.toMillis() + " ms");
                    acceptable.awaitNanos(left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while accepting a stream");
        } finally {
            acceptLock.unlock();
        }
        refusedStreams.set(0); // the application is keeping up: refusals so far were a burst, not a flood
        sendControl(new Frame(Frame.TYPE_WINDOW_UPDATE, Frame.FLAG_ACK, stream.id(), extraWindow()));
        return stream;
    }

    /**
     * Sends a ping and waits for the answer, at most {@link MuxConfig#keepAliveTimeout()}.
     *
     * @return the round-trip time
     * @throws MuxTimeoutException if no answer came in time
     * @throws MuxException if the session closed
     * @throws java.io.InterruptedIOException if interrupted while waiting
     */
    public Duration ping() throws IOException {
        long start = System.nanoTime();
        CompletableFuture<Long> answer = sendPing();
        try {
            long answeredAt = answer.get(config.keepAliveTimeout().toNanos(), TimeUnit.NANOSECONDS);
            return Duration.ofNanos(answeredAt - start);
        } catch (TimeoutException e) {
            throw new MuxTimeoutException("no answer to ping within " + config.keepAliveTimeout().toMillis() + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof MuxException m ? m : new MuxException("ping failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a ping");
        }
    }

    /**
     * Tells the peer to open no more streams (GoAway, normal). Streams already open carry on; new SYNs from
     * the peer are refused. Used to drain a session before closing it.
     *
     * @throws MuxException if the session is closed
     */
    public void goAway() throws IOException {
        localGoAway = true;
        sendControl(new Frame(Frame.TYPE_GO_AWAY, 0, 0, Frame.GO_AWAY_NORMAL));
    }

    /**
     * Closes the session: tells the peer (GoAway, normal), closes the connection, and fails every open stream
     * and pending operation. Idempotent.
     */
    @Override
    public void close() {
        fail(new MuxException("session " + name + " closed"), Frame.GO_AWAY_NORMAL);
    }

    /** @return whether the session has ended */
    public boolean isClosed() {
        return closed.get();
    }

    /** @return whether the peer asked us (GoAway) to open no more streams */
    public boolean isRemoteGoAway() {
        return remoteGoAway;
    }

    /**
     * Completes when the session ends, with the reason: a local close, the peer closing the connection, a
     * protocol error, a timeout. By then every stream has been failed and let go of, and every pending read,
     * write, accept and ping has been woken to fail.
     *
     * @return a future of the reason the session ended
     */
    public CompletableFuture<MuxException> whenClosed() {
        return ended.copy();
    }

    /** @return the number of streams open now, both directions, including those waiting to be accepted */
    public int streamCount() {
        return streams.size();
    }

    /** @return this session's configuration */
    public MuxConfig config() {
        return config;
    }

    @Override
    public String toString() {
        return "MuxSession[" + name + (closed.get() ? ", closed" : "") + ", streams=" + streams.size() + "]";
    }

    // ---- used by streams -----------------------------------------------------------------------------------

    void writeData(int streamId, byte[] b, int off, int len) throws IOException {
        try {
            writer.writeData(streamId, 0, b, off, len);
        } catch (MuxException e) {
            throw e;
        } catch (IOException e) {
            // The socket failed under the write ("Broken pipe", "Socket closed" when the session closed it): the
            // writer has ended the session by now, so report why, as every other pending operation does.
            throw closed.get() ? closeCause() : new MuxException("connection write failed: " + e.getMessage(), e);
        }
    }

    /** Queues a control frame; a peer that lets them pile up ends the session. */
    void sendControl(Frame frame) throws MuxException {
        if (closed.get()) throw closeCause();
        try {
            writer.enqueueControl(frame);
        } catch (MuxException e) {
            fail(e, Frame.GO_AWAY_INTERNAL_ERROR);
            throw e;
        }
    }

    /**
     * Sends a control frame from an application thread (one allowed to block on the connection): at once when
     * the connection is free, else queued (see {@link FrameWriter#sendControlFromApplication}). Never called by the
     * reader thread.
     */
    void sendControlFromApplication(Frame frame) throws MuxException {
        if (closed.get()) throw closeCause();
        try {
            writer.sendControlFromApplication(frame);
        } catch (MuxException e) {
            // A failed write has already ended the session (the writer's failure listener): report why.
            if (closed.get()) throw closeCause();
            fail(e, Frame.GO_AWAY_INTERNAL_ERROR);
            throw e;
        }
    }

    /** Like {@link #sendControl}, for paths that have no caller to tell (a failure already closed the session). */
    void sendControlQuietly(Frame frame) {
        try {
            sendControl(frame);
        } catch (MuxException ignored) {
            // The session is closed; the caller has nothing to do about it.
        }
    }

    /**
     * Test hook: sets the next stream id this session opens, so that tests reach stream-id exhaustion without
     * opening two billion streams. Not for production use.
     */
    void setNextStreamIdForTest(long id) {
        nextStreamId.set(id);
    }

    /**
     * Test hook: whether the session's own threads (reader, control writer) are still running. Virtual threads
     * are invisible to {@code Thread.getAllStackTraces()}, so tests cannot find them otherwise.
     */
    boolean threadsAliveForTest() {
        return readerThread.isAlive() || controlWriterThread.isAlive();
    }

    void streamEnded(MuxStream stream, boolean releaseOpenPermit) {
        streams.remove(stream.id(), stream);
        if (releaseOpenPermit) openPermits.release();
        if ((stream.id() & 1) != (client ? 1 : 0)) {
            // An inbound stream reset before it was accepted must not hold a backlog slot.
            acceptLock.lock();
            try {
                acceptQueue.remove(stream);
            } finally {
                acceptLock.unlock();
            }
        }
    }

    // ---- reader ---------------------------------------------------------------------------------------------

    private void readLoop() {
        byte[] header = new byte[Frame.HEADER_SIZE];
        byte[] small = new byte[ReceiveBuffer.COALESCE_BELOW];
        boolean trace = LOG.isLoggable(Level.TRACE);
        try {
            // Once the session has ended (a GoAway with an error, a local close) what is still buffered is not read:
            // it would register streams in a session that has let go of them.
            while (!closed.get()) {
                if (!in.readFully(header, 0, Frame.HEADER_SIZE)) {
                    fail(new MuxException("connection closed by the peer"), -1);
                    return;
                }
                lastFrameAt = System.nanoTime();
                Frame frame = Frame.decode(header, 0);
                if (trace) LOG.log(Level.TRACE, frame.trace(false));
                switch (frame.type()) {
                    case Frame.TYPE_DATA, Frame.TYPE_WINDOW_UPDATE -> onStreamFrame(frame, small);
                    case Frame.TYPE_PING -> onPing(frame);
                    default -> onGoAway(frame);
                }
            }
        } catch (Frame.MalformedFrameException | ProtocolError e) {
            fail(new MuxException("protocol error from the peer: " + e.getMessage(), e), Frame.GO_AWAY_PROTOCOL_ERROR);
        } catch (IOException e) {
            fail(closed.get() ? closeCause() : new MuxException("connection read failed: " + e.getMessage(), e), -1);
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "lrok mux reader of " + name + " failed", e);
            fail(new MuxException("internal error in the multiplexer: " + e, e), Frame.GO_AWAY_INTERNAL_ERROR);
        }
    }

    /** A peer broke the protocol: the session ends with GoAway(protocol error). */
    static final class ProtocolError extends MuxException {
        ProtocolError(String message) {
            super(message);
        }
    }

    private void onStreamFrame(Frame frame, byte[] small) throws IOException {
        int id = frame.streamId();
        boolean isData = frame.type() == Frame.TYPE_DATA;
        long length = frame.unsignedLength();
        MuxStream stream;
        if (frame.has(Frame.FLAG_SYN)) {
            stream = onSyn(id);
        } else {
            stream = streams.get(id);
        }
        if (stream == null) { // closed, refused or never existed: skip Data payloads, ignore the rest
            if (isData) skipPayload(length, "unknown stream " + Integer.toUnsignedString(id));
            return;
        }
        if (frame.has(Frame.FLAG_ACK) && stream.onAck()) openPermits.release();
        if (isData) {
            readPayload(stream, length, small);
        } else {
            // Every WindowUpdate adds its delta; on a SYN or ACK it grants a window beyond the initial 256 KiB.
            try {
                stream.onWindowUpdate(length);
            } catch (MuxException e) {
                throw new ProtocolError(e.getMessage());
            }
        }
        if (frame.has(Frame.FLAG_FIN)) {
            try {
                stream.onRemoteFin();
            } catch (MuxException e) {
                throw new ProtocolError(e.getMessage());
            }
        }
        if (frame.has(Frame.FLAG_RST)) stream.onRemoteReset();
    }

    private MuxStream onSyn(int id) throws IOException {
        boolean ours = (id & 1) == (client ? 1 : 0);
        if (id == 0 || ours) {
            throw new ProtocolError("SYN with stream id " + Integer.toUnsignedString(id) + ", which is not the peer's to open");
        }
        if (streams.containsKey(id)) throw new ProtocolError("duplicate SYN for stream " + Integer.toUnsignedString(id));
        if (localGoAway) {
            sendControl(new Frame(Frame.TYPE_WINDOW_UPDATE, Frame.FLAG_RST, id, 0));
            return null;
        }
        MuxStream stream = new MuxStream(this, id, config.maxStreamWindow(), false);
        boolean queued = false;
        if (streams.size() < config.maxConcurrentStreams()) {
            acceptLock.lock();
            try {
                // Checked under acceptLock, which fail() takes before it lets go of the streams: a stream registered
                // here is failed there, and none is registered after.
                if (closed.get()) return null;
                if (acceptQueue.size() < config.acceptBacklog()) {
                    streams.put(id, stream);
                    acceptQueue.addLast(stream);
                    acceptable.signal();
                    queued = true;
                }
            } finally {
                acceptLock.unlock();
            }
        }
        if (!queued) {
            int refused = refusedStreams.incrementAndGet();
            if (refused > config.maxRefusedStreams()) {
                throw new ProtocolError("SYN flood: " + refused + " streams opened past the accept backlog of "
                        + config.acceptBacklog() + " while the application accepted none");
            }
            LOG.log(Level.DEBUG, () -> "accept backlog full on " + name + ": refusing stream " + Integer.toUnsignedString(id));
            sendControl(new Frame(Frame.TYPE_WINDOW_UPDATE, Frame.FLAG_RST, id, 0));
            return null;
        }
        return stream;
    }

    private void readPayload(MuxStream stream, long length, byte[] small) throws IOException {
        if (length == 0) return;
        switch (stream.admit(length)) {
            case WINDOW_EXCEEDED -> throw new ProtocolError("Data frame of " + length + " bytes exceeds the receive window of " + stream);
            case DISCARD -> {
                skipPayload(length, stream.toString());
                stream.discarded(length);
            }
            case BUFFER -> {
                int len = (int) length; // admitted, so no larger than a window
                boolean owned = len > small.length;
                byte[] target = owned ? new byte[len] : small;
                if (!in.readFully(target, 0, len)) throw new EOFException("connection closed inside a Data frame");
                stream.deliver(target, len, owned);
            }
        }
    }

    private void skipPayload(long length, String what) throws IOException {
        if (length > config.maxStreamWindow()) {
            throw new ProtocolError("Data frame of " + length + " bytes for " + what + " exceeds any window");
        }
        in.skip(length);
    }

    private void onPing(Frame frame) throws IOException {
        if (frame.has(Frame.FLAG_SYN)) {
            sendControl(new Frame(Frame.TYPE_PING, Frame.FLAG_ACK, 0, frame.length()));
        } else if (frame.has(Frame.FLAG_ACK)) {
            CompletableFuture<Long> waiting = pings.remove(frame.length());
            if (waiting != null) waiting.complete(System.nanoTime());
        }
    }

    private void onGoAway(Frame frame) {
        int code = frame.length();
        if (code == Frame.GO_AWAY_NORMAL) {
            remoteGoAway = true;
            LOG.log(Level.DEBUG, () -> "peer of " + name + " sent GoAway: no new streams");
            return;
        }
        String why = code == Frame.GO_AWAY_PROTOCOL_ERROR ? "protocol error"
                : code == Frame.GO_AWAY_INTERNAL_ERROR ? "internal error" : "code " + Integer.toUnsignedString(code);
        fail(new MuxException("the peer ended the session: GoAway (" + why + ")"), -1);
    }

    // ---- health and timeouts ----------------------------------------------------------------------------------

    private CompletableFuture<Long> sendPing() throws MuxException {
        int value = pingIds.incrementAndGet();
        CompletableFuture<Long> answer = new CompletableFuture<>();
        pings.put(value, answer);
        answer.whenComplete((v, e) -> pings.remove(value, answer));
        try {
            sendControl(new Frame(Frame.TYPE_PING, Frame.FLAG_SYN, 0, value));
        } catch (MuxException e) {
            answer.completeExceptionally(e);
            throw e;
        }
        if (closed.get()) answer.completeExceptionally(closeCause());
        return answer;
    }

    /** Runs on the shared timer thread: must not block. */
    private void housekeep() {
        if (closed.get()) return;
        long now = System.nanoTime();
        long writing = writer.currentWriteNanos(now);
        if (writing > config.writeTimeout().toNanos()) {
            failOffTimer(new MuxTimeoutException("write timeout: the peer has not read for "
                    + TimeUnit.NANOSECONDS.toMillis(writing) + " ms"));
            return;
        }
        checkKeepAlive(now);
        long open = config.streamOpenTimeout().toNanos();
        long close = config.streamCloseTimeout().toNanos();
        if (open > 0 || close > 0) {
            for (MuxStream stream : streams.values()) stream.checkTimeouts(now, open, close);
        }
    }

    private void checkKeepAlive(long now) {
        long interval = config.keepAliveInterval().toNanos();
        if (interval == 0) return;
        if (keepAlivePing != null) {
            if (keepAlivePing.isDone() || lastFrameAt - keepAliveSentAt > 0) {
                keepAlivePing.cancel(false); // answered, or the peer showed life some other way
                keepAlivePing = null;
            } else if (now - keepAliveSentAt > config.keepAliveTimeout().toNanos()) {
                failOffTimer(new MuxTimeoutException("keepalive timeout: the peer sent nothing for "
                        + TimeUnit.NANOSECONDS.toMillis(now - keepAliveSentAt) + " ms after a ping"));
            }
            return;
        }
        if (now - lastKeepAliveAt >= interval) {
            lastKeepAliveAt = now;
            keepAliveSentAt = now;
            try {
                keepAlivePing = sendPing();
            } catch (MuxException e) {
                // sendControl already ended the session.
            }
        }
    }

    /** Ends the session from the timer thread, which must not block: closing a TLS socket may. */
    private void failOffTimer(MuxException cause) {
        Thread.ofVirtual().name("lrok-mux-closer-" + name).start(() -> fail(cause, -1));
    }

    private static long tickNanos(MuxConfig config) {
        long shortest = TimeUnit.SECONDS.toNanos(1);
        for (Duration d : List.of(config.keepAliveInterval(), config.keepAliveTimeout(), config.writeTimeout(),
                config.streamOpenTimeout(), config.streamCloseTimeout())) {
            if (!d.isZero()) shortest = Math.min(shortest, d.toNanos() / 4);
        }
        return Math.max(shortest, TimeUnit.MILLISECONDS.toNanos(10));
    }

    // ---- ending ---------------------------------------------------------------------------------------------

    private MuxException closeCause() {
        MuxException reason = closeReason.getNow(null);
        return reason != null ? reason : new MuxException("session " + name + " closed");
    }

    /**
     * Ends the session once: records why, tells the peer when {@code goAwayCode} is not negative, closes the
     * connection and fails everything waiting.
     */
    private void fail(MuxException cause, int goAwayCode) {
        if (!closed.compareAndSet(false, true)) return;
        closeReason.complete(cause);
        Level level = goAwayCode > Frame.GO_AWAY_NORMAL ? Level.WARNING : Level.DEBUG;
        LOG.log(level, () -> "lrok mux session " + name + " ended: " + cause.getMessage());
        housekeeping.cancel(false);
        if (goAwayCode >= 0 && tryEnqueueGoAway(goAwayCode)) {
            // Let the GoAway leave, but not on this thread: it may be the reader, which must never block on the
            // socket, and the peer may not be reading at all. The timer closes the connection regardless.
            Thread.ofVirtual().name("lrok-mux-closer-" + name).start(() -> {
                writer.flushControl(GO_AWAY_LINGER_NANOS);
                closeConnection();
            });
            Timer.SCHEDULER.schedule(() -> Thread.ofVirtual().start(this::closeConnection), 2 * GO_AWAY_LINGER_NANOS,
                    TimeUnit.NANOSECONDS);
        } else {
            closeConnection();
        }
        openPermits.release(Integer.MAX_VALUE / 2); // wake openStream waiters; they see the session closed
        pings.values().forEach(p -> p.completeExceptionally(cause));
        acceptLock.lock();
        try {
            acceptQueue.forEach(stream -> stream.onSessionClosed(cause));
            acceptQueue.clear();
            acceptable.signalAll();
        } finally {
            acceptLock.unlock();
        }
        // After the accept queue: from here on the reader registers no stream (onSyn checks under acceptLock).
        for (MuxStream stream : streams.values()) stream.onSessionClosed(cause);
        streams.clear();
        ended.complete(cause);
    }

    private boolean tryEnqueueGoAway(int code) {
        try {
            writer.enqueueControl(new Frame(Frame.TYPE_GO_AWAY, 0, 0, code));
            return true;
        } catch (MuxException peerNotReading) {
            return false;
        }
    }

    private void closeConnection() {
        if (!connectionClosed.compareAndSet(false, true)) return;
        writer.close();
        try {
            connection.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "closing the connection of " + name + ": " + e);
        }
    }

    private void checkCanOpen() throws MuxException {
        if (closed.get()) throw closeCause();
        if (remoteGoAway) throw new MuxException("the peer sent GoAway: it accepts no new streams on this session");
    }

    private void acquireOpenPermit() throws IOException {
        try {
            Duration timeout = config.streamOpenTimeout();
            if (timeout.isZero()) {
                openPermits.acquire();
            } else if (!openPermits.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new MuxTimeoutException(config.acceptBacklog() + " streams have waited for the peer's "
                        + "acknowledgement longer than " + timeout.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while opening a stream");
        }
    }

    private int extraWindow() {
        return config.maxStreamWindow() - MuxConfig.INITIAL_STREAM_WINDOW;
    }

    /** The timer shared by all sessions; its tasks never block. */
    private static final class Timer {
        static final java.util.concurrent.ScheduledThreadPoolExecutor SCHEDULER = create();

        private static java.util.concurrent.ScheduledThreadPoolExecutor create() {
            var executor = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "lrok-mux-timer");
                t.setDaemon(true);
                return t;
            });
            executor.setRemoveOnCancelPolicy(true);
            return executor;
        }
    }
}
