package io.lrok.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.internal.wire.ControlCodec;
import io.lrok.internal.wire.ControlMessage.Hello;
import io.lrok.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An agent that speaks malformed or abusive yamux, played on a raw socket frame by frame, loses its own session
 * and nothing else: a well-behaved agent's tunnel on the same relay answers requests during and after the attack,
 * and the relay's sessions, platform threads and heap come back to where they were. {@code HostilePeerTest}
 * (lrok-core) shows the same attacks against a bare multiplexer.
 */
@Timeout(120)
class HostileAgentTest {
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final long MIB = 1 << 20;
    /** Heap the relay may keep after an attack and a full collection: generous for a loaded machine. */
    private static final long MAX_HEAP_GROWTH = 64 * MIB;
    /** Platform threads the relay may have started meanwhile (its timers); its own work runs on virtual threads. */
    private static final int MAX_THREAD_GROWTH = 8;

    private static final int DATA = 0;
    private static final int WINDOW_UPDATE = 1;
    private static final int PING = 2;
    private static final int SYN = 1;
    private static final int RST = 8;

    /** What the hostile agent does once welcomed. */
    enum Attack {
        /** A frame of yamux version 1. */
        BAD_VERSION(true),
        /** A frame of type 9. */
        BAD_TYPE(true),
        /** Window updates on the control stream that overflow its 32-bit send window. */
        WINDOW_OVERFLOW(true),
        /** SYNs for new streams, never reading the relay's answers. */
        SYN_FLOOD(true),
        /** Pings, never reading the pongs. */
        PING_FLOOD(true),
        /** One-byte Data frames on the control stream: garbage the control codec must refuse. */
        TINY_FRAMES(true),
        /** Streams opened and reset at once, as fast as the socket takes them: load, not a protocol error. */
        STREAM_CHURN(false);

        /** Whether the relay must end the session itself (otherwise the agent closes it after the attack). */
        final boolean endsSession;

        Attack(boolean endsSession) {
            this.endsSession = endsSession;
        }
    }

