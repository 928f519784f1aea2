package io.lrok.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.mux.MuxConfig;
import io.lrok.mux.MuxSession;
import io.lrok.mux.MuxStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TcpPump's copy buffers, and bytes through a pump both ways over a real yamux session and real sockets. */
@Timeout(30)
class TcpPumpTest {

    @Test
    void aFullReadGoesOutAsOneDataFrameOfWholeTlsRecords() {
        int tlsRecord = 16 * 1024; // the largest TLS plaintext record (RFC 8446, 5.1)
        assertThat(TcpPump.BUFFER_SIZE).isLessThanOrEqualTo(MuxConfig.defaults().maxSendFrameSize());
        assertThat((TcpPump.BUFFER_SIZE + MuxConfig.FRAME_HEADER_SIZE) % tlsRecord).isZero();
    }

    @Test
    void aDirectionWaitsWithTheSmallBufferGrowsWhenItFillsAndShrinksWhenDrained() throws Exception {
        TcpPump.Buffer buffer = new TcpPump.Buffer(4, 16);
        assertThat(buffer.nextSize()).isEqualTo(4);

        InputStream in = new ByteArrayInputStream(new byte[16 + 16 + 10]);
        assertThat(buffer.read(in)).isEqualTo(16); // filled the small one, went on with what was there in the large
        assertThat(buffer.bytes()).hasSize(16);
        assertThat(buffer.nextSize()).isEqualTo(16);
        assertThat(buffer.read(in)).isEqualTo(16); // filled the large one: stays large
        assertThat(buffer.nextSize()).isEqualTo(16);
        assertThat(buffer.read(in)).isEqualTo(10); // short: the source is drained
        assertThat(buffer.bytes()).hasSize(16); // the bytes just read are still there to write
        assertThat(buffer.nextSize()).isEqualTo(4);
        assertThat(buffer.read(in)).isEqualTo(-1);
        assertThat(buffer.bytes()).hasSize(4);
    }

    @Test
    void aFullSmallReadWithNothingMoreWaitingDoesNotBlock() throws Exception {
        TcpPump.Buffer buffer = new TcpPump.Buffer(4, 16);
        // available() is 0 after the first 4 bytes, as on a socket whose peer sent exactly 4: no second read.
        InputStream in = new ByteArrayInputStream(new byte[4]) {
            @Override
            public int read(byte[] b, int off, int len) {
                if (pos == count) throw new AssertionError("a read that would block");
                return super.read(b, off, len);
            }
        };
        assertThat(buffer.read(in)).isEqualTo(4);
        assertThat(buffer.nextSize()).isEqualTo(16);
    }

    @Test
    void aShortReadOnTheSmallBufferKeepsIt() throws Exception {
        TcpPump.Buffer buffer = new TcpPump.Buffer(4, 16);
        assertThat(buffer.read(new ByteArrayInputStream(new byte[3]))).isEqualTo(3);
        assertThat(buffer.nextSize()).isEqualTo(4);
    }

    @Test
    void smallMessagesAndBulkCrossThePumpIntactBothWays() throws Exception {
        byte[] bulk = new byte[3 * 1024 * 1024 + 17];
        new Random(8).nextBytes(bulk);
        try (ServerSocket muxListener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket muxClient = new Socket(InetAddress.getLoopbackAddress(), muxListener.getLocalPort());
                Socket muxServer = muxListener.accept();
                MuxSession client = MuxSession.client(muxClient);
                MuxSession server = MuxSession.server(muxServer);
                ServerSocket appListener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket pumped = new Socket(InetAddress.getLoopbackAddress(), appListener.getLocalPort());
                Socket app = appListener.accept();
                // Not the common pool: on a 2-core machine it has one thread, and these tasks block.
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            MuxStream far = client.openStream();
            MuxStream near = server.acceptStream();
            CompletableFuture<Void> pump = CompletableFuture.runAsync(() -> TcpPump.run(pumped, near, "pump-test"), threads);

            // A small message each way, then bulk each way at once, then a small message again.
            OutputStream toApp = far.getOutputStream();
            InputStream fromApp = far.getInputStream();
            toApp.write("ping".getBytes());
            toApp.flush();
            assertThat(new DataInputStream(app.getInputStream()).readNBytes(4)).isEqualTo("ping".getBytes());
            app.getOutputStream().write("pong".getBytes());
            assertThat(fromApp.readNBytes(4)).isEqualTo("pong".getBytes());

            CompletableFuture<byte[]> appReceived = CompletableFuture.supplyAsync(() -> {
                try {
                    return app.getInputStream().readNBytes(bulk.length);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, threads);
            CompletableFuture<Void> appSent = CompletableFuture.runAsync(() -> {
                try {
                    app.getOutputStream().write(bulk);
                    app.getOutputStream().write("end".getBytes());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, threads);
            toApp.write(bulk);
            toApp.flush();
            byte[] back = fromApp.readNBytes(bulk.length + 3);
            assertThat(Arrays.equals(back, 0, bulk.length, bulk, 0, bulk.length)).isTrue();
            assertThat(new String(back, bulk.length, 3)).isEqualTo("end");
            assertThat(Arrays.equals(appReceived.get(), bulk)).isTrue();
            appSent.get();

            // Half-closes pass through: the stream's FIN reaches the app as EOF, the app's as the stream's EOF.
            far.shutdownOutput();
            assertThat(app.getInputStream().read()).isEqualTo(-1);
            app.shutdownOutput();
            assertThat(fromApp.read()).isEqualTo(-1);
            pump.get();
        }
    }
}
