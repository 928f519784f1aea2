package io.lrok.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.Tunnel;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.testing.Await;
import io.lrok.testing.TestData;
import io.lrok.testing.WebSocketEchoServer;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A WebSocket through a tunnel: the JDK's client, the relay's upgrade, the agent's pipe, an RFC 6455 echo app. */
@Timeout(60)
class WebSocketE2eTest {

    @Test
    void textBinaryPingAndTheCloseHandshakeGoThroughTheTunnel() throws Exception {
        Messages listener = new Messages();
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                WebSocketEchoServer app = WebSocketEchoServer.start();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = HttpClient.newHttpClient()) {
            URI url = URI.create("ws://" + tunnel.publicUrl().getAuthority() + "/echo?room=1");
            WebSocket ws = client.newWebSocketBuilder().buildAsync(url, listener)
                    .get(E2e.WAIT.toSeconds(), TimeUnit.SECONDS);

            for (String text : new String[] {"hello", "ünïcödé ✓", "x".repeat(70_000)}) {
                ws.sendText(text, true).get(E2e.WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(listener.next()).isEqualTo(text);
            }
            byte[] data = TestData.patternBytes(1_000_000);
            ws.sendBinary(ByteBuffer.wrap(data), true).get(E2e.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(listener.next()).isEqualTo(data);
            ws.sendText("in ", false).get(E2e.WAIT.toSeconds(), TimeUnit.SECONDS); // one message in two frames
            ws.sendText("parts", true).get(E2e.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(listener.next()).isEqualTo("in parts");
            ws.sendPing(ByteBuffer.wrap(new byte[] {1, 2, 3})).get(E2e.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(listener.pong.get(E2e.WAIT.toSeconds(), TimeUnit.SECONDS)).containsExactly(1, 2, 3);

            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(E2e.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(listener.closed.get(E2e.WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isEqualTo(WebSocket.NORMAL_CLOSURE);
            Await.until("the client's side closed", E2e.WAIT, () -> ws.isInputClosed() && ws.isOutputClosed());

            assertThat(app.connections()).isEqualTo(1);
            assertThat(app.framesEchoed()).isGreaterThanOrEqualTo(6); // the JDK client may split large messages
            assertThat(app.handshakes()).singleElement().satisfies(h -> {
                assertThat(h).containsEntry("", "GET /echo?room=1 HTTP/1.1")
                        .containsEntry("host", tunnel.publicUrl().getAuthority())
                        .containsEntry("x-forwarded-for", "127.0.0.1");
                assertThat(h.get("connection")).isEqualToIgnoringCase("upgrade");
            });
        }
    }

    /** Collects whole messages (text as String, binary as byte[]), the first pong and the close status. */
    private static final class Messages implements WebSocket.Listener {
        private final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
        final CompletableFuture<byte[]> pong = new CompletableFuture<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();

        Object next() throws InterruptedException {
            Object message = messages.poll(E2e.WAIT.toSeconds(), TimeUnit.SECONDS);
            if (message == null) throw new AssertionError("no message within " + E2e.WAIT);
            return message;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            binary.writeBytes(bytes);
            if (last) {
                messages.add(binary.toByteArray());
                binary.reset();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            byte[] bytes = new byte[message.remaining()];
            message.get(bytes);
            pong.complete(bytes);
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.completeExceptionally(error);
            pong.completeExceptionally(error);
        }
    }
}
