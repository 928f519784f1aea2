package io.lrok.e2e;

import static io.lrok.e2e.RawLocalApp.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.ConnectionEvent;
import io.lrok.ConnectionListener;
import io.lrok.ConnectionState;
import io.lrok.ReconnectPolicy;
import io.lrok.Tunnel;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.mux.MuxConfig;
import io.lrok.relay.RelayLimits;
import io.lrok.testing.Await;
import io.lrok.testing.FaultyProxy;
import io.lrok.testing.TestData;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tunnels survive their relay: a relay restarted on the same ports serves the same URL again, and public requests
 * made during the gap fail cleanly (an error status or a refused connection), never with another tunnel's or a
 * wrong answer.
 */
@Timeout(120)
class ReconnectE2eTest {
    /** Retries every 20 to 200 ms: the tests wait for the relay, not for backoff. */
    static final ReconnectPolicy FAST = ReconnectPolicy.defaults()
            .withDelays(Duration.ofMillis(20), Duration.ofMillis(200));

    /** A heartbeat that notices a dead connection within a second, yet tolerates a loaded machine's pauses. */
    static final Duration HEARTBEAT_INTERVAL = Duration.ofMillis(250);
    static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(2);

    /** Records connection events. */
    static final class Events implements ConnectionListener {
        final List<ConnectionEvent> seen = new CopyOnWriteArrayList<>();

        @Override
        public void onConnectionEvent(ConnectionEvent event) {
            seen.add(event);
        }

        void awaitState(ConnectionState state, int count) {
            Await.until(count + " x " + state + " in " + seen, E2e.WAIT,
                    () -> seen.stream().filter(e -> e.state() == state).count() >= count);
        }
    }

    /** A public request's outcome: the status and body, or the I/O failure. */
    record Outcome(int status, String body, String failure) {
    }

