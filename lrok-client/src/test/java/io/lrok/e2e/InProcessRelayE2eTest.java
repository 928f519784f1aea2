package io.lrok.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.LrokClient;
import io.lrok.Tunnel;
import io.lrok.internal.agent.RelayResolver;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.testing.Await;
import io.lrok.testing.Curl;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code Tunnel.open(port)} with nothing configured: the in-process relay that lrok-relay-embedded provides through
 * ServiceLoader; and several tunnels over one {@link LrokClient} session.
 */
@Timeout(60)
class InProcessRelayE2eTest {

    /** Skips when this machine names a relay: the in-process relay is the last resort, and would not be used. */
    private static void assumeNothingConfigured() {
        String property = System.getProperty(RelayResolver.RELAY_PROPERTY);
        Assumptions.assumeThat(property).as("system property " + RelayResolver.RELAY_PROPERTY + " names a relay ("
                + property + "), so Tunnel.open would not use the in-process one; unset it to run this test").isNull();
        String env = System.getenv(RelayResolver.RELAY_ENV);
        Assumptions.assumeThat(env).as("the environment variable " + RelayResolver.RELAY_ENV + " names a relay ("
                + env + "), so Tunnel.open would not use the in-process one; unset it to run this test").isNull();
        Path file = RelayResolver.fromSystem().configFile();
        Assumptions.assumeThat(file != null && Files.isRegularFile(file)).as("the lrok config file " + file
                + " exists and may name a relay, so Tunnel.open might not use the in-process one").isFalse();
    }

    @Test
    void tunnelOpenWithNothingConfiguredUsesTheInProcessRelay() throws Exception {
        assumeNothingConfigured();
        try (LocalHttpApp app = LocalHttpApp.start(exchange -> LocalHttpApp.respond(exchange, 200, "in process"));
                Tunnel tunnel = Tunnel.open(app.port());
                HttpClient client = E2e.http11()) {
            URI url = tunnel.publicUrl();
            assertThat(url.getScheme()).isEqualTo("http");
            assertThat(url.getHost()).isEqualTo("127.0.0.1");
            assertThat(tunnel.localUrl()).isEqualTo(app.url());
            assertThat(client.send(HttpRequest.newBuilder(url.resolve("/hi")).build(), BodyHandlers.ofString()).body())
                    .isEqualTo("in process");
            assertThat(app.take().headers().getFirst("X-Forwarded-For")).isEqualTo("127.0.0.1"); // via a relay
        }
    }

    @Test
    void lrokClientConnectWithNothingConfiguredCarriesSeveralTunnels() throws Exception {
        assumeNothingConfigured();
        try (LrokClient lrok = LrokClient.connect()) {
            checkSeveralTunnels(lrok, null);
        }
    }

    @Test
    void severalTunnelsShareOneSessionAndCloseWithIt() throws Exception {
        Curl.require();
        try (EmbeddedRelay relay = EmbeddedRelay.start(); LrokClient lrok = LrokClient.connect(relay)) {
            checkSeveralTunnels(lrok, relay);
        }
    }

    /** Three apps, three tunnels on the client's one session: each URL reaches its own app; closing ends all. */
    private static void checkSeveralTunnels(LrokClient lrok, EmbeddedRelay relay) throws Exception {
        List<LocalHttpApp> apps = new ArrayList<>();
        List<Tunnel> tunnels = new ArrayList<>();
        try (HttpClient client = E2e.http11()) {
            for (String name : List.of("alpha", "beta", "gamma")) {
                LocalHttpApp app = LocalHttpApp.start(exchange -> LocalHttpApp.respond(exchange, 200, name));
                apps.add(app);
                tunnels.add(lrok.http(app.port()).subdomain(name).open());
            }
            assertThat(tunnels).extracting(Tunnel::publicUrl).doesNotHaveDuplicates();
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < tunnels.size(); i++) {
                    assertThat(client.send(HttpRequest.newBuilder(tunnels.get(i).publicUrl()).build(),
                            BodyHandlers.ofString()).body()).isEqualTo(List.of("alpha", "beta", "gamma").get(i));
                }
            }
            if (relay != null) { // the shared port routes by name to the same tunnels
                Curl.Result r = Curl.run(E2e.CURL, "-sS", "-H", "Host: beta.localhost",
                        "http://127.0.0.1:" + relay.httpPort() + "/");
                assertThat(r.out()).as(r.err()).isEqualTo("beta");
            }

            tunnels.get(0).close(); // one tunnel closes: the others and the session go on
            assertThat(lrok.isOpen()).isTrue();
            assertThat(client.send(HttpRequest.newBuilder(tunnels.get(1).publicUrl()).build(),
                    BodyHandlers.ofString()).body()).isEqualTo("beta");

            lrok.close(); // the session ends: every tunnel with it
            assertThat(lrok.isOpen()).isFalse();
            Await.until("every tunnel reports closed", E2e.WAIT, () -> tunnels.stream().noneMatch(Tunnel::isOpen));
            for (Tunnel tunnel : tunnels) {
                Await.until(tunnel.publicUrl() + " stops answering", E2e.WAIT, () -> refused(client, tunnel.publicUrl()));
            }
            if (relay != null) {
                Curl.Result gone = Curl.run(E2e.CURL, "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                        "-H", "Host: beta.localhost", "http://127.0.0.1:" + relay.httpPort() + "/");
                assertThat(gone.out()).isEqualTo("404");
            }
        } finally {
            for (Tunnel tunnel : tunnels) tunnel.close();
            for (LocalHttpApp app : apps) app.close();
        }
    }

    /** @return whether the tunnel's own port no longer takes connections */
    private static boolean refused(HttpClient client, URI url) {
        try {
            client.send(HttpRequest.newBuilder(url).build(), BodyHandlers.discarding());
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
