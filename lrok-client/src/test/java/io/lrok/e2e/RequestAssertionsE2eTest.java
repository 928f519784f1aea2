package io.lrok.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.Tunnel;
import io.lrok.inspect.ExchangeState;
import io.lrok.inspect.NoRequestException;
import io.lrok.inspect.RecordedExchange;
import io.lrok.inspect.RecordedRequest;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.testing.Await;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The test API on a tunnel: takeRequest, requests, awaitRequest, awaitExchange, clearRecorded. */
@Timeout(60)
class RequestAssertionsE2eTest {
    /** A wait that is expected to run out: short, as nothing will arrive. */
    private static final Duration NOTHING_COMES = Duration.ofMillis(200);

    private static LocalHttpApp okApp() throws Exception {
        return LocalHttpApp.start(exchange -> {
            exchange.getRequestBody().readAllBytes();
            LocalHttpApp.respond(exchange, 200, "ok");
        });
    }

    private static void post(HttpClient client, Tunnel tunnel, String path, String body) throws Exception {
        client.send(HttpRequest.newBuilder(tunnel.publicUrl().resolve(path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
    }

    @Test
    void takeRequestHandsOutRequestsInArrivalOrderOnceEachThenTimesOut() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = okApp();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = E2e.http11()) {
            for (int i = 1; i <= 3; i++) post(client, tunnel, "/" + i, "body " + i);
            assertThat(tunnel.takeRequest(E2e.WAIT).path()).isEqualTo("/1");
            RecordedRequest second = tunnel.takeRequest(E2e.WAIT);
            assertThat(second.path()).isEqualTo("/2");
            assertThat(second.bodyText()).isEqualTo("body 2");
            assertThat(tunnel.takeRequest(E2e.WAIT).path()).isEqualTo("/3");
            assertThatThrownBy(() -> tunnel.takeRequest(NOTHING_COMES)).isInstanceOf(NoRequestException.class)
                    .hasMessageContaining("no request arrived at " + tunnel.publicUrl())
                    .hasMessageContaining("3 recorded, 0 not taken");
            // requests() lists them all, taken or not
            assertThat(tunnel.requests()).extracting(RecordedRequest::path).containsExactly("/1", "/2", "/3");
        }
    }

    @Test
    void anEmptyTunnelSaysSoOnTimeout() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = okApp();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open()) {
            assertThatThrownBy(() -> tunnel.takeRequest(NOTHING_COMES)).isInstanceOf(NoRequestException.class)
                    .hasMessageContaining("within 200 ms (none recorded)");
            assertThat(tunnel.requests()).isEmpty();
        }
    }

    @Test
    void takeRequestWaitsForARequestThatArrivesLater() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = okApp();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = E2e.http11();
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<RecordedRequest> taken = threads.submit(() -> tunnel.takeRequest(E2e.WAIT));
            post(client, tunnel, "/later", "x");
            assertThat(taken.get(E2e.WAIT.toSeconds(), TimeUnit.SECONDS).path()).isEqualTo("/later");
        }
    }

    @Test
    void aRequestIsVisibleOnceItsBodyIsCompleteBeforeTheAppAnswers() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = LocalHttpApp.start(exchange -> {
                    try {
                        answer.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    exchange.getRequestBody().readAllBytes();
                    LocalHttpApp.respond(exchange, 200, "late");
                });
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = E2e.http11()) {
            CompletableFuture<HttpResponse<String>> response = client.sendAsync(
                    HttpRequest.newBuilder(tunnel.publicUrl().resolve("/slow"))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"held\":true}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            RecordedRequest request = tunnel.takeRequest(E2e.WAIT);
            assertThat(request.bodyText()).isEqualTo("{\"held\":true}");
            assertThat(request.bodyComplete()).isTrue();
            RecordedExchange meanwhile = tunnel.exchanges().getFirst();
            assertThat(meanwhile.state()).isEqualTo(ExchangeState.IN_PROGRESS);
            assertThat(meanwhile.response()).isEmpty();
            answer.countDown();
            assertThat(response.get(E2e.WAIT.toSeconds(), TimeUnit.SECONDS).body()).isEqualTo("late");
            RecordedExchange done = tunnel.awaitExchange(e -> e.state() == ExchangeState.COMPLETE, E2e.WAIT);
            assertThat(done.response().orElseThrow().bodyText()).isEqualTo("late");
        } finally {
            answer.countDown();
        }
    }

    @Test
    void awaitRequestFindsAMatchAmongEarlierAndLaterRequests() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = okApp();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = E2e.http11();
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            post(client, tunnel, "/hooks", "{\"type\":\"customer.created\"}");
            // Recorded before the call: found at once, and not taken.
            RecordedRequest created = tunnel.awaitRequest(r -> r.bodyText().contains("customer.created"), E2e.WAIT);
            assertThat(created.path()).isEqualTo("/hooks");

            Future<RecordedRequest> paid = threads.submit(
                    () -> tunnel.awaitRequest(r -> r.bodyText().contains("invoice.paid"), E2e.WAIT));
            post(client, tunnel, "/hooks", "{\"type\":\"invoice.created\"}");
            post(client, tunnel, "/hooks", "{\"type\":\"invoice.paid\"}");
            assertThat(paid.get(E2e.WAIT.toSeconds(), TimeUnit.SECONDS).bodyText()).contains("invoice.paid");

            assertThatThrownBy(() -> tunnel.awaitRequest(r -> r.path().equals("/never"), NOTHING_COMES))
                    .isInstanceOf(NoRequestException.class).hasMessageContaining("no matching request");
            // awaitRequest took nothing: the queue still has all three, in order
            assertThat(tunnel.takeRequest(E2e.WAIT).bodyText()).contains("customer.created");
            assertThat(tunnel.takeRequest(E2e.WAIT).bodyText()).contains("invoice.created");
            assertThat(tunnel.takeRequest(E2e.WAIT).bodyText()).contains("invoice.paid");
        }
    }

    @Test
    void concurrentTakersGetEachRequestExactlyOnce() throws Exception {
        int requests = 20;
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = okApp();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = E2e.http11();
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Set<Long> ids = ConcurrentHashMap.newKeySet();
            List<Future<?>> takers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                takers.add(threads.submit(() -> {
                    for (int i = 0; i < requests / 4; i++) {
                        assertThat(ids.add(tunnel.takeRequest(E2e.WAIT).id())).as("taken twice").isTrue();
                    }
                    return null;
                }));
            }
            List<CompletableFuture<?>> sent = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                sent.add(client.sendAsync(HttpRequest.newBuilder(tunnel.publicUrl().resolve("/c" + i))
                        .POST(HttpRequest.BodyPublishers.ofString("n" + i)).build(),
                        HttpResponse.BodyHandlers.discarding()));
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(E2e.WAIT.toSeconds(), TimeUnit.SECONDS);
            for (Future<?> taker : takers) taker.get(E2e.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(ids).hasSize(requests);
            assertThatThrownBy(() -> tunnel.takeRequest(NOTHING_COMES)).isInstanceOf(NoRequestException.class);
        }
    }

    @Test
    void clearRecordedForgetsEverything() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = okApp();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = E2e.http11()) {
            post(client, tunnel, "/old", "");
            Await.until("the first request recorded", E2e.WAIT, () -> tunnel.requests().size() == 1);
            tunnel.clearRecorded();
            assertThat(tunnel.exchanges()).isEmpty();
            post(client, tunnel, "/new", "");
            assertThat(tunnel.takeRequest(E2e.WAIT).path()).isEqualTo("/new");
        }
    }

    @Test
    void recordedRequestsStayReadableAfterTheTunnelCloses() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = okApp();
                HttpClient client = E2e.http11()) {
            Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
            post(client, tunnel, "/before-close", "kept");
            tunnel.awaitExchange(e -> e.state() == ExchangeState.COMPLETE, E2e.WAIT);
            tunnel.close();
            assertThat(tunnel.takeRequest(E2e.WAIT).bodyText()).isEqualTo("kept");
        }
    }
}
