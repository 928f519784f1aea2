package io.lrok.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The socket under an agent's TLS session: corked writes leave in one write call, and TLS over it carries every byte
 * in order both ways, over real loopback TLS 1.3 with writes of every size (one byte, records, more than the buffer).
 */
@Timeout(60)
class RecordBatchingSocketTest {

    private static final String NAME = "relay.lrok.test";
    private static CertificateAuthority ca;
    private static IssuedCertificate leaf;

    @BeforeAll
    static void issue() throws Exception {
        ca = CertificateAuthority.create();
        leaf = ca.issue(NAME, "127.0.0.1");
    }

    @Test
    void corkedRecordsLeaveInOneWriteCallWhenUncorked() throws IOException {
        CallCounter below = new CallCounter();
        RecordBatchingSocket.CorkableOutput out = new RecordBatchingSocket.CorkableOutput(below);

        out.cork();
        for (int i = 0; i < 4; i++) {
            out.write(new byte[1000], 0, 1000);
            out.flush(); // the TLS layer flushes after every record
        }
        assertThat(below.calls).isEmpty();
        out.uncork();

        assertThat(below.calls).containsExactly(4000);
    }

    @Test
    void uncorkedWritesAndWritesLargerThanTheBufferGoStraightThrough() throws IOException {
        CallCounter below = new CallCounter();
        RecordBatchingSocket.CorkableOutput out = new RecordBatchingSocket.CorkableOutput(below);

        out.write(new byte[10], 0, 10);
        assertThat(below.calls).containsExactly(10);

        out.cork();
        out.write(new byte[100], 0, 100);
        out.write(new byte[RecordBatchingSocket.WRITE_BUFFER_SIZE + 1], 0, RecordBatchingSocket.WRITE_BUFFER_SIZE + 1);
        out.uncork();
        // what was collected goes first, then the large write itself; nothing is left
        assertThat(below.calls).containsExactly(10, 100, RecordBatchingSocket.WRITE_BUFFER_SIZE + 1);
        assertThat(below.bytes.size()).isEqualTo(10 + 100 + RecordBatchingSocket.WRITE_BUFFER_SIZE + 1);
    }

    @Test
    void theReadBufferGrowsWhenAReadFillsItAndShrinksAfterShortReads() throws IOException {
        ChunkedSource source = new ChunkedSource();
        RecordBatchingSocket.RecordInput in = new RecordBatchingSocket.RecordInput(source);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] into = new byte[100_000];

        source.chunks.add(chunk(100, 0));
        received.write(into, 0, in.read(into, 0, into.length));
        assertThat(in.large()).as("quiet: the small buffer").isFalse();

        source.chunks.add(chunk(RecordBatchingSocket.SMALL_READ_BUFFER_SIZE * 3, 100));
        received.write(into, 0, in.read(into, 0, 5)); // a record header: the small buffer fills from the socket
        assertThat(in.large()).as("a read filled the small buffer: large from now on").isTrue();
        int rest = RecordBatchingSocket.SMALL_READ_BUFFER_SIZE * 3 - 5;
        while (rest > 0) {
            int n = in.read(into, 0, into.length);
            received.write(into, 0, n);
            rest -= n;
        }

        int offset = 100 + RecordBatchingSocket.SMALL_READ_BUFFER_SIZE * 3;
        for (int i = 0; i < RecordBatchingSocket.SHORT_READS_TO_SHRINK; i++) {
            assertThat(in.large()).as("still large after %d short reads", i).isTrue();
            source.chunks.add(chunk(50, offset));
            offset += 50;
            received.write(into, 0, in.read(into, 0, into.length));
        }
        assertThat(in.large()).as("quiet again: back to the small buffer").isFalse();

        // nothing lost or reordered across the switches
        byte[] all = received.toByteArray();
        assertThat(all).hasSize(offset);
        for (int i = 0; i < all.length; i++) assertThat(all[i]).isEqualTo((byte) i);
        assertThat(in.read()).isEqualTo(-1);
    }

    @Test
    void tlsOverBatchingSocketsCarriesEveryByteInOrderBothWays() throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 7];
        new Random(42).nextBytes(data);
        // one byte, a small frame, exactly one record, a Data frame of four records, more than the write buffer
        int[] sizes = {1, 300, RecordBatchingSocket.MAX_RECORD_PAYLOAD, 64 * 1024,
                RecordBatchingSocket.WRITE_BUFFER_SIZE + 5000};

        try (ServerSocket listener = RecordBatchingSocket.serverSocket()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            CompletableFuture<byte[]> echoed = CompletableFuture.supplyAsync(() -> {
                try (Socket plain = listener.accept()) {
                    assertThat(plain).isInstanceOf(RecordBatchingSocket.class);
                    SSLSocket tls = (SSLSocket) leaf.serverContext().getSocketFactory()
                            .createSocket(plain, null, true);
                    tls.setUseClientMode(false);
                    tls.startHandshake();
                    byte[] received = readFully(tls.getInputStream(), data.length);
                    writeInSizes(TlsTransport.output(tls, plain), received, sizes);
                    tls.close();
                    return received;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });

            RecordBatchingSocket plain = new RecordBatchingSocket();
            plain.connect(listener.getLocalSocketAddress(), 10_000);
            try (SSLSocket tls = (SSLSocket) ca.clientContext().getSocketFactory()
                    .createSocket(plain, NAME, listener.getLocalPort(), true)) {
                tls.startHandshake();
                writeInSizes(TlsTransport.output(tls, plain), data, sizes);
                byte[] back = readFully(tls.getInputStream(), data.length);

                assertThat(digest(echoed.get(30, TimeUnit.SECONDS))).isEqualTo(digest(data));
                assertThat(digest(back)).isEqualTo(digest(data));
                assertThat(tls.getInputStream().read()).isEqualTo(-1); // the server's close, after every byte
            }
        }
    }

    @Test
    void theSessionOutputOfAPlainSocketIsItsOwn() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket plain = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
             Socket accepted = listener.accept()) {
            OutputStream out = TlsTransport.output(plain, plain);
            out.write(new byte[] {1, 2, 3});
            out.flush();
            assertThat(readFully(accepted.getInputStream(), 3)).containsExactly(1, 2, 3);
        }
    }

    private static void writeInSizes(OutputStream out, byte[] data, int[] sizes) throws IOException {
        int pos = 0;
        for (int i = 0; pos < data.length; i++) {
            int n = Math.min(sizes[i % sizes.length], data.length - pos);
            out.write(data, pos, n);
            pos += n;
        }
        out.flush();
    }

    private static byte[] readFully(InputStream in, int length) throws IOException {
        byte[] b = new byte[length];
        new DataInputStream(in).readFully(b);
        return b;
    }

    private static byte[] digest(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    /** Bytes numbered from {@code offset}, so that order can be checked. */
    private static byte[] chunk(int length, int offset) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) b[i] = (byte) (offset + i);
        return b;
    }

    /** A socket stand-in whose every read returns at most the next queued chunk, then the end. One thread. */
    private static final class ChunkedSource extends InputStream {
        final java.util.ArrayDeque<byte[]> chunks = new java.util.ArrayDeque<>();
        private byte[] current = new byte[0];
        private int pos;

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos == current.length) {
                if (chunks.isEmpty()) return -1;
                current = chunks.poll();
                pos = 0;
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    /** Records the length of every write call. Used by one thread. */
    private static final class CallCounter extends OutputStream {
        final List<Integer> calls = new ArrayList<>();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            calls.add(len);
            bytes.write(b, off, len);
        }
    }
}
