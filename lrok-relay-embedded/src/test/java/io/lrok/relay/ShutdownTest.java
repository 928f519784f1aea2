package io.lrok.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.internal.wire.ControlCodec;
import io.lrok.internal.wire.ControlMessage;
import io.lrok.internal.wire.ControlMessage.Shutdown;
import io.lrok.testing.Await;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A graceful shutdown ({@link EmbeddedRelay#shutdown(Duration)}): the relay stops accepting, tells its agents how long
 * it will last, lets the exchanges in progress finish, answers new requests on open connections 503, and closes
 * when the exchanges are done or the grace is over.
 */
@Timeout(60)
class ShutdownTest {

    /** Answers once {@code release} opens: an exchange kept in progress by the test. */
    private static FakeAgent.Handler heldUntil(CountDownLatch release, CountDownLatch arrived) {
        return ex -> {
            ex.readBody();
            arrived.countDown();
            if (!release.await(FakeAgent.WAIT.toMillis() * 3, TimeUnit.MILLISECONDS)) throw new AssertionError("held");
            ex.send("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nfinished");
            ex.end();
        };
    }

    private static boolean refused(int port) {
        try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void exchangesInProgressFinishWhileTheAgentIsToldAndNothingNewIsAccepted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch arrived = new CountDownLatch(2);
        try (EmbeddedRelay relay = EmbeddedRelay.builder().domain("lrok.test").start();
             FakeAgent agent = FakeAgent.connect(relay);
             RawClient first = new RawClient(relay.httpPort());
             RawClient second = new RawClient(relay.httpPort());
             RawClient idle = new RawClient(relay.httpPort())) {
            agent.bindHttp("busy");
            agent.serve(heldUntil(release, arrived));
            first.send("GET /1 HTTP/1.1\r\nHost: busy.lrok.test\r\n\r\n");
            second.send("GET /2 HTTP/1.1\r\nHost: busy.lrok.test\r\n\r\n");
            assertThat(arrived.await(FakeAgent.WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

            CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> relay.shutdown(Duration.ofSeconds(30)));
            ControlMessage notice = ControlCodec.read(agent.control.getInputStream());
            assertThat(notice).isInstanceOfSatisfying(Shutdown.class,
                    s -> assertThat(s.graceMillis()).isEqualTo(30_000));
            Await.until("the relay stops accepting", () -> refused(relay.httpPort()) && refused(relay.agentPort()));
            RawClient.Response late = idle.get("busy.lrok.test", "/late");
            assertThat(late.status()).as("a new request on an open connection").isEqualTo(503);
            assertThat(late.body()).contains("shutting down");
            assertThat(shutdown).as("waits for the exchanges in progress").isNotDone();

            release.countDown();
            assertThat(first.read("GET").body()).isEqualTo("finished");
            assertThat(second.read("GET").body()).isEqualTo("finished");
            shutdown.get(FakeAgent.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(relay.sessionCount()).isZero();
        }
    }

    @Test
    void anExchangeThatOutlastsTheGraceIsCutAndTheRelayCloses() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch arrived = new CountDownLatch(1);
        try (EmbeddedRelay relay = EmbeddedRelay.builder().domain("lrok.test").start();
             FakeAgent agent = FakeAgent.connect(relay);
             RawClient client = new RawClient(relay.httpPort())) {
            agent.bindHttp("stuck");
            agent.serve(heldUntil(never, arrived));
            client.send("GET / HTTP/1.1\r\nHost: stuck.lrok.test\r\n\r\n");
            assertThat(arrived.await(FakeAgent.WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            relay.shutdown(Duration.ofMillis(200)); // returns once the grace is over
            assertThat(relay.sessionCount()).isZero();
            try { // the cut exchange ends cleanly: an error page, or the connection closed; never a 200
                assertThat(client.read("GET").status()).isBetween(500, 599);
            } catch (IOException closed) {
                assertThat(closed).isNotNull();
            }
            never.countDown();
        }
    }

    @Test
    void withNothingInProgressItClosesAtOnce() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.builder().domain("lrok.test").start();
             FakeAgent agent = FakeAgent.connect(relay)) {
            agent.bindHttp("quiet");
            relay.shutdown(Duration.ofMinutes(5)); // nothing to wait for: returns at once, the test's timeout says so
            assertThat(relay.sessionCount()).isZero();
            Await.until("the agent's connection closed", () -> agent.mux.isClosed());
        }
    }
}
