package io.lrok.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.lrok.testing.FaultyProxy.Direction;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * FaultyProxy over real loopback sockets. The target is a {@link Target} that hands each accepted
 * socket to the test, so that both ends can be driven and observed; {@link #echo} turns one into
 * an echo server. Absence (of bytes, of end of stream) is observed with a short read timeout
 * ({@link #QUIET}); everything awaited has a bound ({@link #T}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultyProxyTest {

  private static final Duration T = Duration.ofSeconds(20);
  private static final int T_MILLIS = (int) T.toMillis();
  /** How long a test watches for bytes that must not arrive. */
  private static final int QUIET_MILLIS = 300;

  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable r : resources.reversed()) {
      r.close();
    }
  }

  private <C extends AutoCloseable> C use(C resource) {
    resources.add(resource);
    return resource;
  }

  @Test
  void bytesPassIntactBothWaysAndEndOfStreamToo() throws Exception {
    Target target = use(new Target());
    FaultyProxy proxy = use(FaultyProxy.start(target.address()));
    assertThat(proxy.address().getAddress().isLoopbackAddress()).isTrue();
    long n = 4L * 1024 * 1024 + 7;

    Socket client = use(connect(proxy));
    echo(target.take());
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      try {
        TestData.writePattern(client.getOutputStream(), n);
        client.shutdownOutput();
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    }, runnable -> Thread.ofVirtual().start(runnable));
    TestData.Sha256Sink sink = new TestData.Sha256Sink();
    client.getInputStream().transferTo(sink); // to the echo's end of stream
    writer.get(T.toMillis(), TimeUnit.MILLISECONDS);

    assertThat(sink.count()).isEqualTo(n);
    assertThat(sink.hex()).isEqualTo(TestData.patternSha256(n));
    assertThat(proxy.bytesForwarded(Direction.UPSTREAM)).isEqualTo(n);
    assertThat(proxy.bytesForwarded(Direction.DOWNSTREAM)).isEqualTo(n);
    proxy.awaitUntil(p -> p.openConnections() == 0, T);
    assertThat(proxy.connectionsAccepted()).isEqualTo(1);
  }

  @Test
  void cutResetsBothEndsAndNewConnectionsWork() throws Exception {
    Target target = use(new Target());
    FaultyProxy proxy = use(FaultyProxy.start(target.address()));
    Socket client = use(connect(proxy));
    Socket server = use(target.take());
    roundTrip(client, server);

    proxy.cut();

    assertThat(proxy.openConnections()).isZero();
    assertEndedByPeer(client);
    assertEndedByPeer(server);
    Socket again = use(connect(proxy));
    roundTrip(again, use(target.take()));
    assertThat(proxy.connectionsAccepted()).isEqualTo(2);
    assertThat(proxy.openConnections()).isEqualTo(1);
  }

  @Test
  void refuseFailsConnectsUntilAllowedAndKeepsCurrentConnections() throws Exception {
    Target target = use(new Target());
    FaultyProxy proxy = use(FaultyProxy.start(target.address()));
    Socket first = use(connect(proxy));
    Socket firstServer = use(target.take());

    proxy.refuse(true);
    assertThatThrownBy(() -> connect(proxy)).isInstanceOf(ConnectException.class);
    roundTrip(first, firstServer);

    proxy.refuse(false);
    Socket second = use(connect(proxy));
    Socket secondServer = use(target.take());
    roundTrip(second, secondServer);

    proxy.cutAndRefuse();
    assertEndedByPeer(first);
    assertEndedByPeer(second);
    assertEndedByPeer(secondServer);
    assertThatThrownBy(() -> connect(proxy)).isInstanceOf(ConnectException.class);

    proxy.refuse(false);
    roundTrip(use(connect(proxy)), use(target.take()));
    assertThat(proxy.connectionsAccepted()).isEqualTo(3);
  }

  @Test
  void stallHoldsBytesAndEndOfStreamUntilResume() throws Exception {
    Target target = use(new Target());
    FaultyProxy proxy = use(FaultyProxy.start(target.address()));
    Socket client = use(connect(proxy));
    Socket server = use(target.take());
    roundTrip(client, server);
    // The proxy counts a chunk after writing it: the peer may read it before it is counted.
    proxy.awaitUntil(p -> p.bytesForwarded(Direction.UPSTREAM) == 1 && p.bytesForwarded(Direction.DOWNSTREAM) == 1, T);
    long up = proxy.bytesForwarded(Direction.UPSTREAM);
    long down = proxy.bytesForwarded(Direction.DOWNSTREAM);

    proxy.stall();
    client.getOutputStream().write("up".getBytes(US_ASCII));
    client.shutdownOutput();
    server.getOutputStream().write("down".getBytes(US_ASCII));
    assertQuiet(server);
    assertQuiet(client);
    assertThat(proxy.bytesForwarded(Direction.UPSTREAM)).isEqualTo(up);
    assertThat(proxy.bytesForwarded(Direction.DOWNSTREAM)).isEqualTo(down);
    assertThat(proxy.openConnections()).isEqualTo(1);

    proxy.resume();
    assertThat(read(server, 2)).isEqualTo("up");
    assertThat(server.getInputStream().read()).as("the client's end of stream, held then passed").isEqualTo(-1);
    assertThat(read(client, 4)).isEqualTo("down");
  }

  @ParameterizedTest
  @EnumSource(Direction.class)
  void stallOneDirectionHoldsOnlyThatOne(Direction held) throws Exception {
    Target target = use(new Target());
    FaultyProxy proxy = use(FaultyProxy.start(target.address()));
    Socket client = use(connect(proxy));
    Socket server = use(target.take());
    roundTrip(client, server);
    Socket from = held == Direction.UPSTREAM ? client : server;
    Socket to = held == Direction.UPSTREAM ? server : client;

    proxy.stall(held);
    from.getOutputStream().write("held".getBytes(US_ASCII));
    assertQuiet(to);
    to.getOutputStream().write("other way".getBytes(US_ASCII));
    assertThat(read(from, 9)).isEqualTo("other way");

    proxy.resume();
    assertThat(read(to, 4)).isEqualTo("held");
    assertThat(proxy.bytesDropped(held)).isZero();
  }

  @Test
  void blackholeDropsBytesUntilResume() throws Exception {
    Target target = use(new Target());
    FaultyProxy proxy = use(FaultyProxy.start(target.address()));
    Socket client = use(connect(proxy));
    Socket server = use(target.take());
    roundTrip(client, server);

    proxy.blackhole();
    client.getOutputStream().write("lost".getBytes(US_ASCII));
    server.getOutputStream().write("gone!".getBytes(US_ASCII));
    proxy.awaitUntil(p -> p.bytesDropped(Direction.UPSTREAM) == 4 && p.bytesDropped(Direction.DOWNSTREAM) == 5, T);
    assertQuiet(server);
    assertQuiet(client);

    proxy.resume();
    client.getOutputStream().write("found".getBytes(US_ASCII));
    assertThat(read(server, 5)).isEqualTo("found");
    server.getOutputStream().write("back".getBytes(US_ASCII));
    assertThat(read(client, 4)).isEqualTo("back");
  }

  @ParameterizedTest
  @EnumSource(Direction.class)
  void blackholeOneDirectionDropsOnlyThatOne(Direction dropped) throws Exception {
    Target target = use(new Target());
    FaultyProxy proxy = use(FaultyProxy.start(target.address()));
    Socket client = use(connect(proxy));
    Socket server = use(target.take());
    roundTrip(client, server);
    Socket from = dropped == Direction.UPSTREAM ? client : server;
    Socket to = dropped == Direction.UPSTREAM ? server : client;

    proxy.blackhole(dropped);
    from.getOutputStream().write("lost".getBytes(US_ASCII));
    proxy.awaitUntil(p -> p.bytesDropped(dropped) == 4, T);
    assertQuiet(to);
    to.getOutputStream().write("other way".getBytes(US_ASCII));
    assertThat(read(from, 9)).isEqualTo("other way");

    proxy.resume();
    from.getOutputStream().write("again".getBytes(US_ASCII));
    assertThat(read(to, 5)).isEqualTo("again");
  }

  @Test
  void delayAddsAtLeastTheDelayEachWayAndKeepsOrder() throws Exception {
    Target target = use(new Target());
    FaultyProxy proxy = use(FaultyProxy.start(target.address()));
    Socket client = use(connect(proxy));
    Socket server = use(target.take());
    roundTrip(client, server);
    Duration delay = Duration.ofMillis(200);

    proxy.delay(delay);
    long start = System.nanoTime();
    client.getOutputStream().write('x');
    assertThat(read(server, 1)).isEqualTo("x");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(delay);
    start = System.nanoTime();
    server.getOutputStream().write('y');
    assertThat(read(client, 1)).isEqualTo("y");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(delay);

    proxy.delay(Duration.ofMillis(5));
    int n = 256 * 1024 + 3;
    Thread writer = Thread.ofVirtual().start(() -> {
      try {
        TestData.writePattern(client.getOutputStream(), n);
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    assertThat(server.getInputStream().readNBytes(n)).isEqualTo(TestData.patternBytes(n));
    assertThat(writer.join(T)).isTrue();
  }

  @Test
  void aTargetThatRefusesEndsTheClientConnection() throws Exception {
    InetSocketAddress closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = new InetSocketAddress(s.getInetAddress(), s.getLocalPort());
    }
    FaultyProxy proxy = use(FaultyProxy.start(closedPort));
    Socket client = use(connect(proxy));
    assertEndedByPeer(client);
    proxy.awaitUntil(p -> p.connectionsAccepted() == 1 && p.openConnections() == 0, T);
  }

  @Test
  void awaitUntilFailsWithTheProxyState() {
    FaultyProxy proxy = use(FaultyProxy.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9)));
    assertThatThrownBy(() -> proxy.awaitUntil(p -> p.openConnections() == 1, Duration.ofMillis(50)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("FaultyProxy[");
  }

  @Test
  void closeEndsConnectionsAndFreesThePort() throws Exception {
    Target target = use(new Target());
    FaultyProxy proxy = FaultyProxy.start(target.address());
    Socket client = use(connect(proxy));
    Socket server = use(target.take());
    roundTrip(client, server);

    proxy.close();
    proxy.close(); // idempotent

    assertEndedByPeer(client);
    assertEndedByPeer(server);
    try (ServerSocket rebound = new ServerSocket()) {
      rebound.setReuseAddress(true); // only a listener would stop this bind, not old connections
      rebound.bind(proxy.address());
      assertThat(rebound.getLocalPort()).isEqualTo(proxy.address().getPort());
    }
  }

  // ---- helpers ----

  private static Socket connect(FaultyProxy proxy) throws IOException {
    Socket s = new Socket();
    try {
      s.connect(proxy.address(), T_MILLIS);
      s.setSoTimeout(T_MILLIS);
      s.setTcpNoDelay(true);
      return s;
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  /** A byte each way: proves the connection is through and both pumps run. */
  private static void roundTrip(Socket client, Socket server) throws IOException {
    client.getOutputStream().write('c');
    assertThat(read(server, 1)).isEqualTo("c");
    server.getOutputStream().write('s');
    assertThat(read(client, 1)).isEqualTo("s");
  }

  private static String read(Socket s, int n) throws IOException {
    s.setSoTimeout(T_MILLIS);
    byte[] b = s.getInputStream().readNBytes(n);
    return new String(b, US_ASCII);
  }

  /** Nothing (no byte, no end of stream, no reset) arrives within QUIET_MILLIS. */
  private static void assertQuiet(Socket s) throws IOException {
    s.setSoTimeout(QUIET_MILLIS);
    try {
      int b = s.getInputStream().read();
      fail("expected silence, read " + b);
    } catch (SocketTimeoutException expected) {
      // silence: the socket stays usable
    } finally {
      s.setSoTimeout(T_MILLIS);
    }
  }

  /** The peer ended the connection: end of stream, or a reset. */
  private static void assertEndedByPeer(Socket s) throws IOException {
    s.setSoTimeout(T_MILLIS);
    InputStream in = s.getInputStream();
    try {
      assertThat(in.read()).isEqualTo(-1);
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the connection did not end within " + T, e);
    } catch (SocketException reset) {
      assertThat(reset).hasMessageContaining("reset");
    }
  }

  private static void echo(Socket s) {
    Thread.ofVirtual().start(() -> {
      try (s) {
        s.getInputStream().transferTo(s.getOutputStream());
        s.shutdownOutput();
      } catch (IOException ignored) {
        // the test sees what went wrong on its side
      }
    });
  }

  /** A target server on 127.0.0.1:0 that hands every accepted socket to the test. */
  private static final class Target implements AutoCloseable {
    private final ServerSocket server;
    private final BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();

    Target() throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread.ofVirtual().name("target-accept").start(() -> {
        try {
          while (true) {
            Socket s = server.accept();
            s.setTcpNoDelay(true);
            accepted.add(s);
          }
        } catch (IOException closed) {
          // close()
        }
      });
    }

    InetSocketAddress address() {
      return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    Socket take() throws InterruptedException {
      Socket s = accepted.poll(T.toMillis(), TimeUnit.MILLISECONDS);
      if (s == null) {
        throw new AssertionError("the target accepted nothing within " + T);
      }
      return s;
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : accepted) {
        s.close();
      }
    }
  }
}
