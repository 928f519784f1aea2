package io.lrok.e2e;

import static io.lrok.e2e.RawLocalApp.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.ConnectionEvent;
import io.lrok.ConnectionListener;
import io.lrok.ConnectionState;
import io.lrok.ReconnectPolicy;
import io.lrok.Tunnel;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
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
}
