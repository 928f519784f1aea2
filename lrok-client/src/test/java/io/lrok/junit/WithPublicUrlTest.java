package io.lrok.junit;

import static io.lrok.junit.NamedApp.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.Tunnel;
import io.lrok.inspect.RecordedRequest;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code @WithPublicUrl} as a suite uses it: on the class, its port from a {@code @LocalPort} method over a server the
 * {@code @BeforeAll} method started, on the in-process relay (lrok-relay-embedded is on the test class path). The
 * engine runs in {@link WithPublicUrlEngineTest} cover lifetimes, parallel runs and failures.
 */
@WithPublicUrl
@Timeout(60)
class WithPublicUrlTest {
    static NamedApp app;

    @PublicUrl
    static URI staticUrl;
    @PublicUrl
    Tunnel tunnelField;
    @PublicUrl
    URI urlField;

    private URI seenInBeforeEach;

    @BeforeAll
    static void startApp() throws Exception {
        app = NamedApp.start("class app");
    }

    @AfterAll
    static void stopApp() {
        app.close();
    }

    @LocalPort
    static int appPort() {
        return app.port();
    }

    @BeforeEach
    void registerWebhook(URI publicUrl) {
        seenInBeforeEach = publicUrl;
    }

    @Test
    void parametersAndFieldsGiveTheClassTunnel(Tunnel tunnel, URI publicUrl) throws Exception {
        assertThat(publicUrl).isEqualTo(tunnel.publicUrl()).isEqualTo(seenInBeforeEach).isEqualTo(urlField)
                .isEqualTo(staticUrl);
        assertThat(tunnelField).isSameAs(tunnel);
        assertThat(tunnel.isOpen()).isTrue();
        assertThat(tunnel.localUrl()).isEqualTo(URI.create("http://127.0.0.1:" + app.port()));
        assertThat(tunnel.inspectorUrl()).as("the inspector is off in tests by default").isEmpty();

        assertThat(get(publicUrl.resolve("/hooks/params"))).isEqualTo("200 class app saw /hooks/params");
        RecordedRequest hook = tunnel.awaitRequest(r -> r.path().equals("/hooks/params"), Duration.ofSeconds(10));
        assertThat(hook.method()).isEqualTo("GET");
    }

    @Test
    void theClassTunnelServesEveryTest(URI publicUrl) throws Exception {
        assertThat(get(publicUrl.resolve("/hooks/second"))).isEqualTo("200 class app saw /hooks/second");
    }

    @Nested
    class InANestedClass {
        @Test
        void theEnclosingClassTunnelApplies(URI publicUrl, Tunnel tunnel) throws Exception {
            assertThat(publicUrl).isEqualTo(staticUrl);
            assertThat(get(publicUrl.resolve("/nested"))).isEqualTo("200 class app saw /nested");
            assertThat(tunnel.awaitRequest(r -> r.path().equals("/nested"), Duration.ofSeconds(10)).path())
                    .isEqualTo("/nested");
        }
    }
}
