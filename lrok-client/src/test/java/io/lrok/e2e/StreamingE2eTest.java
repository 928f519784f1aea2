package io.lrok.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import io.lrok.Tunnel;
import io.lrok.mux.MuxConfig;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.relay.RelayLimits;
import io.lrok.testing.Await;
import io.lrok.testing.Curl;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Server-sent events: the first event reaches the client while the response is still open. The app sends one event,
 * then waits for a latch that the test releases only once the client has that event; a tunnel that held the
 * response back (buffered it, or waited for its end) would never get that far.
 */
@Timeout(60)
class StreamingE2eTest {

    /** The app: one event, then the latch, then a second event and the end of the response. */
    private record EventApp(CountDownLatch firstEventSeen, AtomicBoolean finished) {
        EventApp() {
            this(new CountDownLatch(1), new AtomicBoolean());
        }

        void handle(HttpExchange exchange) throws IOException {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write("id: 1\ndata: one\n\n".getBytes(UTF_8));
            out.flush();
            try {
                Await.latch("the client's first event", E2e.WAIT, firstEventSeen);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (AssertionError e) {
                return; // never seen: the response ends without the second event, and the client's check fails
            }
            out.write("id: 2\ndata: two\n\n".getBytes(UTF_8));
            out.close();
            finished.set(true);
        }
    }

    @Test
    void theFirstEventReachesJavaNetHttpWhileTheResponseIsOpen() throws Exception {
        EventApp events = new EventApp();
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = LocalHttpApp.start(events::handle);
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = E2e.http11()) {
            HttpResponse<Stream<String>> response = client.send(HttpRequest.newBuilder(
                    tunnel.publicUrl().resolve("/events")).header("Accept", "text/event-stream").build(),
                    BodyHandlers.ofLines());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
            try (Stream<String> lines = response.body()) {
                Iterator<String> it = lines.iterator();
                assertThat(it.next()).isEqualTo("id: 1");
                assertThat(it.next()).isEqualTo("data: one");
                assertThat(it.next()).isEmpty();
                assertThat(events.finished()).as("the app has not finished the response").isFalse();
                events.firstEventSeen().countDown();
                assertThat(it.next()).isEqualTo("id: 2");
                assertThat(it.next()).isEqualTo("data: two");
                assertThat(it.next()).isEmpty();
                assertThat(it.hasNext()).isFalse();
            }
            assertThat(events.finished()).isTrue();
        }
    }

    @Test
    void theFirstEventReachesCurlWhileTheResponseIsOpen() throws Exception {
        Curl.require();
        EventApp events = new EventApp();
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = LocalHttpApp.start(events::handle);
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open()) {
            Process curl = Curl.command("-sS", "-N", "--max-time", Long.toString(E2e.WAIT.toSeconds()),
                    tunnel.publicUrl() + "/events").start();
            curl.getOutputStream().close();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(curl.getInputStream(), UTF_8))) {
                assertThat(lines.readLine()).isEqualTo("id: 1");
                assertThat(lines.readLine()).isEqualTo("data: one");
                assertThat(lines.readLine()).isEmpty();
                assertThat(events.finished()).as("the app has not finished the response").isFalse();
                events.firstEventSeen().countDown();
                assertThat(lines.readLine()).isEqualTo("id: 2");
                assertThat(lines.readLine()).isEqualTo("data: two");
                assertThat(lines.readLine()).isEmpty();
                assertThat(lines.readLine()).isNull();
            }
            assertThat(curl.waitFor(E2e.WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(curl.exitValue()).as(Curl.readAll(curl.getErrorStream())).isZero();
        }
    }

    @Test
    void aResponseOutlivesTheRelaysStreamCloseTimeout() throws Exception {
        // The relay half-closes the exchange's stream once the request is in; the multiplexer's stream close timeout
        // (5 min by default, 1 s here) must not count from that half-close, or every event stream and long download
        // would be reset that long after its request.
        Duration closeTimeout = Duration.ofSeconds(1);
        RelayLimits limits = RelayLimits.defaults().withMux(MuxConfig.defaults().withStreamCloseTimeout(closeTimeout));
        try (EmbeddedRelay relay = EmbeddedRelay.builder().limits(limits).start();
                LocalHttpApp app = LocalHttpApp.start(exchange -> {
                    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
                    exchange.sendResponseHeaders(200, 0);
                    OutputStream out = exchange.getResponseBody();
                    out.write("data: early\n\n".getBytes(UTF_8));
                    out.flush();
                    new CompletableFuture<Void>().completeOnTimeout(null,
                            closeTimeout.multipliedBy(3).toMillis(), TimeUnit.MILLISECONDS).join();
                    out.write("data: late\n\n".getBytes(UTF_8));
                    out.close();
                });
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = E2e.http11()) {
            HttpResponse<Stream<String>> response = client.send(HttpRequest.newBuilder(
                    tunnel.publicUrl().resolve("/events")).build(), BodyHandlers.ofLines());
            try (Stream<String> lines = response.body()) {
                assertThat(lines.toList()).containsExactly("data: early", "", "data: late", "");
            }
        }
    }
}
