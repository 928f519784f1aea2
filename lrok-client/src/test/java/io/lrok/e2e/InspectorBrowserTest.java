package io.lrok.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.Tunnel;
import io.lrok.inspect.ExchangeState;
import io.lrok.relay.EmbeddedRelay;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The inspector page in headless Chromium, driven over WebDriver: it shows a request arrive live, opens its
 * detail, replays it, and shows the replay. Saves screenshots (light and dark) to {@code target/inspector/}.
 */
@Timeout(180)
class InspectorBrowserTest {
    private static final Path SHOTS = Path.of("target", "inspector");

    /** A small JSON API as the local app: answers every request with a JSON description of it. */
    private static LocalHttpApp jsonApp() throws Exception {
        return LocalHttpApp.start(exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getPath();
            int status = path.startsWith("/missing") ? 404 : 200;
            byte[] json = ("{\"ok\":" + (status == 200) + ",\"method\":\"" + exchange.getRequestMethod()
                    + "\",\"path\":\"" + path + "\",\"received\":" + body.length() + "}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, json.length);
            exchange.getResponseBody().write(json);
        });
    }

    private static void send(HttpClient client, HttpRequest.Builder request) throws Exception {
        client.send(request.build(), HttpResponse.BodyHandlers.discarding());
    }

    @Test
    void aRequestArrivesLiveIsOpenedAndReplayed() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = jsonApp();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = E2e.http11();
                WebDriver browser = WebDriver.start(SHOTS.resolve("chromedriver.log"))) {
            URI pub = tunnel.publicUrl();
            send(client, HttpRequest.newBuilder(pub.resolve("/api/users?page=2")).header("Accept", "application/json"));
            send(client, HttpRequest.newBuilder(pub.resolve("/login")).header("Content-Type",
                    "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("user=ada&remember=on")));
            send(client, HttpRequest.newBuilder(pub.resolve("/missing.png")));
            tunnel.awaitExchange(e -> e.id() == 3 && e.state() != ExchangeState.IN_PROGRESS, E2e.WAIT);

            browser.navigate(tunnel.inspectorUrl().orElseThrow());
            browser.awaitTrue("the page is live and lists the 3 earlier exchanges",
                    "return document.getElementById('live').classList.contains('on')"
                            + " && document.querySelectorAll('#rows tr').length === 3");

            // A request arrives while the page is open: it shows up without a reload.
            send(client, HttpRequest.newBuilder(pub.resolve("/hooks/stripe")).header("Content-Type", "application/json")
                    .header("Stripe-Signature", "t=1700000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"id\":\"evt_1\",\"type\":\"invoice.paid\",\"data\":{\"amount\":4200,\"currency\":\"eur\"}}")));
            // The page re-renders a row when its exchange changes: wait for the last change (complete, with its
            // duration), and from then on find elements afresh rather than keep references.
            browser.awaitTrue("the new request's row, complete", "const r = document.querySelector(\"#rows tr[data-id='4']\");"
                    + " return !!r && r.textContent.includes('200') && r.textContent.includes(' ms');");
            assertThat(browser.textOf("#rows tr[data-id='4']")).contains("POST").contains("/hooks/stripe");

            browser.clickNow("#rows tr[data-id='4']");
            browser.awaitTrue("the detail view", "const t = document.getElementById('detail-title');"
                    + " return !!t && t.textContent === 'POST /hooks/stripe';");
            browser.awaitTrue("the pretty-printed JSON body", "return document.getElementById('detail-pane')"
                    + ".textContent.includes('\"type\": \"invoice.paid\"')");

            browser.clickNow("#replay");
            browser.awaitTrue("the replay's row", "const r = document.querySelector(\"#rows tr[data-id='5']\");"
                    + " return !!r && r.textContent.includes('replay of #4');");
            browser.awaitTrue("the replay's detail is shown", "const m = document.querySelector('#detail-pane .meta');"
                    + " const s = document.querySelector('#rows tr.selected');"
                    + " return !!m && m.textContent.includes('replay of #4') && !!s && s.dataset.id === '5';");
            assertThat(tunnel.awaitExchange(e -> e.id() == 5 && e.state() == ExchangeState.COMPLETE, E2e.WAIT)
                    .request().bodyText()).contains("invoice.paid");

            browser.screenshot(SHOTS.resolve("inspector.png"));
            browser.colorScheme("dark");
            browser.awaitTrue("dark colours apply", "return getComputedStyle(document.body).backgroundColor"
                    + " !== 'rgb(255, 255, 255)'");
            browser.screenshot(SHOTS.resolve("inspector-dark.png"));
            assertThat(Files.size(SHOTS.resolve("inspector.png"))).isPositive();
        }
    }

    @Test
    void aFullRingOfAThousandExchangesLoadsAndStaysLive() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = jsonApp();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).captureCapacity(1_000).open();
                HttpClient client = E2e.http11();
                WebDriver browser = WebDriver.start(SHOTS.resolve("chromedriver-1000.log"))) {
            for (int i = 0; i < 1_000; i++) {
                send(client, HttpRequest.newBuilder(tunnel.publicUrl().resolve("/items/" + i)));
            }
            tunnel.awaitExchange(e -> e.id() == 1_000 && e.state() != ExchangeState.IN_PROGRESS, E2e.WAIT);
            browser.navigate(tunnel.inspectorUrl().orElseThrow());
            browser.awaitTrue("all 1,000 rows listed", "return document.querySelectorAll('#rows tr').length === 1000");
            send(client, HttpRequest.newBuilder(tunnel.publicUrl().resolve("/one-more")));
            // The ring drops the oldest: still 1,000 rows, the newest on top.
            browser.awaitTrue("the new row on top, the oldest gone", "const rows = document.querySelectorAll('#rows tr');"
                    + " return rows.length === 1000 && rows[0].dataset.id === '1001'"
                    + " && !document.querySelector(\"#rows tr[data-id='1']\")");
        }
    }
}
