package io.lrok.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal WebSocket echo server (RFC 6455) on a raw {@link ServerSocket} at 127.0.0.1, port 0, for tests that
 * need a local app speaking WebSocket. Each connection runs on a virtual thread of its own:
 *
 * <ul>
 *   <li>the opening handshake: a {@code GET} with {@code Upgrade: websocket}, {@code Connection: upgrade},
 *       {@code Sec-WebSocket-Version: 13} and a {@code Sec-WebSocket-Key} gets {@code 101 Switching Protocols} with
 *       {@code Sec-WebSocket-Accept} (SHA-1 of the key and the RFC's GUID, in Base64); anything else gets
 *       {@code 400} and a close;</li>
 *   <li>data frames (text, binary, continuation) come back as they came, same FIN bit, opcode and payload, but
 *       unmasked, as a server's frames must be; a client frame that is not masked is a protocol error (close
 *       1002);</li>
 *   <li>a ping is answered with a pong carrying its payload; a pong is ignored;</li>
 *   <li>a close is answered with a close carrying the same status code (none if it had none), then the server
 *       closes the TCP connection, as the server should (RFC 6455 §7.1.1).</li>
 * </ul>
 *
 * No extensions, no subprotocols, no UTF-8 validation of text (an echo does not need it). Payloads above
 * {@link #MAX_PAYLOAD} are refused with close 1009.
 */
public final class WebSocketEchoServer implements AutoCloseable {
  /** The GUID of RFC 6455 §1.3 that the accept key is derived with. */
  public static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  /** The largest frame payload echoed: 16 MiB. */
  public static final int MAX_PAYLOAD = 16 * 1024 * 1024;
  /** The largest opening handshake read: 16 KiB. */
  public static final int MAX_HEAD = 16 * 1024;

  /** Opcodes (RFC 6455 §5.2). */
  public static final int CONTINUATION = 0x0;
  public static final int TEXT = 0x1;
  public static final int BINARY = 0x2;
  public static final int CLOSE = 0x8;
  public static final int PING = 0x9;
  public static final int PONG = 0xA;

  /** Close status codes used here (RFC 6455 §7.4.1). */
  public static final int PROTOCOL_ERROR = 1002;
  public static final int TOO_BIG = 1009;

  private final ServerSocket listener;
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger echoed = new AtomicInteger();
  private final List<Map<String, String>> handshakes = new CopyOnWriteArrayList<>();

  private WebSocketEchoServer() throws IOException {
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().name("ws-echo-accept").start(this::acceptLoop);
  }

  /**
   * Starts listening on 127.0.0.1, on a free port.
   *
   * @return the running server
   */
  public static WebSocketEchoServer start() throws IOException {
    return new WebSocketEchoServer();
  }

  /** @return the port it listens on */
  public int port() {
    return listener.getLocalPort();
  }

  /** @return how many TCP connections it has accepted */
  public int connections() {
    return accepted.get();
  }

  /**
   * @return how many data frames it has echoed, each counted as its echo starts: a client that has read an echo
   *     sees it counted
   */
  public int framesEchoed() {
    return echoed.get();
  }

  /**
   * The header fields of each successful opening handshake, in order of arrival; names in lower case, the
   * request line under the key {@code ""}.
   *
   * @return the handshakes so far
   */
  public List<Map<String, String>> handshakes() {
    return List.copyOf(handshakes);
  }

  /** Stops accepting; connections already open run until their clients close them. */
  @Override
  public void close() throws IOException {
    listener.close();
  }

  /**
   * The {@code Sec-WebSocket-Accept} value for a key (RFC 6455 §4.2.2).
   *
   * @param key the client's {@code Sec-WebSocket-Key}
   * @return Base64 of the SHA-1 of the key followed by {@link #GUID}
   */
  public static String acceptKey(String key) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      byte[] digest = sha1.digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("SHA-1 is missing from this JDK", e);
    }
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      Socket socket;
      try {
        socket = listener.accept();
      } catch (IOException closed) {
        return;
      }
      int number = accepted.incrementAndGet();
      Thread.ofVirtual().name("ws-echo-" + number).start(() -> {
        try (socket) {
          serve(socket);
        } catch (IOException e) {
          // the client went away; the test sees it from its side
        }
      });
    }
  }

  private void serve(Socket socket) throws IOException {
    socket.setTcpNoDelay(true);
    DataInputStream in = new DataInputStream(socket.getInputStream());
    OutputStream out = socket.getOutputStream();
    Map<String, String> head = readHead(in);
    String problem = head == null ? "no request" : checkHandshake(head);
    if (problem != null) {
      byte[] body = (problem + "\n").getBytes(StandardCharsets.UTF_8);
      out.write(("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      return;
    }
    handshakes.add(head);
    out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: " + acceptKey(head.get("sec-websocket-key")) + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    echoFrames(in, out);
  }

  /** @return null if the head is a valid opening handshake, else what is wrong */
  private static String checkHandshake(Map<String, String> head) {
    String requestLine = head.get("");
    if (!requestLine.startsWith("GET ") || !requestLine.endsWith(" HTTP/1.1")) {
      return "not a GET over HTTP/1.1: " + requestLine;
    }
    if (!"websocket".equalsIgnoreCase(head.getOrDefault("upgrade", ""))) return "no Upgrade: websocket";
    if (!tokens(head.getOrDefault("connection", "")).contains("upgrade")) return "no Connection: upgrade";
    if (!"13".equals(head.get("sec-websocket-version"))) return "Sec-WebSocket-Version is not 13";
    String key = head.get("sec-websocket-key");
    if (key == null) return "no Sec-WebSocket-Key";
    try {
      if (Base64.getDecoder().decode(key).length != 16) return "Sec-WebSocket-Key is not 16 bytes in Base64";
    } catch (IllegalArgumentException e) {
      return "Sec-WebSocket-Key is not Base64";
    }
    return null;
  }

  private static List<String> tokens(String value) {
    return List.of(value.toLowerCase(Locale.ROOT).split("\\s*,\\s*"));
  }

  /** Reads the head through its empty line; fields joined with ", " when repeated. Null at EOF before any byte. */
  private static Map<String, String> readHead(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int b;
    int state = 0; // how much of CR LF CR LF has been seen
    while ((b = in.read()) >= 0) {
      bytes.write(b);
      if (bytes.size() > MAX_HEAD) throw new IOException("handshake longer than " + MAX_HEAD + " bytes");
      state = switch (state) {
        case 0, 2 -> b == '\r' ? state + 1 : 0;
        case 1, 3 -> b == '\n' ? state + 1 : (b == '\r' ? 1 : 0);
        default -> 0;
      };
      if (state == 4) break;
    }
    if (bytes.size() == 0) return null;
    if (state != 4) throw new EOFException("the connection ended inside the handshake");
    String[] lines = bytes.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    Map<String, String> head = new LinkedHashMap<>();
    head.put("", lines[0]);
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon <= 0) continue;
      String name = lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT);
      String value = lines[i].substring(colon + 1).strip();
      head.merge(name, value, (a, c) -> a + ", " + c);
    }
    return head;
  }

  private void echoFrames(DataInputStream in, OutputStream out) throws IOException {
    while (true) {
      int first;
      try {
        first = in.readUnsignedByte();
      } catch (EOFException e) {
        return; // the client closed without a close frame
      }
      int second = in.readUnsignedByte();
      boolean fin = (first & 0x80) != 0;
      int opcode = first & 0x0F;
      boolean masked = (second & 0x80) != 0;
      long length = second & 0x7F;
      if (length == 126) {
        length = in.readUnsignedShort();
      } else if (length == 127) {
        length = in.readLong();
      }
      if ((first & 0x70) != 0 || !masked) {
        writeClose(out, PROTOCOL_ERROR);
        return;
      }
      boolean control = (opcode & 0x8) != 0;
      if (control && (!fin || length > 125)) {
        writeClose(out, PROTOCOL_ERROR);
        return;
      }
      if (length < 0 || length > MAX_PAYLOAD) {
        writeClose(out, TOO_BIG);
        return;
      }
      byte[] mask = new byte[4];
      in.readFully(mask);
      byte[] payload = new byte[(int) length];
      in.readFully(payload);
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= mask[i & 3];
      }
      switch (opcode) {
        case CONTINUATION, TEXT, BINARY -> {
          echoed.incrementAndGet(); // before the echo: whoever has read it sees it counted
          writeFrame(out, fin, opcode, payload);
        }
        case PING -> writeFrame(out, true, PONG, payload);
        case PONG -> {
          // unsolicited or not, nothing to do
        }
        case CLOSE -> {
          // Echo the status code (the first two bytes), not the reason; none if the client sent none.
          writeFrame(out, true, CLOSE, payload.length >= 2 ? new byte[] {payload[0], payload[1]} : new byte[0]);
          return; // the caller closes the TCP connection: the server closes first
        }
        default -> {
          writeClose(out, PROTOCOL_ERROR);
          return;
        }
      }
    }
  }

  private static void writeClose(OutputStream out, int status) throws IOException {
    writeFrame(out, true, CLOSE, new byte[] {(byte) (status >>> 8), (byte) status});
  }

  /** Writes one unmasked frame, with the shortest length encoding, and flushes. */
  static void writeFrame(OutputStream out, boolean fin, int opcode, byte[] payload) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 10);
    frame.write((fin ? 0x80 : 0) | opcode);
    if (payload.length < 126) {
      frame.write(payload.length);
    } else if (payload.length < 65_536) {
      frame.write(126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length);
    } else {
      frame.write(127);
      long n = payload.length;
      for (int shift = 56; shift >= 0; shift -= 8) {
        frame.write((int) (n >>> shift));
      }
    }
    frame.write(payload);
    out.write(frame.toByteArray());
    out.flush();
  }
}