    @ParameterizedTest
    @EnumSource(Attack.class)
    void aHostileAgentLosesOnlyItsOwnSession(Attack attack) throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent good = FakeAgent.connect(relay);
                RawClient client = new RawClient(relay.httpPort())) {
            good.bindHttp("good");
            good.serve(Responses.whoAmI("good"));
            assertThat(client.get("good.localhost", "/").body()).isEqualTo("good:");
            long heapBefore = usedHeapAfterGc();
            int threadsBefore = Thread.getAllStackTraces().size();

            Socket hostile = FakeAgent.dial(relay);
            hostile.setSoTimeout((int) BOUND.toMillis());
            welcome(relay, hostile);
            Await.until("both sessions are up", BOUND, () -> relay.server().sessionCount() == 2);

            AtomicLong sent = new AtomicLong();
            Thread flood = Thread.ofVirtual().name("hostile-" + attack).start(() -> run(attack, hostile, sent));
            // The well-behaved tunnel answers while the attack runs, on the same kept-alive public connection.
            for (int i = 0; i < 20; i++) assertThat(client.get("good.localhost", "/" + i).body()).isEqualTo("good:");
            assertThat(flood.join(BOUND)).as("the attack ends").isTrue();

            if (attack.endsSession) {
                assertThat(drainToEof(hostile)).as("the relay closed the hostile agent's connection").isTrue();
            }
            hostile.close();
            Await.until("only the good session is left", BOUND, () -> relay.server().sessionCount() == 1);
            assertThat(client.get("good.localhost", "/after").body()).isEqualTo("good:");

            assertThat(Thread.getAllStackTraces().size()).as("platform threads")
                    .isLessThanOrEqualTo(threadsBefore + MAX_THREAD_GROWTH);
            assertThat(usedHeapAfterGc() - heapBefore).as("heap growth in bytes, after %d frames", sent.get())
                    .isLessThan(MAX_HEAP_GROWTH);
        }
    }

    /** Opens the control stream, says hello, and reads frames until the welcome's Data arrives. */
    private static void welcome(EmbeddedRelay relay, Socket socket) throws IOException {
        ByteArrayOutputStream hello = new ByteArrayOutputStream();
        ControlCodec.write(hello, Hello.create(relay.authToken().orElse(null), "hostile-agent/1"));
        OutputStream out = socket.getOutputStream();
        out.write(frame(WINDOW_UPDATE, SYN, 1, 0));
        out.write(frame(DATA, 0, 1, hello.size()));
        out.write(hello.toByteArray());
        out.flush();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] header = new byte[12];
        while (true) {
            in.readFully(header);
            int type = header[1];
            int streamId = readInt(header, 4);
            int length = readInt(header, 8);
            if (type != DATA) continue;
            in.skipNBytes(length);
            if (streamId == 1 && length > 0) return; // the welcome (or an error, which ends the test below)
        }
    }

    /** Runs the attack until it is done or the relay closes the connection; counts the frames written. */
    private static void run(Attack attack, Socket socket, AtomicLong sent) {
        try {
            OutputStream out = socket.getOutputStream();
            switch (attack) {
                case BAD_VERSION -> {
                    byte[] f = frame(PING, SYN, 0, 1);
                    f[0] = 1;
                    out.write(f);
                    sent.incrementAndGet();
                }
                case BAD_TYPE -> {
                    byte[] f = frame(PING, SYN, 0, 1);
                    f[1] = 9;
                    out.write(f);
                    sent.incrementAndGet();
                }
                case WINDOW_OVERFLOW -> {
                    out.write(frame(WINDOW_UPDATE, 0, 1, 0xFFFF_FFFF));
                    out.write(frame(WINDOW_UPDATE, 0, 1, 0xFFFF_FFFF));
                    sent.addAndGet(2);
                }
                case SYN_FLOOD -> batches(out, sent, 200_000, i -> frame(WINDOW_UPDATE, SYN, 3 + 2 * i, 0));
                case PING_FLOOD -> batches(out, sent, 1_000_000, i -> frame(PING, SYN, 0, i));
                case TINY_FRAMES -> batches(out, sent, 1_000_000, i -> {
                    byte[] f = new byte[13];
                    System.arraycopy(frame(DATA, 0, 1, 1), 0, f, 0, 12);
                    f[12] = 0x7F; // a length prefix far past the largest control message
                    return f;
                });
                case STREAM_CHURN -> batches(out, sent, 100_000, i -> {
                    byte[] f = new byte[24];
                    System.arraycopy(frame(WINDOW_UPDATE, SYN, 3 + 2 * i, 0), 0, f, 0, 12);
                    System.arraycopy(frame(WINDOW_UPDATE, RST, 3 + 2 * i, 0), 0, f, 12, 12);
                    return f;
                });
            }
            out.flush();
        } catch (IOException e) {
            // the relay closed the connection: the attack is over
        }
    }

    private interface FrameMaker {
        byte[] make(int i);
    }

    /** Writes {@code count} generated frames in batches of a thousand. */
    private static void batches(OutputStream out, AtomicLong sent, int count, FrameMaker maker) throws IOException {
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            batch.writeBytes(maker.make(i));
            if ((i + 1) % 1000 == 0) {
                batch.writeTo(out);
                batch.reset();
                sent.set(i + 1);
            }
        }
        batch.writeTo(out);
        sent.set(count);
    }

    /** @return whether the relay ended the connection (EOF or reset), reading whatever it had sent meanwhile */
    private static boolean drainToEof(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] sink = new byte[64 * 1024];
        try {
            while (in.read(sink) >= 0) {
                // the relay's answers to the flood
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (EOFException | java.net.SocketException reset) {
            return true;
        }
    }

    private static byte[] frame(int type, int flags, int streamId, int length) {
        byte[] f = new byte[12];
        f[1] = (byte) type;
        f[2] = (byte) (flags >>> 8);
        f[3] = (byte) flags;
        writeInt(f, 4, streamId);
        writeInt(f, 8, length);
        return f;
    }

    private static void writeInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    private static int readInt(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    private static long usedHeapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        System.gc();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
