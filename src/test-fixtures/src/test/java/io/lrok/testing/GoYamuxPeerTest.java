package io.lrok.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exercises yamuxpeer Go to Go: a server peer and a client peer connected to each other, so that
 * the services and commands the Java multiplexer will be tested with are known to work against
 * hashicorp/yamux itself, and the Java PATTERN equals the Go one.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GoYamuxPeerTest {

  private static final Duration T = Duration.ofSeconds(30);

  private GoYamuxPeer server;
  private GoYamuxPeer client;

  private void connect(String... serverFlags) {
    server = GoYamuxPeer.server(serverFlags);
    assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
    client = GoYamuxPeer.client(server.address());
    server.awaitReady(T);
    client.awaitReady(T);
  }

  @AfterEach
  void closePeers() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void javaPatternEqualsGoPattern() {
    connect();
    for (long n : new long[] {0, 1, 7, 1_000_003, 1_048_576}) {
      Map<String, String> sent = GoYamuxPeer.keyValues(client.call("send " + n, T));
      assertThat(sent.get("sha")).as("send %d", n).isEqualTo(TestData.patternSha256(n));
      assertThat(Long.parseLong(sent.get("ms"))).isNotNegative();

      Map<String, String> received = GoYamuxPeer.keyValues(server.call("recv " + n, T));
      assertThat(received.get("sha")).as("recv %d", n).isEqualTo(TestData.patternSha256(n));
    }
  }

  @Test
  void bothSidesOpenAndServe() {
    connect();
    assertThat(client.call("echo-many 50 10000", T)).isEqualTo("streams=50");
    assertThat(server.call("echo-many 50 10000", T)).isEqualTo("streams=50");
    assertThat(client.call("echo-many 3 0", T)).isEqualTo("streams=3");
    assertThat(client.call("recv 1048576", T)).startsWith("sha=" + TestData.patternSha256(1_048_576));
    assertThat(server.call("send 3000000", T)).startsWith("sha=" + TestData.patternSha256(3_000_000));
  }

  @Test
  void concurrentCommands() {
    connect();
    List<CompletableFuture<String>> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      calls.add(client.callAsync("send " + (100_000 + i)));
      calls.add(server.callAsync("recv " + (200_000 + i)));
      calls.add(client.callAsync("halfclose " + (300_000 + i)));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS).join();
    for (int i = 0; i < 8; i++) {
      assertThat(calls.get(3 * i).join()).startsWith("sha=" + TestData.patternSha256(100_000 + i));
      assertThat(calls.get(3 * i + 1).join()).startsWith("sha=" + TestData.patternSha256(200_000 + i));
      assertThat(calls.get(3 * i + 2).join()).isEqualTo("sha=" + TestData.patternSha256(300_000 + i));
    }
  }

  @Test
  void halfCloseThenReadTheReply() {
    connect();
    assertThat(client.call("halfclose 0", T)).isEqualTo("sha=" + TestData.patternSha256(0));
    assertThat(client.call("halfclose 300001", T)).isEqualTo("sha=" + TestData.patternSha256(300_001));
    assertThat(server.call("halfclose 1048576", T)).isEqualTo("sha=" + TestData.patternSha256(1_048_576));
  }

  @Test
  void pingAndStats() {
    connect();
    assertThat(Long.parseLong(GoYamuxPeer.keyValues(client.call("ping", T)).get("rtt_us"))).isNotNegative();
    assertThat(Long.parseLong(GoYamuxPeer.keyValues(server.call("ping", T)).get("rtt_us"))).isNotNegative();
    Map<String, String> stats = GoYamuxPeer.keyValues(server.call("stats", T));
    assertThat(stats).containsKeys("streams", "goroutines");
    assertThat(Integer.parseInt(stats.get("goroutines"))).isPositive();
  }

  @Test
  void floodWithinTheWindowCompletesAndBeyondItWaitsForTheReader() {
    connect();
    // hold never reads, so only the initial 256 KiB window can be written.
    assertThat(client.call("flood 100000", T)).isEqualTo("written=100000");
    CompletableFuture<String> blocked = client.callAsync("flood 1000000");
    client.call("ping", T);
    server.call("ping", T);
    assertThat(blocked).isNotDone();
    client.call("close", T);
    assertThatThrownBy(() -> blocked.orTimeout(30, TimeUnit.SECONDS).join())
        .isInstanceOf(CompletionException.class)
        .cause().isInstanceOf(AssertionError.class).hasMessageContaining("flood");
  }

  @Test
  void goAwayRefusesNewStreams() {
    connect();
    assertThat(server.call("goaway", T)).isEmpty();
    client.call("ping", T); // the GoAway frame precedes the pong on the wire
    assertThat(GoYamuxPeer.keyValues(client.call("open-after-goaway", T)))
        .containsEntry("err", "remote end is not accepting connections");
  }

  @Test
  void acceptBacklogOverflowResetsTheStream() {
    connect("-accept-backlog", "2");
    server.call("pause-accept", T);
    // The accept goroutine takes (and holds) the first stream...
    CompletableFuture<String> first = client.callAsync("open-reset-expected hold");
    assertThat(server.awaitEvent("accept-held", T)).matches("EVENT accept-held \\d+");
    // ...the backlog takes two more, and yamux resets the one beyond.
    List<CompletableFuture<String>> more = List.of(
        client.callAsync("open-reset-expected hold"),
        client.callAsync("open-reset-expected hold"),
        client.callAsync("open-reset-expected hold"));
    String reset = (String) CompletableFuture.anyOf(more.toArray(CompletableFuture[]::new))
        .orTimeout(30, TimeUnit.SECONDS).join();
    assertThat(reset).isEqualTo("reset=true");
    assertThat(GoYamuxPeer.keyValues(server.call("stats", T))).containsEntry("streams", "3");
    server.call("resume-accept", T);

    client.call("close", T);
    client.awaitEvent("session-closed", T);
    server.awaitEvent("session-closed", T);
    List<CompletableFuture<String>> all = new ArrayList<>(more);
    all.add(first);
    long resets = all.stream().filter(f -> {
      try {
        return f.orTimeout(30, TimeUnit.SECONDS).join().equals("reset=true");
      } catch (CompletionException notReset) {
        // EOF when the session closed (or a failed write, had the close come first)
        assertThat(notReset.getCause()).isInstanceOf(AssertionError.class);
        return false;
      }
    }).count();
    assertThat(resets).isEqualTo(1);
  }

  @Test
  void closeEndsBothSessions() {
    connect();
    assertThat(server.call("close", T)).isEmpty();
    assertThat(server.awaitEvent("session-closed", T)).isEqualTo("EVENT session-closed");
    assertThat(client.awaitEvent("session-closed", T)).isEqualTo("EVENT session-closed");
    assertThatThrownBy(() -> client.call("send 10", T))
        .isInstanceOf(AssertionError.class).hasMessageContaining("session shutdown");
  }

  @Test
  void failuresAndTimeoutsAreAssertionErrorsWithStderr() {
    connect();
    assertThatThrownBy(() -> client.call("no-such-verb", T))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("'no-such-verb' failed: no-such-verb: unknown verb")
        .hasMessageContaining("recent stderr");
    assertThatThrownBy(() -> client.call("flood 1000000", Duration.ofMillis(200)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("no answer to 'flood 1000000' within");
    assertThatThrownBy(() -> server.awaitEvent("never", Duration.ofMillis(50)))
        .isInstanceOf(AssertionError.class).hasMessageContaining("no 'EVENT never' within");
  }

  @Test
  void closingThePeerEndsTheProcessAndPendingCalls() {
    connect();
    CompletableFuture<String> blocked = client.callAsync("flood 1000000");
    client.call("ping", T);
    client.close();
    assertThat(client.isAlive()).isFalse();
    assertThat(blocked).isCompletedExceptionally();
    server.awaitEvent("session-closed", T);
    // Once the process has ended, its whole stderr is in the messages.
    assertThatThrownBy(() -> client.call("ping", T))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("the peer has ended")
        .hasMessageContaining("session up: client")
        .hasMessageContaining("stdin closed, exiting");
    client.close(); // idempotent
  }
}
