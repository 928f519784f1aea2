package io.lrok.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class RelayEndpointTest {
    @Test
    void tlsAddressWithDefaultPort() {
        RelayEndpoint relay = RelayEndpoint.of(URI.create("lrok://relay.example.com"), " secret ");
        assertThat(relay.host()).isEqualTo("relay.example.com");
        assertThat(relay.port()).isEqualTo(RelayEndpoint.DEFAULT_AGENT_PORT);
        assertThat(relay.tls()).isTrue();
        assertThat(relay.authToken()).contains("secret");
        assertThat(relay).hasToString("lrok://relay.example.com:4443");
    }

    @Test
    void plaintextOnlyToLoopback() {
        assertThat(RelayEndpoint.of(URI.create("lrok+plain://127.0.0.1:7000"), null).tls()).isFalse();
        assertThat(RelayEndpoint.of(URI.create("lrok+plain://[::1]:7000"), null).port()).isEqualTo(7000);
        assertThat(RelayEndpoint.of(URI.create("lrok+plain://localhost:7000"), "").authToken()).isEmpty();
        assertThatThrownBy(() -> RelayEndpoint.of(URI.create("lrok+plain://10.0.0.1:7000"), null))
                .hasMessageContaining("plaintext is allowed only to a loopback relay");
        assertThatThrownBy(() -> RelayEndpoint.of(URI.create("lrok+plain://relay.example.com:7000"), null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void otherSchemesAreRejectedWithTheExpectedForm() {
        assertThatThrownBy(() -> RelayEndpoint.of(URI.create("https://relay.example.com"), null))
                .hasMessageContaining("lrok://relay.example.com[:port]");
    }

    @Test
    void loopbackDetectionNeverResolvesNames() {
        assertThat(RelayEndpoint.isLoopback("127.0.0.2")).isTrue();
        assertThat(RelayEndpoint.isLoopback("::1")).isTrue();
        assertThat(RelayEndpoint.isLoopback("[::1]")).isTrue();
        assertThat(RelayEndpoint.isLoopback("LOCALHOST")).isTrue();
        assertThat(RelayEndpoint.isLoopback("192.168.1.1")).isFalse();
        assertThat(RelayEndpoint.isLoopback("example.com")).isFalse();
    }
}
