package io.lrok.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.testing.Await;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Closing a TLS session whose peer has stopped reading: the JDK's {@code SSLSocket.close()} waits for the blocked
 * write without a bound; {@link TlsTransport#closer} ends both, over real loopback TLS 1.3.
 */
@Timeout(60)
class TlsTransportTest {

    private static final String NAME = "relay.lrok.test";
    private static CertificateAuthority ca;
    private static IssuedCertificate leaf;

    @BeforeAll
    static void issue() throws Exception {
        ca = CertificateAuthority.create();
        leaf = ca.issue(NAME, "127.0.0.1");
    }

    @ParameterizedTest(name = "record-batching socket: {0}")
    @ValueSource(booleans = {true, false})
    void closingASessionWhosePeerStoppedReadingEndsTheBlockedWriteAndTheSocket(boolean batching) throws Exception {
        CountDownLatch peerDone = new CountDownLatch(1);
        try (ServerSocket listener = batching ? RecordBatchingSocket.serverSocket() : new ServerSocket()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread peer = Thread.ofVirtual().start(() -> {
                try (Socket accepted = listener.accept();
                     SSLSocket tls = (SSLSocket) leaf.serverContext().getSocketFactory()
                             .createSocket(accepted, null, true)) {
                    tls.setUseClientMode(false);
                    tls.startHandshake();
                    peerDone.await(); // handshake done, then never reads
                } catch (Exception e) {
                    // the test ends the peer by counting down; nothing to report
                }
            });

            Socket plain = batching ? new RecordBatchingSocket() : new Socket();
            plain.connect(listener.getLocalSocketAddress(), 10_000);
            SSLSocket tls = (SSLSocket) ca.clientContext().getSocketFactory()
                    .createSocket(plain, NAME, listener.getLocalPort(), true);
            tls.startHandshake();
            OutputStream out = TlsTransport.output(tls, plain);
            AtomicReference<IOException> writeFailure = new AtomicReference<>();
            Thread writer = Thread.ofVirtual().start(() -> {
                byte[] frame = new byte[64 * 1024];
                try {
                    while (true) out.write(frame);
                } catch (IOException e) {
                    writeFailure.set(e);
                }
            });
            // A virtual thread that only writes waits for nothing but the full socket buffers.
            Await.until("the writer blocked on the peer that does not read",
                    () -> writer.getState() == Thread.State.WAITING);

            Closeable closer = TlsTransport.closer(tls, plain);
            Thread closing = Thread.ofVirtual().start(() -> {
                try {
                    closer.close();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });

            Await.until("the close to return", () -> !closing.isAlive());
            Await.until("the blocked write to fail", () -> !writer.isAlive());
            assertThat(writeFailure.get()).isNotNull();
            assertThat(plain.isClosed()).isTrue();
            peerDone.countDown();
            peer.join();
        }
    }
}
