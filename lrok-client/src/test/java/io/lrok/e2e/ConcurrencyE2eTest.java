package io.lrok.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.Tunnel;
import io.lrok.relay.EmbeddedRelay;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** 500 requests in flight at once through one tunnel, half of them with a body: each response belongs to its own request. */
@Timeout(90)
class ConcurrencyE2eTest {
    private static final int REQUESTS = 500;
    private static final int BURSTS = 5;

    @Test
    void fiveHundredConcurrentRequestsEachGetTheirOwnResponse() throws Exception {
        CountDownLatch allArrived = new CountDownLatch(REQUESTS);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        Set<String> idsSeen = ConcurrentHashMap.newKeySet();
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = LocalHttpApp.start(exchange -> {
                    String id = exchange.getRequestHeaders().getFirst("X-Request-Id");
                    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                    idsSeen.add(id);
                    mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    // Hold every answer until all requests are here: they are all in flight through the tunnel at
                    // once. Bounded, so that a shortfall shows as a count below, not as a hang.
                    allArrived.countDown();
                    try {
                        allArrived.await(E2e.WAIT.toSeconds(), TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    inFlight.decrementAndGet();
                    exchange.getResponseHeaders().set("X-Echo-Id", id);
                    LocalHttpApp.respond(exchange, 200, "id=" + id + " path=" + exchange.getRequestURI().getPath()
                            + " body=" + body);
                });
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                        .build()) {
            URI url = tunnel.publicUrl();
            List<String> ids = new ArrayList<>();
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                String id = UUID.randomUUID().toString();
                ids.add(id);
                HttpRequest.Builder request = HttpRequest.newBuilder(url.resolve("/item/" + i))
                        .header("X-Request-Id", id).timeout(E2e.WAIT.multipliedBy(2));
                if (i % 2 == 1) request.POST(BodyPublishers.ofString("payload of " + id)); // half with a body
                responses.add(client.sendAsync(request.build(), BodyHandlers.ofString()));
            }
            CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new))
                    .get(E2e.WAIT.toSeconds() * 2, TimeUnit.SECONDS);

            for (int i = 0; i < REQUESTS; i++) {
                HttpResponse<String> response = responses.get(i).join();
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("id=" + ids.get(i) + " path=/item/" + i + " body="
                        + (i % 2 == 1 ? "payload of " + ids.get(i) : ""));
                assertThat(response.headers().firstValue("X-Echo-Id")).hasValue(ids.get(i));
            }
            assertThat(idsSeen).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(mostInFlight.get()).as("requests the app held at once").isEqualTo(REQUESTS);
            assertThat(allArrived.getCount()).isZero();
        }
    }

    @Test
    void burstsOfFiveHundredRequestsBackToBackAllSucceed() throws Exception {
        // No latch: exchanges end at different times, so the agent's pool hands back connections the app (the JDK's
        // HttpServer, which keeps at most 200 idle) may have closed meanwhile; the tunnel must retry them, never 502.
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = LocalHttpApp.start(exchange ->
                        LocalHttpApp.respond(exchange, 200, exchange.getRequestURI().getPath()));
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                        .build()) {
            for (int round = 0; round < BURSTS; round++) {
                List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
                for (int i = 0; i < REQUESTS; i++) {
                    responses.add(client.sendAsync(HttpRequest.newBuilder(tunnel.publicUrl().resolve("/" + round + "/" + i))
                            .timeout(E2e.WAIT).build(), BodyHandlers.ofString()));
                }
                for (int i = 0; i < REQUESTS; i++) {
                    HttpResponse<String> response = responses.get(i).get(E2e.WAIT.toSeconds(), TimeUnit.SECONDS);
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                    assertThat(response.body()).isEqualTo("/" + round + "/" + i);
                }
            }
        }
    }
}
