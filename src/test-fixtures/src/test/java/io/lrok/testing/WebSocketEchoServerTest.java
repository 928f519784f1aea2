package io.lrok.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The echo server against a hand-written client (exact bytes) and against the JDK's WebSocket client. */
@Timeout(20)
class WebSocketEchoServerTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

  @Test
  void acceptKeyIsTheOneInRfc6455() {
    assertThat(WebSocketEchoServer.acceptKey(KEY)).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="); // §1.3
  }

  @Test
  void handshakeThenEchoesTextAndBinaryUnmaskedWithEachLengthEncoding() throws Exception {
    try (WebSocketEchoServer server = WebSocketEchoServer.start(); Socket socket = connect(server)) {
      String response = handshake(socket, "GET /chat HTTP/1.1\r\nHost: example\r\nUpgrade: WebSocket\r\n"
          + "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
      assertThat(response).startsWith("HTTP/1.1 101 Switching Protocols\r\n")
          .contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n").endsWith("\r\n\r\n");
      DataInputStream in = new DataInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();

      sendMasked(out, 0x81, "héllo".getBytes(UTF_8));
      assertThat(readFrame(in)).isEqualTo(frame(0x81, "héllo".getBytes(UTF_8)));
      for (int size : new int[] {0, 125, 126, 300, 65_535, 65_536, 200_000}) {
        byte[] data = TestData.patternBytes(size);
        sendMasked(out, 0x82, data);
        assertThat(readFrame(in)).as("binary of %d bytes", size).isEqualTo(frame(0x82, data));
      }
      sendMasked(out, 0x01, ascii("frag")); // a fragmented text message: each fragment echoed as it came
      sendMasked(out, 0x80, ascii("ment"));
      assertThat(readFrame(in)).isEqualTo(frame(0x01, ascii("frag")));
      assertThat(readFrame(in)).isEqualTo(frame(0x80, ascii("ment")));
      assertThat(server.framesEchoed()).isEqualTo(10);
      assertThat(server.handshakes()).singleElement()
          .satisfies(h -> assertThat(h).containsEntry("", "GET /chat HTTP/1.1").containsEntry("host", "example"));
    }
  }

  @Test
  void answersPingWithPongAndCloseWithCloseThenClosesTheConnection() throws Exception {
    try (WebSocketEchoServer server = WebSocketEchoServer.start(); Socket socket = connect(server)) {
      handshake(socket, validHandshake());
      DataInputStream in = new DataInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      sendMasked(out, 0x89, ascii("are you there"));
      assertThat(readFrame(in)).isEqualTo(frame(0x8A, ascii("are you there")));
      sendMasked(out, 0x8A, ascii("unsolicited")); // ignored
      sendMasked(out, 0x88, new byte[] {0x03, (byte) 0xE8, 'b', 'y', 'e'}); // 1000 "bye"
      assertThat(readFrame(in)).isEqualTo(frame(0x88, new byte[] {0x03, (byte) 0xE8}));
      assertThat(in.read()).isEqualTo(-1); // the server closed the TCP connection after the close handshake
    }
  }

  @Test
  void anUnmaskedClientFrameIsAProtocolError() throws Exception {
    try (WebSocketEchoServer server = WebSocketEchoServer.start(); Socket socket = connect(server)) {
      handshake(socket, validHandshake());
      socket.getOutputStream().write(frame(0x81, ascii("plain")));
      DataInputStream in = new DataInputStream(socket.getInputStream());
      assertThat(readFrame(in)).isEqualTo(frame(0x88, new byte[] {0x03, (byte) 0xEA})); // 1002
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void aRequestThatIsNotAWebSocketHandshakeGets400() throws Exception {
    try (WebSocketEchoServer server = WebSocketEchoServer.start(); Socket socket = connect(server)) {
      String response = handshake(socket, "GET / HTTP/1.1\r\nHost: example\r\nSec-WebSocket-Key: " + KEY
          + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
      assertThat(response).startsWith("HTTP/1.1 400 Bad Request\r\n");
      assertThat(new String(socket.getInputStream().readAllBytes(), UTF_8)).isEqualTo("no Upgrade: websocket\n");
      assertThat(server.handshakes()).isEmpty();
    }
  }

  @Test
  void theJdkClientGetsItsMessagesBackAndClosesCleanly() throws Exception {
    BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    WebSocket.Listener listener = new WebSocket.Listener() {
      private final StringBuilder text = new StringBuilder();
      private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
          received.add(text.toString());
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
          received.add(binary.toByteArray());
          binary.reset();
        }
        ws.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
        closed.complete(status);
        return null;
      }
    };
    try (WebSocketEchoServer server = WebSocketEchoServer.start(); HttpClient client = HttpClient.newHttpClient()) {
      WebSocket ws = client.newWebSocketBuilder()
          .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/echo"), listener)
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      ws.sendText("hello, websocket", true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(received.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("hello, websocket");
      byte[] data = TestData.patternBytes(100_000);
      ws.sendBinary(ByteBuffer.wrap(data), true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(received.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(data);
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(closed.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
      Await.until("the JDK client's connection closed", WAIT, () -> ws.isInputClosed() && ws.isOutputClosed());
    }
  }

  private static Socket connect(WebSocketEchoServer server) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
    socket.setSoTimeout((int) WAIT.toMillis());
    return socket;
  }

  private static String validHandshake() {
    return "GET / HTTP/1.1\r\nHost: example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
  }

  /** Sends the handshake and reads the response head through its empty line. */
  private static String handshake(Socket socket, String request) throws IOException {
    socket.getOutputStream().write(ascii(request));
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(US_ASCII).endsWith("\r\n\r\n")) {
      int b = socket.getInputStream().read();
      if (b < 0) break;
      head.write(b);
    }
    return head.toString(US_ASCII);
  }

  /** A frame as a server sends it: unmasked, shortest length encoding. */
  private static byte[] frame(int firstByte, byte[] payload) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    WebSocketEchoServer.writeFrame(out, (firstByte & 0x80) != 0, firstByte & 0x0F, payload);
    return out.toByteArray();
  }

  /** Writes a client frame: masked with a fixed key. */
  private static void sendMasked(OutputStream out, int firstByte, byte[] payload) throws IOException {
    byte[] mask = {0x37, (byte) 0xFA, 0x21, 0x3D};
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(firstByte);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else if (payload.length < 65_536) {
      frame.write(0x80 | 126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length);
    } else {
      frame.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        frame.write((int) ((long) payload.length >>> shift));
      }
    }
    frame.write(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i & 3]);
    }
    out.write(frame.toByteArray());
    out.flush();
  }

  /** Reads one whole server frame, as raw bytes (checks that it is unmasked). */
  private static byte[] readFrame(DataInputStream in) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    int first = in.readUnsignedByte();
    int second = in.readUnsignedByte();
    assertThat(second & 0x80).as("server frames are unmasked").isZero();
    frame.write(first);
    frame.write(second);
    long length = second & 0x7F;
    if (length == 126) {
      byte[] ext = in.readNBytes(2);
      frame.write(ext);
      length = ((ext[0] & 0xFF) << 8) | (ext[1] & 0xFF);
    } else if (length == 127) {
      byte[] ext = in.readNBytes(8);
      frame.write(ext);
      length = 0;
      for (byte b : ext) {
        length = (length << 8) | (b & 0xFF);
      }
    }
    frame.write(in.readNBytes((int) length));
    return frame.toByteArray();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(US_ASCII);
  }
}
