package io.lrok.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.Tunnel;
import io.lrok.TunnelException;
import io.lrok.inspect.ExchangeState;
import io.lrok.inspect.RecordedExchange;
import io.lrok.internal.json.Json;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.testing.Curl;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The inspector's JSON API and event stream, with real clients (java.net.http and curl) through a real relay. */
@Timeout(60)
class InspectorApiE2eTest {

    /** Answers with what it got: {@code METHOD target X-Edit=value body}. */
    private static LocalHttpApp describingApp() throws Exception {
        return LocalHttpApp.start(exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String edit = exchange.getRequestHeaders().getFirst("X-Edit");
            LocalHttpApp.respond(exchange, 200, exchange.getRequestMethod() + " " + exchange.getRequestURI()
                    + (edit != null ? " X-Edit=" + edit : "") + " " + body);
        });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(String json) throws Exception {
        return (Map<String, Object>) Json.parse(json, 1 << 24);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return (List<Map<String, Object>>) o;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    private static HttpResponse<String> get(HttpClient client, URI url) throws Exception {
        return client.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(HttpClient client, URI url, String json) throws Exception {
        return client.send(HttpRequest.newBuilder(url).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static RecordedExchange ended(Tunnel tunnel, long id) throws InterruptedException {
        return tunnel.awaitExchange(e -> e.id() == id && e.state() != ExchangeState.IN_PROGRESS, E2e.WAIT);
    }

    @Test
    void thePageAndItsResourcesAreServed() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = describingApp();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = E2e.http11()) {
            URI inspector = tunnel.inspectorUrl().orElseThrow();
            assertThat(inspector.getHost()).isEqualTo("127.0.0.1");
            HttpResponse<String> page = get(client, inspector);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
            assertThat(page.body()).contains("<title>lrok inspector</title>").contains("inspector.js");
            assertThat(get(client, inspector.resolve("/inspector.js")).body()).contains("EventSource");
            assertThat(get(client, inspector.resolve("/inspector.css")).body()).contains("prefers-color-scheme");
            assertThat(get(client, inspector.resolve("/nothing")).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void listAndDetailShowTheRecordedExchanges() throws Exception {
        byte[] binary = {0, 1, 2, (byte) 0xff, (byte) 0xfe};
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = describingApp();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = E2e.http11()) {
            client.send(HttpRequest.newBuilder(tunnel.publicUrl().resolve("/first")).header("Content-Type",
                    "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")).build(),
                    HttpResponse.BodyHandlers.discarding());
            client.send(HttpRequest.newBuilder(tunnel.publicUrl().resolve("/second?q=1")).header("Content-Type",
                    "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(binary)).build(),
                    HttpResponse.BodyHandlers.discarding());
            ended(tunnel, 2);
            URI api = tunnel.inspectorUrl().orElseThrow().resolve("/api/exchanges");

            Map<String, Object> all = object(get(client, api).body());
            assertThat(all.get("capacity")).isEqualTo(1_000L);
            List<Map<String, Object>> items = list(all.get("exchanges"));
            assertThat(items).extracting(m -> m.get("target")).containsExactly("/second?q=1", "/first"); // newest first
            Map<String, Object> second = items.getFirst();
            assertThat(second).containsEntry("id", 2L).containsEntry("method", "PUT").containsEntry("status", 200L)
                    .containsEntry("state", "complete").containsEntry("requestSize", 5L)
                    .containsEntry("replayOf", null);

            Map<String, Object> first = object(get(client, api.resolve("/api/exchanges/1")).body());
            Map<String, Object> request = map(first.get("request"));
            assertThat(list(request.get("headers"))).isNotEmpty();
            assertThat(((List<?>) request.get("headers")).contains(List.of("Content-Type", "application/json"))).isTrue();
            Map<String, Object> body = map(request.get("body"));
            assertThat(body).containsEntry("text", "{\"a\":1}").containsEntry("isText", true)
                    .containsEntry("truncated", false);
            assertThat(Base64.getDecoder().decode((String) body.get("base64"))).isEqualTo("{\"a\":1}".getBytes());
            assertThat(map(map(first.get("response")).get("body")).get("text")).isEqualTo("POST /first {\"a\":1}");
            assertThat(map(first.get("timings")).get("totalMillis")).isInstanceOf(Double.class);

            Map<String, Object> binaryBody = map(map(object(get(client, api.resolve("/api/exchanges/2")).body())
                    .get("request")).get("body"));
            assertThat(binaryBody).containsEntry("isText", false).containsEntry("text", null);
            assertThat(Base64.getDecoder().decode((String) binaryBody.get("base64"))).isEqualTo(binary);

            HttpResponse<String> missing = get(client, api.resolve("/api/exchanges/99"));
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(object(missing.body()).get("error")).asString().contains("no exchange 99");
        }
    }

    @Test
    void replayAsRecordedSendsTheSameRequestAgainAndRecordsIt() throws Exception {
        Curl.require();
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = describingApp();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open()) {
            Curl.Result sent = Curl.run(E2e.CURL, "-sS", "-H", "Content-Type: text/plain", "--data-binary",
                    "original body", tunnel.publicUrl() + "/hook?n=1");
            assertThat(sent.out()).isEqualTo("POST /hook?n=1 original body");
            ended(tunnel, 1);
            app.take();

            URI replay = tunnel.inspectorUrl().orElseThrow().resolve("/api/exchanges/1/replay");
            Curl.Result replayed = Curl.run(E2e.CURL, "-sS", "-X", "POST", replay.toString());
            assertThat(replayed.exit()).as(replayed.err()).isZero();
            Map<String, Object> detail = object(replayed.out());
            assertThat(detail).containsEntry("replayOf", 1L).containsEntry("state", "complete")
                    .containsEntry("status", 200L).containsEntry("method", "POST").containsEntry("target", "/hook?n=1");
            assertThat(map(map(detail.get("response")).get("body")).get("text"))
                    .isEqualTo("POST /hook?n=1 original body");

            LocalHttpApp.Seen seen = app.take();
            assertThat(seen.method()).isEqualTo("POST");
            assertThat(seen.uri()).isEqualTo("/hook?n=1");
            assertThat(seen.headers().getFirst("Content-Length")).isEqualTo("13");
            assertThat(seen.headers().getFirst("X-Forwarded-For")).isEqualTo("127.0.0.1"); // as recorded

            RecordedExchange recorded = ended(tunnel, (Long) detail.get("id"));
            assertThat(recorded.replayOf()).hasValue(1);
            assertThat(recorded.request().bodyText()).isEqualTo("original body");
            // a replay is a request like any other for the test API
            assertThat(tunnel.takeRequest(E2e.WAIT).id()).isEqualTo(1);
            assertThat(tunnel.takeRequest(E2e.WAIT).replayOf()).hasValue(1);
        }
    }

    @Test
    void replayWithEditsChangesMethodPathHeadersAndBody() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = describingApp();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = E2e.http11()) {
            client.send(HttpRequest.newBuilder(tunnel.publicUrl().resolve("/orig")).header("X-Edit", "no")
                    .POST(HttpRequest.BodyPublishers.ofString("before")).build(), HttpResponse.BodyHandlers.discarding());
            ended(tunnel, 1);
            app.take();
            URI replay = tunnel.inspectorUrl().orElseThrow().resolve("/api/exchanges/1/replay");
            HttpResponse<String> response = post(client, replay, """
                    {"method":"PUT","path":"/edited?x=2","headers":[["Content-Type","text/plain; charset=utf-8"],
                     ["X-Edit","yes"],["Content-Length","999"]],"body":"after ✓"}""");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            Map<String, Object> detail = object(response.body());
            assertThat(detail).containsEntry("method", "PUT").containsEntry("target", "/edited?x=2")
                    .containsEntry("replayOf", 1L);
            assertThat(map(map(detail.get("response")).get("body")).get("text"))
                    .isEqualTo("PUT /edited?x=2 X-Edit=yes after ✓");
            LocalHttpApp.Seen seen = app.take();
            assertThat(seen.headers().getFirst("Content-Length")).isEqualTo("9"); // lrok's, not the edit's
            assertThat(seen.headers().getFirst("X-Forwarded-For")).isNull(); // the edited list replaced them all

            HttpResponse<String> base64 = post(client, replay, "{\"bodyBase64\":\"" + Base64.getEncoder()
                    .encodeToString("from base64".getBytes()) + "\"}");
            assertThat(map(map(object(base64.body()).get("response")).get("body")).get("text"))
                    .isEqualTo("POST /orig X-Edit=no from base64");
        }
    }

    @Test
    void replaysThatCannotBeMadeAreRefusedWithAReason() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = describingApp();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).captureBodyLimit(4).open();
                HttpClient client = E2e.http11()) {
            client.send(HttpRequest.newBuilder(tunnel.publicUrl().resolve("/long"))
                    .POST(HttpRequest.BodyPublishers.ofString("longer than four")).build(),
                    HttpResponse.BodyHandlers.discarding());
            ended(tunnel, 1);
            URI inspector = tunnel.inspectorUrl().orElseThrow();
            HttpResponse<String> truncated = post(client, inspector.resolve("/api/exchanges/1/replay"), "{}");
            assertThat(truncated.statusCode()).isEqualTo(409);
            assertThat(truncated.body()).contains("truncated at 4 of 16 bytes");
            // with a body given, the truncated recording can be replayed
            assertThat(post(client, inspector.resolve("/api/exchanges/1/replay"), "{\"body\":\"short\"}").statusCode())
                    .isEqualTo(200);
            assertThat(post(client, inspector.resolve("/api/exchanges/42/replay"), "{}").statusCode()).isEqualTo(404);
            assertThat(post(client, inspector.resolve("/api/exchanges/1/replay"), "{nope").statusCode()).isEqualTo(400);
            assertThat(post(client, inspector.resolve("/api/exchanges/1/replay"), "{\"path\":\"no-slash\",\"body\":\"\"}").body())
                    .contains("must start with /");
            assertThat(post(client, inspector.resolve("/api/exchanges/1/replay"),
                    "{\"headers\":[[\"Bad Name\",\"x\"]],\"body\":\"\"}").statusCode()).isEqualTo(400);
            HttpResponse<String> plain = client.send(HttpRequest.newBuilder(inspector.resolve("/api/exchanges/1/replay"))
                    .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(plain.statusCode()).isEqualTo(415);
        }
    }

    @Test
    void deleteClearsTheRing() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = describingApp();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = E2e.http11()) {
            client.send(HttpRequest.newBuilder(tunnel.publicUrl().resolve("/x")).build(),
                    HttpResponse.BodyHandlers.discarding());
            ended(tunnel, 1);
            URI api = tunnel.inspectorUrl().orElseThrow().resolve("/api/exchanges");
            HttpResponse<String> deleted = client.send(HttpRequest.newBuilder(api).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(deleted.statusCode()).isEqualTo(204);
            assertThat(list(object(get(client, api).body()).get("exchanges"))).isEmpty();
            assertThat(tunnel.exchanges()).isEmpty();
        }
    }

    @Test
    void theEventStreamAnnouncesNewAndChangedExchanges() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = describingApp();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = E2e.http11()) {
            URI events = tunnel.inspectorUrl().orElseThrow().resolve("/api/events");
            HttpResponse<Stream<String>> stream = client.send(HttpRequest.newBuilder(events).build(),
                    HttpResponse.BodyHandlers.ofLines());
            assertThat(stream.headers().firstValue("Content-Type")).hasValueSatisfying(
                    t -> assertThat(t).startsWith("text/event-stream"));
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Iterator<String> it = stream.body().iterator();
            Thread reader = Thread.ofVirtual().start(() -> {
                while (it.hasNext()) lines.add(it.next());
            });
            // The stream is open once its first comment line arrived; from then on every change is announced.
            assertThat(lines.poll(E2e.WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("retry: 1000");

            client.send(HttpRequest.newBuilder(tunnel.publicUrl().resolve("/live")).build(),
                    HttpResponse.BodyHandlers.discarding());
            Map<String, Object> last = null;
            boolean sawEvent = false;
            while (last == null || !"complete".equals(last.get("state"))) {
                String line = lines.poll(E2e.WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(line).as("an event line within " + E2e.WAIT).isNotNull();
                if (line.equals("event: exchange")) sawEvent = true;
                if (line.startsWith("data: ")) last = object(line.substring(6));
            }
            assertThat(sawEvent).isTrue();
            assertThat(last).containsEntry("target", "/live").containsEntry("status", 200L);

            client.send(HttpRequest.newBuilder(tunnel.inspectorUrl().orElseThrow().resolve("/api/exchanges"))
                    .DELETE().build(), HttpResponse.BodyHandlers.discarding());
            String line;
            do {
                line = lines.poll(E2e.WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(line).as("the cleared event").isNotNull();
            } while (!line.equals("event: cleared"));
            stream.body().close();
            reader.interrupt();
        }
    }

    @Test
    void foreignHostsAndOriginsAreRefused() throws Exception {
        Curl.require();
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = describingApp();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open()) {
            String api = tunnel.inspectorUrl().orElseThrow().resolve("/api/exchanges").toString();
            Curl.Result rebound = Curl.run(E2e.CURL, "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H",
                    "Host: attacker.example:" + tunnel.inspectorUrl().orElseThrow().getPort(), api);
            assertThat(rebound.out()).isEqualTo("403");
            Curl.Result foreign = Curl.run(E2e.CURL, "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "DELETE",
                    "-H", "Origin: http://attacker.example", api);
            assertThat(foreign.out()).isEqualTo("403");
            Curl.Result localhost = Curl.run(E2e.CURL, "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H",
                    "Host: localhost:" + tunnel.inspectorUrl().orElseThrow().getPort(), api);
            assertThat(localhost.out()).isEqualTo("200");
        }
    }

    @Test
    void theInspectorCanBeTurnedOffOrGivenAPortAndStopsWithTheTunnel() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = describingApp()) {
            try (Tunnel off = Tunnel.http(app.port()).relay(relay).inspector(false).open()) {
                assertThat(off.inspectorUrl()).isEmpty();
                assertThat(off.exchanges()).isEmpty(); // capture stays on
            }
            int port;
            try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = taken.getLocalPort();
                assertThatThrownBy(() -> Tunnel.http(app.port()).relay(relay).inspectorPort(port).open())
                        .isInstanceOf(TunnelException.class)
                        .satisfies(e -> assertThat(((TunnelException) e).code()).isEqualTo("inspector_unavailable"));
            }
            Tunnel tunnel = Tunnel.http(app.port()).relay(relay).inspectorPort(port).open();
            assertThat(tunnel.inspectorUrl()).contains(URI.create("http://127.0.0.1:" + port + "/"));
            tunnel.close();
            assertThat(tunnel.inspectorUrl()).isEmpty();
            assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
        }
    }
}
