package io.lrok.internal.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.TunnelException;
import io.lrok.spi.InProcessRelayProvider;
import io.lrok.spi.RelayEndpoint;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Where the agent finds its relay when the code names none, with the environment, properties and home injected. */
@Timeout(10)
class RelayResolverTest {
    @TempDir
    Path home;

    private final Properties props = new Properties();
    private final RelayEndpoint embedded = RelayEndpoint.of(URI.create("lrok+plain://127.0.0.1:7000"), null);
    private Supplier<Iterator<InProcessRelayProvider>> providers = () -> List.<InProcessRelayProvider>of().iterator();

    private final AtomicBoolean announced = new AtomicBoolean();

    private RelayResolver resolver(Map<String, String> env) {
        return new RelayResolver(env, props, home, providers, announced);
    }

    private void withEmbeddedRelay() {
        providers = () -> List.<InProcessRelayProvider>of(() -> embedded).iterator();
    }

    private void writeConfig(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    @Test
    void systemPropertiesComeFirst() throws Exception {
        props.setProperty("lrok.relay", "lrok+plain://127.0.0.1:4001");
        props.setProperty("lrok.authtoken", "from-props");
        writeConfig(home.resolve(".config/lrok/config.properties"), "relay=lrok+plain://127.0.0.1:4003\n");
        withEmbeddedRelay();
        RelayEndpoint relay = resolver(Map.of("LROK_RELAY", "lrok+plain://127.0.0.1:4002",
                "LROK_AUTHTOKEN", "from-env")).resolve();
        assertThat(relay.port()).isEqualTo(4001);
        assertThat(relay.authToken()).contains("from-props");
    }

    @Test
    void thenTheEnvironmentWithItsOwnToken() throws Exception {
        props.setProperty("lrok.authtoken", "for-another-relay"); // a token goes with its own relay only
        writeConfig(home.resolve(".config/lrok/config.properties"), "relay=lrok+plain://127.0.0.1:4003\n");
        RelayEndpoint relay = resolver(Map.of("LROK_RELAY", "lrok+plain://127.0.0.1:4002")).resolve();
        assertThat(relay.port()).isEqualTo(4002);
        assertThat(relay.authToken()).isEmpty();

        relay = resolver(Map.of("LROK_RELAY", "lrok://relay.example.com", "LROK_AUTHTOKEN", "t0k")).resolve();
        assertThat(relay.tls()).isTrue();
        assertThat(relay.host()).isEqualTo("relay.example.com");
        assertThat(relay.port()).isEqualTo(RelayEndpoint.DEFAULT_AGENT_PORT);
        assertThat(relay.authToken()).contains("t0k");
    }

    @Test
    void thenTheConfigFileUnderXdgConfigHomeOrTheHome() throws Exception {
        writeConfig(home.resolve(".config/lrok/config.properties"),
                "# lrok\nrelay = lrok+plain://127.0.0.1:4003\nauthtoken = from-file\n");
        withEmbeddedRelay();
        RelayEndpoint relay = resolver(Map.of()).resolve();
        assertThat(relay.port()).isEqualTo(4003);
        assertThat(relay.authToken()).contains("from-file");

        Path xdg = home.resolve("xdg");
        writeConfig(xdg.resolve("lrok/config.properties"), "relay=lrok+plain://127.0.0.1:4004\n");
        relay = resolver(Map.of("XDG_CONFIG_HOME", xdg.toString())).resolve();
        assertThat(relay.port()).isEqualTo(4004);
    }

    @Test
    void thenAnInProcessRelayAnnouncedOnceInTheLog() throws Exception {
        Logger logger = Logger.getLogger(RelayResolver.class.getName());
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Level level = logger.getLevel();
        logger.setLevel(Level.INFO);
        logger.addHandler(handler);
        try {
            withEmbeddedRelay();
            assertThat(resolver(Map.of("LROK_RELAY", "  ")).resolve()).isSameAs(embedded);
            writeConfig(home.resolve(".config/lrok/config.properties"), "authtoken=only-a-token\n");
            assertThat(resolver(Map.of()).resolve()).isSameAs(embedded);
        } finally {
            logger.removeHandler(handler);
            logger.setLevel(level);
        }
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.INFO);
            assertThat(r.getMessage()).contains("in-process relay").contains("reachable from this machine only");
        });
    }

    @Test
    void withoutAnyTheErrorListsTheWaysToConfigureOne() {
        assertThatThrownBy(() -> resolver(Map.of()).resolve())
                .isInstanceOfSatisfying(TunnelException.class,
                        e -> assertThat(e.code()).isEqualTo(TunnelException.NO_RELAY_CONFIGURED))
                .hasMessageContaining("no lrok relay is configured")
                .hasMessageContaining(".relay(URI.create(\"lrok://relay.example.com\"))")
                .hasMessageContaining("-Dlrok.relay=lrok://relay.example.com -Dlrok.authtoken=<token>")
                .hasMessageContaining("LROK_RELAY=lrok://relay.example.com LROK_AUTHTOKEN=<token>")
                .hasMessageContaining("config file " + home.resolve(".config/lrok/config.properties"))
                .hasMessageContaining("io.lrok:lrok-relay-embedded");
    }

    @Test
    void aBadAddressSaysWhereItCameFrom() throws Exception {
        assertThatThrownBy(() -> resolver(Map.of("LROK_RELAY", "http://relay.example.com")).resolve())
                .isInstanceOfSatisfying(TunnelException.class,
                        e -> assertThat(e.code()).isEqualTo(TunnelException.INVALID_RELAY_ADDRESS))
                .hasMessageContaining("environment variable LROK_RELAY");
        props.setProperty("lrok.relay", "lrok+plain://relay.example.com:4443");
        assertThatThrownBy(() -> resolver(Map.of()).resolve())
                .hasMessageContaining("system property lrok.relay").hasMessageContaining("loopback");
    }

    @Test
    void aRelayCaComesFromTheSamePlaceAsTheRelay() throws Exception {
        Path ca = Files.writeString(home.resolve("ca.pem"), io.lrok.internal.tls.CertificateAuthority.create()
                .certificatePem());
        RelayEndpoint fromEnv = resolver(Map.of("LROK_RELAY", "lrok://relay.example.com", "LROK_RELAY_CA",
                ca.toString(), "LROK_AUTHTOKEN", "t")).resolve();
        assertThat(fromEnv.sslContext()).isPresent();
        assertThat(fromEnv.authToken()).contains("t");
        assertThat(fromEnv.host()).isEqualTo("relay.example.com");
        assertThat(fromEnv.toString()).isEqualTo("lrok://relay.example.com:4443");
        // a CA for the environment's relay is not used for the config file's
        writeConfig(home.resolve(".config/lrok/config.properties"), "relay=lrok://relay.example.org\n");
        assertThat(resolver(Map.of("LROK_RELAY_CA", ca.toString())).resolve().sslContext()).isEmpty();
        writeConfig(home.resolve(".config/lrok/config.properties"), "relay=lrok://relay.example.org\nrelay_ca="
                + ca + "\n");
        assertThat(resolver(Map.of()).resolve().sslContext()).isPresent();
        props.setProperty("lrok.relay", "lrok://relay.example.net");
        props.setProperty("lrok.relay.ca", home.resolve("missing.pem").toString());
        assertThatThrownBy(() -> resolver(Map.of()).resolve())
                .isInstanceOfSatisfying(TunnelException.class,
                        e -> assertThat(e.code()).isEqualTo(TunnelException.INVALID_RELAY_ADDRESS))
                .hasMessageContaining("relay CA given with system property lrok.relay")
                .hasMessageContaining("missing.pem");
    }

    @Test
    void anInProcessRelayThatCannotStartIsReported() {
        providers = () -> List.<InProcessRelayProvider>of(() -> {
            throw new IOException("port in use");
        }).iterator();
        assertThatThrownBy(() -> resolver(Map.of()).resolve())
                .isInstanceOfSatisfying(TunnelException.class,
                        e -> assertThat(e.code()).isEqualTo(TunnelException.RELAY_UNREACHABLE))
                .hasMessageContaining("in-process relay").hasMessageContaining("port in use");
    }

    @Test
    void theRealServiceLoaderFindsTheRelayModulesProviderOnTheTestClassPath() {
        assertThat(RelayResolver.fromSystem().configFile()).isNotNull();
        // lrok-relay-embedded is a test-scope dependency only (for end-to-end tests); the library never needs it.
        Optional<InProcessRelayProvider> provider = java.util.ServiceLoader.load(InProcessRelayProvider.class).findFirst();
        assertThat(provider).get().extracting(p -> p.getClass().getName())
                .isEqualTo("io.lrok.internal.relay.SharedInProcessRelay");
    }
}
