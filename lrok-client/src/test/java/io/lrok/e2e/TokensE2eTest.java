package io.lrok.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.Tunnel;
import io.lrok.TunnelException;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.testing.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens end to end with real agents (docs/relay.md, "Tokens"): a relay with a token file, tunnels opened with
 * {@code Tunnel.http(port)}, public requests with java.net.http.
 */
@Timeout(60)
class TokensE2eTest {
    private static final String ALICE = "alice-9yQn3xw1r2GZ0A";
    private static final String BOB = "bob-5f2c9a01b3d4Vd3k";
    /** Short, so that a change to the file is seen at once; the tests await it. */
    private static final Duration CHECK = Duration.ofMillis(20);

    @TempDir
    Path dir;

    private EmbeddedRelay relay(String alicesFields) throws IOException {
        Path file = Files.writeString(dir.resolve("tokens"), "# test accounts\n" + ALICE + " account=alice "
                + alicesFields + "\n" + BOB + " account=bob\n");
        return EmbeddedRelay.builder().tokenFile(file).tokenFileCheckInterval(CHECK).start();
    }

    @Test
    void aWrongTokenFailsOpenWithUnauthorized() throws Exception {
        try (EmbeddedRelay relay = relay("");
                LocalHttpApp app = LocalHttpApp.start(exchange -> LocalHttpApp.respond(exchange, 200, "ok"))) {
            assertThatThrownBy(() -> Tunnel.http(app.port()).relay(relay).authToken("not-a-token").open())
                    .isInstanceOfSatisfying(TunnelException.class,
                            e -> assertThat(e.code()).isEqualTo("unauthorized"))
                    .hasMessageContaining("unknown token");
        }
    }

    @Test
    void aReservedNameIsOnlyItsAccountsEvenWhileItIsOffline() throws Exception {
        try (EmbeddedRelay relay = relay("reserve=alice-app");
                LocalHttpApp app = LocalHttpApp.start(exchange -> LocalHttpApp.respond(exchange, 200, "alice's app"));
                HttpClient client = E2e.http11()) {
            assertThatThrownBy(() -> Tunnel.http(app.port()).relay(relay).authToken(BOB).subdomain("alice-app").open())
                    .isInstanceOfSatisfying(TunnelException.class,
                            e -> assertThat(e.code()).isEqualTo("subdomain_reserved"))
                    .hasMessageContaining("alice-app.localhost is reserved for another account");
            try (Tunnel bobs = Tunnel.http(app.port()).relay(relay).authToken(BOB).open()) {
                assertThat(bobs.isOpen()).as("a random name for bob").isTrue();
            }
            try (Tunnel alices = Tunnel.http(app.port()).relay(relay).authToken(ALICE).subdomain("alice-app").open()) {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(alices.publicUrl()).build(),
                        BodyHandlers.ofString());
                assertThat(response.body()).isEqualTo("alice's app");
                assertThatThrownBy(() -> Tunnel.http(app.port()).relay(relay).authToken(BOB).subdomain("alice-app")
                        .open()).isInstanceOfSatisfying(TunnelException.class,
                                e -> assertThat(e.code()).isEqualTo("subdomain_reserved"));
            }
        }
    }

    @Test
    void requestsBeyondTheAccountsLimitGetA503PageUntilOneEnds() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (EmbeddedRelay relay = relay("streams=1");
                LocalHttpApp app = LocalHttpApp.start(exchange -> {
                    if (exchange.getRequestURI().getPath().equals("/slow")) {
                        try {
                            release.await(E2e.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    LocalHttpApp.respond(exchange, 200, "done " + exchange.getRequestURI().getPath());
                });
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).authToken(ALICE).open();
                HttpClient client = E2e.http11()) {
            CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
                    HttpRequest.newBuilder(tunnel.publicUrl().resolve("/slow")).build(), BodyHandlers.ofString());
            assertThat(app.take().uri()).isEqualTo("/slow"); // in progress: it holds the account's one exchange

            HttpResponse<String> refused = client.send(HttpRequest.newBuilder(tunnel.publicUrl().resolve("/fast"))
                    .build(), BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("X-Lrok-Error")).hasValue("503");
            assertThat(refused.body()).contains("has too many requests in progress");
            assertThat(app.pending()).as("the refused request never reached the app").isZero();

            release.countDown();
            assertThat(slow.get(E2e.WAIT.toMillis(), TimeUnit.MILLISECONDS).body()).isEqualTo("done /slow");
            Await.until("a request goes through again", () -> status(client, tunnel, "/fast") == 200);
        }
    }

    @Test
    void aTokenRemovedFromTheFileClosesItsTunnels() throws Exception {
        try (EmbeddedRelay relay = relay("");
                LocalHttpApp app = LocalHttpApp.start(exchange -> LocalHttpApp.respond(exchange, 200, "ok"));
                Tunnel alices = Tunnel.http(app.port()).relay(relay).authToken(ALICE).open();
                Tunnel bobs = Tunnel.http(app.port()).relay(relay).authToken(BOB).open()) {
            Path next = Files.writeString(dir.resolve("tokens.new"), BOB + " account=bob\n");
            Files.move(next, dir.resolve("tokens"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            Await.until("alice's tunnel closes", () -> !alices.isOpen());
            assertThat(bobs.isOpen()).isTrue();
            assertThatThrownBy(() -> Tunnel.http(app.port()).relay(relay).authToken(ALICE).open())
                    .isInstanceOfSatisfying(TunnelException.class,
                            e -> assertThat(e.code()).isEqualTo("unauthorized"));
        }
    }

    private static int status(HttpClient client, Tunnel tunnel, String path) {
        try {
            return client.send(HttpRequest.newBuilder(tunnel.publicUrl().resolve(path)).build(),
                    BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
