package io.lrok.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.internal.agent.RelayResolver;
import io.lrok.spi.InProcessRelayProvider;
import io.lrok.spi.RelayEndpoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code lrok login}: the file it writes is the one the relay resolution reads, readable by the owner only. */
@Timeout(30)
class LoginCommandTest {
    @TempDir
    Path xdg;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private RelayResolver resolver() {
        return new RelayResolver(Map.of("XDG_CONFIG_HOME", xdg.toString()), new Properties(), null,
                Collections::<InProcessRelayProvider>emptyIterator);
    }

    private int login(String... args) throws Exception {
        return LoginCommand.run(LoginCommand.Options.parse(args), resolver().configFile(),
                new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @Test
    void theTokenAndRelayItWritesAreWhatTunnelsResolve() throws Exception {
        assertThat(login("s3cret-token", "--relay", "lrok://relay.example.com:4443")).isZero();
        Path file = xdg.resolve("lrok/config.properties");
        assertThat(resolver().configFile()).isEqualTo(file);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(file.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        RelayEndpoint relay = resolver().resolve();
        assertThat(relay.host()).isEqualTo("relay.example.com");
        assertThat(relay.port()).isEqualTo(4443);
        assertThat(relay.authToken()).contains("s3cret-token");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("token saved to " + file);

        // A new token keeps the relay and any other key; nothing but the config file is left in the folder.
        Files.writeString(file, Files.readString(file) + "custom=kept\n");
        assertThat(login("next-token")).isZero();
        assertThat(resolver().resolve().authToken()).contains("next-token");
        assertThat(resolver().resolve().host()).isEqualTo("relay.example.com");
        assertThat(Files.readString(file)).contains("custom=kept");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (var listing = Files.list(file.getParent())) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("config.properties");
        }
    }

    @Test
    void aTokenWithoutARelaySaysWhatIsMissing() throws Exception {
        assertThat(login("lonely-token")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("names no relay yet").contains("--relay");
    }

    @Test
    void mistakesAreUsageErrors() {
        assertThatThrownBy(() -> LoginCommand.Options.parse(new String[] {})).hasMessageContaining("which token?");
        assertThatThrownBy(() -> LoginCommand.Options.parse(new String[] {"a", "b"}))
                .hasMessageContaining("unexpected argument 'b'");
        assertThatThrownBy(() -> LoginCommand.Options.parse(new String[] {"t", "--relay", "http://x"}))
                .hasMessageContaining("lrok://");
        assertThatThrownBy(() -> LoginCommand.Options.parse(new String[] {"t", "--relay"}))
                .hasMessageContaining("--relay needs a value");
    }
}
