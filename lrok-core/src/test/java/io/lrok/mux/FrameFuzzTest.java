package io.lrok.mux;

import static io.lrok.mux.Frame.FLAG_ACK;
import static io.lrok.mux.Frame.FLAG_FIN;
import static io.lrok.mux.Frame.FLAG_RST;
import static io.lrok.mux.Frame.FLAG_SYN;
import static io.lrok.mux.Frame.HEADER_SIZE;
import static io.lrok.mux.Frame.TYPE_DATA;
import static io.lrok.mux.Frame.TYPE_GO_AWAY;
import static io.lrok.mux.Frame.TYPE_PING;
import static io.lrok.mux.Frame.TYPE_WINDOW_UPDATE;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.testing.Fuzz;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded fuzzing of the yamux decoder ({@link Frame}, {@link FrameInput}) and of a {@link MuxSession} fed a stream
 * of generated hostile frames. Reproducible: a failure names its case seed, and {@code -Dlrok.fuzz.seed=<seed>}
 * with {@code -Dtest=FrameFuzzTest#<method>} runs that case alone ({@link Fuzz}).
 *
 * <p>What must hold: decoding throws nothing but {@link Frame.MalformedFrameException}, and only for an unknown
 * version or type; a session ends, whatever it is fed, with a {@link MuxException} whose cause is nothing but the
 * documented protocol errors ({@link Frame.MalformedFrameException}, {@code MuxSession.ProtocolError}) or a
 * connection cut inside a frame ({@link EOFException}); it never ends in an internal error, never hangs (the case
 * waits a bounded time for it), lets its threads go, and allocates no more than its input justifies.
 */
@Timeout(120)
class FrameFuzzTest {
    private static final long RUN_SEED = 0x5EED_F4A3_E000L;

    /**
     * Allocation bound of one {@link Frame#decode}, averaged over a batch: a decoded header is one small record
     * (24 bytes with compressed pointers, 32 without; the bound leaves room for the measurement itself); a malformed one is an exception, its message and its stack trace.
     */
    private static final long MAX_BYTES_PER_VALID_DECODE = 128;
    private static final long MAX_BYTES_PER_MALFORMED_DECODE = 8 * 1024;

    /**
     * Allocation bound of a whole session fed {@code n} bytes: a fixed part (the session's 64 KiB read buffer, its
     * writer's buffer, threads, the stream objects of the few streams the configuration lets in, and room for
     * what other threads of the JVM allocate meanwhile) plus a multiple of the input (payloads are copied once into
     * receive buffers, and every frame may cost a reply frame and a few small objects).
     */
    private static final long SESSION_FIXED_BYTES = 4L << 20;
    private static final long SESSION_BYTES_PER_INPUT_BYTE = 16;

    /** How long a session fed a finite input may take to end; it takes milliseconds. */
    private static final Duration SESSION_END_BOUND = Duration.ofSeconds(20);

    /** A small session, so that generated floods reach every limit within a few kilobytes. */
    private static final MuxConfig CONFIG = MuxConfig.defaults().withAcceptBacklog(4).withMaxRefusedStreams(8)
            .withMaxConcurrentStreams(16).withMaxPendingControlFrames(64);

    @Test
    void randomAndMutatedHeadersDecodeToTheirBytesOrFailAsMalformed() {
        int[] malformed = {0};
        long[] worst = {0, 0}; // the highest average bytes per valid and per malformed decode of a batch
        warmUp(); // first-time costs (class loading, string concatenation's bootstrap) are not per decode
        Fuzz.run("frame headers", RUN_SEED, 200, (random, seed) -> {
            byte[] header;
            int batch = 500;
            long validBytes = 0;
            long malformedBytes = 0;
            int valid = 0;
            int bad = 0;
            for (int i = 0; i < batch; i++) {
                header = randomHeader(random);
                long before = Fuzz.allocatedBytes();
                Frame frame;
                try {
                    frame = Frame.decode(header, 0);
                } catch (Frame.MalformedFrameException e) {
                    malformedBytes += Fuzz.allocatedBytes() - before;
                    bad++;
                    assertThat(header[0] != Frame.VERSION || (header[1] & 0xff) > TYPE_GO_AWAY)
                            .as("rejected %s: %s", Arrays.toString(header), e.getMessage()).isTrue();
                    continue;
                }
                validBytes += Fuzz.allocatedBytes() - before;
                valid++;
                assertThat(header[0]).isEqualTo((byte) Frame.VERSION);
                assertThat(frame.type()).isBetween(TYPE_DATA, TYPE_GO_AWAY);
                // Every field comes from its bytes, so encoding gives the same 12 bytes back.
                assertThat(frame.encode()).as("re-encoded").containsExactly(header);
            }
            malformed[0] += bad;
            if (valid > 0) worst[0] = Math.max(worst[0], validBytes / valid);
            if (bad > 0) worst[1] = Math.max(worst[1], malformedBytes / bad);
            if (valid > 0) assertThat(validBytes / valid).as("bytes per valid decode").isLessThanOrEqualTo(MAX_BYTES_PER_VALID_DECODE);
            if (bad > 0) assertThat(malformedBytes / bad).as("bytes per malformed decode").isLessThanOrEqualTo(MAX_BYTES_PER_MALFORMED_DECODE);
        });
        System.out.println("fuzz frame headers: at most " + worst[0] + " bytes per valid and " + worst[1]
                + " per malformed decode (batch averages)");
        assertThat(malformed[0]).as("the generator makes malformed headers too").isPositive();
    }

    @Test
    void frameInputReadsTheSameFramesHoweverTheBytesArrive() {
        Fuzz.run("frame input", RUN_SEED + 1, 300, (random, seed) -> {
            List<byte[]> frames = new ArrayList<>();
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            int count = 1 + random.nextInt(64);
            for (int i = 0; i < count; i++) {
                int length = random.nextInt(4) == 0 ? random.nextInt(70_000) : random.nextInt(64);
                byte[] frame = new byte[HEADER_SIZE + length];
                Frame.encode(frame, 0, TYPE_DATA, random.nextInt(16), random.nextInt(), length);
                for (int j = HEADER_SIZE; j < frame.length; j++) frame[j] = (byte) random.nextInt();
                frames.add(frame);
                wire.writeBytes(frame);
            }
            int cut = random.nextInt(3) == 0 ? random.nextInt(wire.size() + 1) : wire.size();
            byte[] bytes = Arrays.copyOf(wire.toByteArray(), cut);
            FrameInput in = new FrameInput(new Trickle(bytes, random), 16 + random.nextInt(4096));
            int offset = 0;
            for (byte[] expected : frames) {
                byte[] header = new byte[HEADER_SIZE];
                boolean skip = random.nextBoolean();
                try {
                    if (!in.readFully(header, 0, HEADER_SIZE)) {
                        assertThat(offset).as("clean end only between frames").isEqualTo(cut);
                        return;
                    }
                    assertThat(header).isEqualTo(Arrays.copyOf(expected, HEADER_SIZE));
                    int length = Frame.decode(header, 0).length();
                    if (skip) {
                        in.skip(length);
                    } else {
                        byte[] payload = new byte[length];
                        if (!in.readFully(payload, 0, length)) { // ended cleanly right after the header
                            assertThat(cut).isEqualTo(offset + HEADER_SIZE);
                            return;
                        }
                        assertThat(payload).isEqualTo(Arrays.copyOfRange(expected, HEADER_SIZE, expected.length));
                    }
                } catch (EOFException e) {
                    assertThat(cut).as("EOF only where the input was cut").isLessThan(offset + expected.length);
                    return;
                }
                offset += expected.length;
            }
            assertThat(offset).isEqualTo(cut);
        });
    }

    @Test
    void aSessionFedHostileFramesEndsWithADocumentedErrorAndLetsGo() {
        int[] reasons = new int[Reason.values().length];
        long[] most = {0, 0}; // the most bytes allocated by a case, and its input's size
        Fuzz.run("session", RUN_SEED + 2, 150, (random, seed) -> {
            byte[] input = hostileFrames(random);
            Queue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
            long before = Fuzz.totalAllocatedBytes();
            MuxSession session = MuxSession.server(new ByteArrayInputStream(input), OutputStream.nullOutputStream(),
                    () -> { }, CONFIG);
            Thread app = Thread.ofVirtual().name("fuzz-app").start(() -> application(session, random.nextLong(), unexpected));
            MuxException reason = session.whenClosed().get(SESSION_END_BOUND.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(app.join(SESSION_END_BOUND)).as("the application's threads were woken and ended").isTrue();
            Leaks.awaitSessionThreadsGone(session, SESSION_END_BOUND);
            long allocated = Fuzz.totalAllocatedBytes() - before;

            if (allocated > most[0]) {
                most[0] = allocated;
                most[1] = input.length;
            }
            reasons[classify(reason).ordinal()]++;
            assertThat(unexpected).as("exceptions other than IOException in the application").isEmpty();
            assertThat(session.streamCount()).as("streams held after: %s", reason).isZero();
            assertThat(allocated).as("bytes allocated for %d input bytes", input.length)
                    .isLessThanOrEqualTo(SESSION_FIXED_BYTES + SESSION_BYTES_PER_INPUT_BYTE * input.length);
        });
        System.out.println("fuzz session: endings " + Arrays.toString(Reason.values()) + " " + Arrays.toString(reasons)
                + "; the most a case allocated: " + most[0] + " bytes, for " + most[1] + " input bytes");
        assertThat(reasons[Reason.PROTOCOL_ERROR.ordinal()]).as("the generator provokes protocol errors").isPositive();
        assertThat(reasons[Reason.END_OF_INPUT.ordinal()]).as("and inputs the session reads to their end").isPositive();
    }

    /** How a fuzzed session ended. */
    private enum Reason { END_OF_INPUT, CUT_INSIDE_A_FRAME, PROTOCOL_ERROR, PEER_GOAWAY }

    /** Classifies the reason a session ended, failing on anything undocumented. */
    private static Reason classify(MuxException reason) {
        Throwable cause = reason.getCause();
        String message = reason.getMessage();
        assertThat(message).as("reason").doesNotContain("internal error in the multiplexer");
        if (cause instanceof Frame.MalformedFrameException || cause instanceof MuxSession.ProtocolError) {
            assertThat(message).startsWith("protocol error from the peer: ");
            return Reason.PROTOCOL_ERROR;
        }
        if (cause instanceof EOFException) return Reason.CUT_INSIDE_A_FRAME;
        assertThat(cause).as("cause of " + message).isNull();
        if (message.startsWith("the peer ended the session: GoAway")) return Reason.PEER_GOAWAY;
        assertThat(message).isEqualTo("connection closed by the peer");
        return Reason.END_OF_INPUT;
    }

    /**
     * The application side: accepts streams and does something random with each (read some, write a little,
     * half-close, close, reset). Its operations may fail only with an IOException.
     */
    private static void application(MuxSession session, long seed, Queue<Throwable> unexpected) {
        Random random = new Random(seed);
        List<Thread> workers = new ArrayList<>();
        try {
            while (true) {
                MuxStream stream = session.acceptStream();
                long streamSeed = random.nextLong();
                workers.add(Thread.ofVirtual().name("fuzz-stream").start(() -> useStream(stream, streamSeed, unexpected)));
            }
        } catch (IOException e) {
            // the session ended
        } catch (Throwable e) {
            unexpected.add(e);
        }
        for (Thread worker : workers) {
            try {
                if (!worker.join(SESSION_END_BOUND)) unexpected.add(new AssertionError("a stream's thread hangs"));
            } catch (InterruptedException e) {
                unexpected.add(e);
                return;
            }
        }
    }

    private static void useStream(MuxStream stream, long seed, Queue<Throwable> unexpected) {
        Random random = new Random(seed);
        try {
            InputStream in = stream.getInputStream();
            byte[] buf = new byte[1 + random.nextInt(2048)];
            for (int reads = random.nextInt(4); reads > 0; reads--) {
                if (in.read(buf) < 0) break;
            }
            switch (random.nextInt(4)) {
                case 0 -> stream.reset();
                case 1 -> stream.close();
                case 2 -> {
                    stream.getOutputStream().write(buf, 0, Math.min(buf.length, 512));
                    stream.shutdownOutput();
                    in.transferTo(OutputStream.nullOutputStream());
                }
                default -> in.transferTo(OutputStream.nullOutputStream());
            }
        } catch (IOException e) {
            // the stream or the session ended: documented
        } catch (Throwable e) {
            unexpected.add(e);
        }
    }

    private static void warmUp() {
        Random random = new Random(0);
        for (int i = 0; i < 1000; i++) {
            try {
                Frame.decode(randomHeader(random), 0);
            } catch (Frame.MalformedFrameException expected) {
                // both paths warmed
            }
        }
    }

    /** A header that is usually valid, often nearly so, sometimes random. */
    private static byte[] randomHeader(Random random) {
        byte[] header = new byte[HEADER_SIZE];
        random.nextBytes(header);
        switch (random.nextInt(4)) {
            case 0 -> { } // all random: almost always malformed
            case 1 -> { // valid
                header[0] = Frame.VERSION;
                header[1] = (byte) random.nextInt(TYPE_GO_AWAY + 1);
            }
            case 2 -> { // valid, then one bit flipped anywhere
                header[0] = Frame.VERSION;
                header[1] = (byte) random.nextInt(TYPE_GO_AWAY + 1);
                int bit = random.nextInt(HEADER_SIZE * 8);
                header[bit / 8] ^= (byte) (1 << (bit % 8));
            }
            default -> { // edge values
                header[0] = (byte) (random.nextInt(8) == 0 ? random.nextInt(3) : Frame.VERSION);
                header[1] = (byte) random.nextInt(6);
                int[] edges = {0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, MuxConfig.INITIAL_STREAM_WINDOW};
                Frame.putInt(header, 4, edges[random.nextInt(edges.length)]);
                Frame.putInt(header, 8, edges[random.nextInt(edges.length)]);
            }
        }
        return header;
    }

    /**
     * A client's frames to a server session, the hostile mixed with the plausible: SYNs (floods, wrong parity,
     * duplicates), Data within and past windows, window updates up to overflow, FIN and RST, pings, GoAways, and
     * garbage; at most about 64 KiB, sometimes cut mid-frame.
     */
    static byte[] hostileFrames(Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Integer> opened = new ArrayList<>();
        int nextId = 1;
        int target = 64 + random.nextInt(random.nextBoolean() ? 2048 : 64 * 1024);
        while (out.size() < target) {
            int known = opened.isEmpty() ? 1 : opened.get(random.nextInt(opened.size()));
            int roll = random.nextInt(100);
            if (roll < 20) { // open a stream
                frame(out, random.nextInt(4) == 0 ? TYPE_DATA : TYPE_WINDOW_UPDATE, FLAG_SYN, nextId, 0);
                opened.add(nextId);
                nextId += 2;
            } else if (roll < 45) { // data on a stream we opened, or any
                int id = random.nextInt(5) == 0 ? random.nextInt() : known;
                int length = random.nextInt(10) == 0 ? MuxConfig.INITIAL_STREAM_WINDOW + random.nextInt(3) - 1
                        : random.nextInt(1500);
                int flags = random.nextInt(8) == 0 ? FLAG_FIN : 0;
                frame(out, TYPE_DATA, flags, id, length);
                byte[] payload = new byte[Math.min(length, 4096)]; // a long one is cut short by the end of input
                random.nextBytes(payload);
                out.writeBytes(payload);
                if (length > payload.length) break;
            } else if (roll < 58) { // window updates, small or absurd
                int delta = random.nextInt(4) == 0 ? 0xFFFF_FFFF : random.nextInt(1 << 20);
                frame(out, TYPE_WINDOW_UPDATE, 0, known, delta);
            } else if (roll < 66) { // FIN or RST, on known streams or not
                frame(out, TYPE_WINDOW_UPDATE, random.nextBoolean() ? FLAG_FIN : FLAG_RST,
                        random.nextInt(4) == 0 ? random.nextInt() : known, 0);
            } else if (roll < 76) { // pings, answers to nothing
                frame(out, TYPE_PING, random.nextBoolean() ? FLAG_SYN : FLAG_ACK, random.nextInt(3), random.nextInt());
            } else if (roll < 79) { // GoAway, any code
                frame(out, TYPE_GO_AWAY, 0, 0, random.nextInt(4));
            } else if (roll < 84) { // SYN for an id that is not the client's, or twice
                int id = switch (random.nextInt(3)) {
                    case 0 -> 0;
                    case 1 -> 2 * (1 + random.nextInt(100));
                    default -> known;
                };
                frame(out, TYPE_WINDOW_UPDATE, FLAG_SYN, id, 0);
            } else if (roll < 89) { // ACK for streams the server never opened
                frame(out, TYPE_WINDOW_UPDATE, FLAG_ACK, 2 * random.nextInt(100), 0);
            } else if (roll < 92) { // a random header
                byte[] header = new byte[HEADER_SIZE];
                random.nextBytes(header);
                out.writeBytes(header);
            } else { // a burst of SYNs
                for (int i = random.nextInt(40); i > 0; i--) {
                    frame(out, TYPE_WINDOW_UPDATE, FLAG_SYN, nextId, 0);
                    nextId += 2;
                }
            }
        }
        byte[] bytes = out.toByteArray();
        return random.nextInt(5) == 0 ? Arrays.copyOf(bytes, random.nextInt(bytes.length + 1)) : bytes;
    }

    private static void frame(ByteArrayOutputStream out, int type, int flags, int streamId, int length) {
        byte[] header = new byte[HEADER_SIZE];
        Frame.encode(header, 0, type, flags, streamId, length);
        out.writeBytes(header);
    }

    /** Hands out its bytes a few at a time, so that frames straddle the reader's refills. */
    private static final class Trickle extends InputStream {
        private final byte[] data;
        private final Random random;
        private int pos;

        Trickle(byte[] data, Random random) {
            this.data = data;
            this.random = random;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) return 0;
            if (pos == data.length) return -1;
            int n = Math.min(Math.min(len, 1 + random.nextInt(random.nextBoolean() ? 16 : 70_000)), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