    /**
     * One GET over a new public connection to the relay's shared HTTP port, with {@code Host} naming the tunnel.
     *
     * @return the outcome; never throws for a refused or cut connection
     */
    static Outcome get(int httpPort, URI url, String path) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), httpPort)) {
            socket.setSoTimeout((int) E2e.WAIT.toMillis());
            socket.getOutputStream().write(ascii("GET " + path + " HTTP/1.1\r\nHost: " + url.getAuthority()
                    + "\r\nConnection: close\r\n\r\n"));
            InputStream in = socket.getInputStream();
            String head = RawLocalApp.readHead(in);
            int status = Integer.parseInt(head.substring(9, 12));
            byte[] body = in.readAllBytes();
            var length = java.util.regex.Pattern.compile("(?im)^content-length: *(\\d+)").matcher(head);
            if (length.find() && Integer.parseInt(length.group(1)) != body.length) {
                // a response cut short: the client can tell, as it can tell a refused connection
                return new Outcome(0, "", "truncated: " + body.length + " of " + length.group(1) + " bytes");
            }
            return new Outcome(status, new String(body, StandardCharsets.UTF_8), null);
        } catch (IOException | RuntimeException e) {
            return new Outcome(0, "", e.toString());
        }
    }

    @Test
    void aRelayRestartedOnTheSamePortsServesTheSameUrlAgain() throws Exception {
        EmbeddedRelay first = EmbeddedRelay.builder().plaintextAgentPort().domain("lrok.test").start();
        int agentPort = first.agentPort();
        int httpPort = first.httpPort();
        Events events = new Events();
        try (LocalHttpApp app = LocalHttpApp.start(exchange ->
                LocalHttpApp.respond(exchange, 200, "app:" + exchange.getRequestURI().getPath()));
             Tunnel tunnel = Tunnel.http(app.port()).relay(first).reconnect(FAST).onConnectionEvent(events).open()) {
            URI url = tunnel.publicUrl();
            assertThat(get(httpPort, url, "/before")).isEqualTo(new Outcome(200, "app:/before", null));

            // Traffic all along: every answer must be the app's answer to that very request, or a clean failure.
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger sent = new AtomicInteger();
            Map<String, Integer> outcomes = new ConcurrentHashMap<>();
            List<String> wrong = new CopyOnWriteArrayList<>();
            Thread traffic = Thread.ofVirtual().start(() -> {
                while (!stop.get()) {
                    String path = "/r" + sent.incrementAndGet();
                    Outcome o = get(httpPort, url, path);
                    if (o.status() == 200 && !o.body().equals("app:" + path)) wrong.add(path + " -> " + o);
                    outcomes.merge(o.status() == 0 ? "failed" : String.valueOf(o.status()), 1, Integer::sum);
                }
            });
            Await.until("some requests answered before the restart", E2e.WAIT, () -> outcomes.containsKey("200"));

            first.close();
            events.awaitState(ConnectionState.RECONNECTING, 1);
            try (EmbeddedRelay second = EmbeddedRelay.builder().plaintextAgentPort().agentPort(agentPort)
                    .httpPort(httpPort).domain("lrok.test").start()) {
                events.awaitState(ConnectionState.CONNECTED, 2);
                assertThat(tunnel.publicUrl()).isEqualTo(url);
                assertThat(get(httpPort, url, "/after")).isEqualTo(new Outcome(200, "app:/after", null));
                int before = outcomes.getOrDefault("200", 0);
                Await.until("requests answered after the restart", E2e.WAIT,
                        () -> outcomes.getOrDefault("200", 0) > before + 5);
                stop.set(true);
                traffic.join(E2e.WAIT);
                assertThat(events.seen.stream().map(ConnectionEvent::state).toList())
                        .startsWith(ConnectionState.CONNECTED, ConnectionState.RECONNECTING)
                        .endsWith(ConnectionState.CONNECTED)
                        .doesNotContain(ConnectionState.CLOSED);
            }
            assertThat(wrong).as("answers that were not the app's answer to that request").isEmpty();
            assertThat(outcomes.keySet()).as("outcomes " + outcomes).isSubsetOf("200", "502", "503", "404", "failed");
        }
    }

    @Test
    void aSilentNetworkCutIsNoticedByTheHeartbeatAndTheTunnelComesBackOnTheSameUrl() throws Exception {
        Events events = new Events();
        try (EmbeddedRelay relay = EmbeddedRelay.builder().domain("lrok.test").start();
             FaultyProxy network = FaultyProxy.start(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                     relay.agentPort()));
             LocalHttpApp app = LocalHttpApp.start(exchange ->
                     LocalHttpApp.respond(exchange, 200, "app:" + exchange.getRequestURI().getPath()));
             Tunnel tunnel = Tunnel.http(app.port())
                     .relay(URI.create("lrok://127.0.0.1:" + network.address().getPort()))
                     .trustStore(relay.trustStore())
                     .reconnect(FAST)
                     .heartbeat(HEARTBEAT_INTERVAL, HEARTBEAT_TIMEOUT)
                     .onConnectionEvent(events)
                     .open()) {
            URI url = tunnel.publicUrl();
            assertThat(get(relay.httpPort(), url, "/before").status()).isEqualTo(200);

            long cutAt = System.nanoTime();
            network.stall(); // nothing passes and nothing closes: a half-open connection
            events.awaitState(ConnectionState.RECONNECTING, 1);
            long noticedMillis = (System.nanoTime() - cutAt) / 1_000_000;
            network.resume();
            events.awaitState(ConnectionState.CONNECTED, 2);
            System.out.printf("heartbeat %d ms + %d ms: the agent noticed the silent cut after %d ms%n",
                    HEARTBEAT_INTERVAL.toMillis(), HEARTBEAT_TIMEOUT.toMillis(), noticedMillis);

            assertThat(tunnel.publicUrl()).isEqualTo(url);
            assertThat(get(relay.httpPort(), url, "/after")).isEqualTo(new Outcome(200, "app:/after", null));
            assertThat(events.seen.get(1).cause()).isNotNull();
        }
    }

    @Test
    void theRelaysHeartbeatKeepsALostAgentsUrlForItsReturn() throws Exception {
        Events events = new Events();
        RelayLimits limits = RelayLimits.defaults().withMux(MuxConfig.defaults()
                .withKeepAliveInterval(HEARTBEAT_INTERVAL).withKeepAliveTimeout(HEARTBEAT_TIMEOUT))
                .withReconnectHold(Duration.ZERO);
        try (EmbeddedRelay relay = EmbeddedRelay.builder().domain("lrok.test").limits(limits).start();
             FaultyProxy network = FaultyProxy.start(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                     relay.agentPort()));
             LocalHttpApp app = LocalHttpApp.start(exchange -> LocalHttpApp.respond(exchange, 200, "back"));
             Tunnel tunnel = Tunnel.http(app.port())
                     .relay(URI.create("lrok://127.0.0.1:" + network.address().getPort()))
                     .trustStore(relay.trustStore())
                     .reconnect(FAST)
                     .onConnectionEvent(events) // the agent's heartbeat stays at its 30 s default
                     .open()) {
            URI url = tunnel.publicUrl();
            network.stall();
            Await.until("the relay gave up on the silent agent", E2e.WAIT, () -> relay.sessionCount() == 0);
            Outcome meanwhile = get(relay.httpPort(), url, "/");
            assertThat(meanwhile.status()).as("kept for the agent, not gone: " + meanwhile).isEqualTo(503);
            assertThat(meanwhile.body()).contains("reconnecting");

            network.resume(); // the agent now sees the relay's close, reconnects and resumes
            events.awaitState(ConnectionState.CONNECTED, 2);
            assertThat(tunnel.publicUrl()).isEqualTo(url);
            assertThat(get(relay.httpPort(), url, "/")).isEqualTo(new Outcome(200, "back", null));
        }
    }

    @Test
    void aBusyConnectionIsNeverTakenForDead() throws Exception {
        Events events = new Events();
        long size = 256L << 20;
        RelayLimits limits = RelayLimits.defaults().withMux(MuxConfig.defaults()
                .withKeepAliveInterval(HEARTBEAT_INTERVAL).withKeepAliveTimeout(HEARTBEAT_TIMEOUT));
        try (EmbeddedRelay relay = EmbeddedRelay.builder().domain("lrok.test").limits(limits).start();
             FaultyProxy network = FaultyProxy.start(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                     relay.agentPort()));
             LocalHttpApp app = LocalHttpApp.start(exchange -> {
                 exchange.sendResponseHeaders(200, size);
                 try (var out = exchange.getResponseBody()) {
                     TestData.writePattern(out, size);
                 }
             });
             Tunnel tunnel = Tunnel.http(app.port())
                     .relay(URI.create("lrok://127.0.0.1:" + network.address().getPort()))
                     .trustStore(relay.trustStore())
                     .heartbeat(HEARTBEAT_INTERVAL, HEARTBEAT_TIMEOUT)
                     .onConnectionEvent(events)
                     .open();
             Socket client = new Socket(InetAddress.getLoopbackAddress(), relay.httpPort())) {
            network.delay(Duration.ofMillis(2)); // a slower path: the transfer takes many heartbeat intervals
            client.setSoTimeout((int) E2e.WAIT.toMillis());
            client.getOutputStream().write(ascii("GET / HTTP/1.1\r\nHost: " + tunnel.publicUrl().getAuthority()
                    + "\r\nConnection: close\r\n\r\n"));
            InputStream in = client.getInputStream();
            assertThat(RawLocalApp.readHead(in)).startsWith("HTTP/1.1 200");
            assertThat(E2e.sha256(in)).isEqualTo(TestData.patternSha256(size));
            assertThat(events.seen.stream().map(ConnectionEvent::state).toList())
                    .as("the heartbeat never gave up on the busy connection").containsExactly(ConnectionState.CONNECTED);
            assertThat(relay.sessionCount()).isEqualTo(1);
        }
    }

    @Test
    void aDrainingRelayFinishesTheExchangesInProgressAndTheAgentMovesOnWithoutAnError() throws Exception {
        Events events = new Events();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger arrived = new java.util.concurrent.atomic.AtomicInteger();
        EmbeddedRelay first = EmbeddedRelay.builder().plaintextAgentPort().domain("lrok.test").start();
        int agentPort = first.agentPort();
        int httpPort = first.httpPort();
        try (LocalHttpApp app = LocalHttpApp.start(exchange -> {
                 arrived.incrementAndGet();
                 try {
                     release.await();
                 } catch (InterruptedException e) {
                     Thread.currentThread().interrupt();
                 }
                 LocalHttpApp.respond(exchange, 200, "done:" + exchange.getRequestURI().getPath());
             });
             Tunnel tunnel = Tunnel.http(app.port()).relay(first).reconnect(FAST).onConnectionEvent(events).open()) {
            URI url = tunnel.publicUrl();
            List<java.util.concurrent.CompletableFuture<Outcome>> inFlight = new java.util.ArrayList<>();
            var clients = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor(); // all five at once
            for (int i = 0; i < 5; i++) {
                String path = "/slow" + i;
                inFlight.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> get(httpPort, url, path), clients));
            }
            Await.until("5 requests at the app", E2e.WAIT, () -> arrived.get() == 5);

            Thread draining = Thread.ofVirtual().start(() -> first.shutdown(Duration.ofSeconds(60)));
            events.awaitState(ConnectionState.RECONNECTING, 1);
            assertThat(draining.isAlive()).as("the relay waits for the exchanges in progress").isTrue();
            release.countDown();
            for (int i = 0; i < 5; i++) {
                assertThat(inFlight.get(i).get()).isEqualTo(new Outcome(200, "done:/slow" + i, null));
            }
            draining.join(E2e.WAIT);
            assertThat(draining.isAlive()).isFalse();
            assertThat(tunnel.isOpen()).as("reconnecting, not closed").isTrue();
            assertThat(events.seen.stream().map(ConnectionEvent::state)).doesNotContain(ConnectionState.CLOSED);

            try (EmbeddedRelay second = EmbeddedRelay.builder().plaintextAgentPort().agentPort(agentPort)
                    .httpPort(httpPort).domain("lrok.test").start()) {
                events.awaitState(ConnectionState.CONNECTED, 2);
                assertThat(get(httpPort, url, "/again")).isEqualTo(new Outcome(200, "done:/again", null));
            }
        }
    }
}
