package io.lrok.internal.agent;

import io.lrok.TunnelException;
import io.lrok.spi.InProcessRelayProvider;
import io.lrok.spi.RelayEndpoint;
import java.io.IOException;
import java.io.Reader;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * Finds the relay to dial when the code names none. The first of these wins, and the token and the relay's CA (a PEM
 * file trusted in place of the JDK's trust store) come from the same place as the relay (a token meant for one relay
 * is never sent to another):
 * <ol>
 *   <li>system properties {@value #RELAY_PROPERTY}, {@value #TOKEN_PROPERTY} and {@value #CA_PROPERTY};</li>
 *   <li>environment variables {@value #RELAY_ENV}, {@value #TOKEN_ENV} and {@value #CA_ENV};</li>
 *   <li>the config file {@code $XDG_CONFIG_HOME/lrok/config.properties}, or {@code ~/.config/lrok/config.properties}
 *       when {@code XDG_CONFIG_HOME} is unset, with keys {@value #RELAY_KEY}, {@value #TOKEN_KEY} and
 *       {@value #CA_KEY};</li>
 *   <li>an in-process relay from an {@link InProcessRelayProvider} found by {@link ServiceLoader} (the
 *       lrok-relay-embedded module on the class path), announced once per JVM in the log;</li>
 *   <li>otherwise {@link TunnelException#NO_RELAY_CONFIGURED}, with a message that lists the ways to configure one.</li>
 * </ol>
 * The environment, system properties, home directory and providers are injected, so tests can resolve without
 * touching the real ones; {@link #fromSystem()} uses the real ones.
 */
public final class RelayResolver {
    private static final System.Logger LOG = System.getLogger(RelayResolver.class.getName());

    /** System property naming the relay, such as {@code lrok://relay.example.com}. */
    public static final String RELAY_PROPERTY = "lrok.relay";
    /** System property holding the token for the relay named by {@link #RELAY_PROPERTY}. */
    public static final String TOKEN_PROPERTY = "lrok.authtoken";
    /** Environment variable naming the relay. */
    public static final String RELAY_ENV = "LROK_RELAY";
    /** Environment variable holding the token for the relay named by {@link #RELAY_ENV}. */
    public static final String TOKEN_ENV = "LROK_AUTHTOKEN";
    /** Config file key naming the relay. */
    public static final String RELAY_KEY = "relay";
    /** Config file key holding the token for the relay named by {@link #RELAY_KEY}. */
    public static final String TOKEN_KEY = "authtoken";
    /** System property naming a PEM file of CA certificates to trust for the relay named by {@link #RELAY_PROPERTY}. */
    public static final String CA_PROPERTY = "lrok.relay.ca";
    /** Environment variable naming a PEM file of CA certificates to trust for the relay named by {@link #RELAY_ENV}. */
    public static final String CA_ENV = "LROK_RELAY_CA";
    /** Config file key naming a PEM file of CA certificates to trust for the relay named by {@link #RELAY_KEY}. */
    public static final String CA_KEY = "relay_ca";

    /** The in-process relay is announced once per JVM, however many tunnels use it. */
    private static final AtomicBoolean ANNOUNCED = new AtomicBoolean();

    private final AtomicBoolean announced;
    private final Map<String, String> env;
    private final Properties properties;
    private final Path home;
    private final Supplier<Iterator<InProcessRelayProvider>> providers;

    /**
     * @param env        the environment variables
     * @param properties the system properties
     * @param home       the user's home directory, or null if unknown
     * @param providers  the in-process relay providers, in the order to try them
     */
    public RelayResolver(Map<String, String> env, Properties properties, Path home,
            Supplier<Iterator<InProcessRelayProvider>> providers) {
        this(env, properties, home, providers, ANNOUNCED);
    }

    /** As the public constructor, with the flag that says whether the in-process relay was announced: for tests. */
    RelayResolver(Map<String, String> env, Properties properties, Path home,
            Supplier<Iterator<InProcessRelayProvider>> providers, AtomicBoolean announced) {
        this.announced = Objects.requireNonNull(announced, "announced");
        this.env = Map.copyOf(env);
        this.properties = Objects.requireNonNull(properties, "properties");
        this.home = home;
        this.providers = Objects.requireNonNull(providers, "providers");
    }

    /** @return a resolver over this process's environment, system properties, home and class path */
    public static RelayResolver fromSystem() {
        String home = System.getProperty("user.home");
        return new RelayResolver(System.getenv(), System.getProperties(), home == null ? null : Path.of(home),
                () -> ServiceLoader.load(InProcessRelayProvider.class).iterator());
    }

    /**
     * @return the relay to dial, with its token
     * @throws TunnelException {@link TunnelException#NO_RELAY_CONFIGURED} if nothing names one,
     *                         {@link TunnelException#INVALID_RELAY_ADDRESS} if the first address found is malformed,
     *                         {@link TunnelException#RELAY_UNREACHABLE} if the in-process relay cannot start
     */
    public RelayEndpoint resolve() throws TunnelException {
        String relay = properties.getProperty(RELAY_PROPERTY);
        if (present(relay)) {
            return endpoint(relay, properties.getProperty(TOKEN_PROPERTY), properties.getProperty(CA_PROPERTY),
                    "system property " + RELAY_PROPERTY);
        }
        relay = env.get(RELAY_ENV);
        if (present(relay)) {
            return endpoint(relay, env.get(TOKEN_ENV), env.get(CA_ENV), "environment variable " + RELAY_ENV);
        }
        Path file = configFile();
        if (file != null && Files.isRegularFile(file)) {
            Properties config = load(file);
            relay = config.getProperty(RELAY_KEY);
            if (present(relay)) {
                return endpoint(relay, config.getProperty(TOKEN_KEY), config.getProperty(CA_KEY),
                        "key " + RELAY_KEY + " in " + file);
            }
        }
        InProcessRelayProvider provider = firstProvider();
        if (provider != null) return inProcess(provider);
        throw new TunnelException(TunnelException.NO_RELAY_CONFIGURED, noRelayMessage(file));
    }

    /** @return where the config file is looked for, or null if neither XDG_CONFIG_HOME nor the home is known */
    public Path configFile() {
        String xdg = env.get("XDG_CONFIG_HOME");
        if (present(xdg) && Path.of(xdg).isAbsolute()) return Path.of(xdg, "lrok", "config.properties");
        return home == null ? null : home.resolve(".config").resolve("lrok").resolve("config.properties");
    }

    private static RelayEndpoint endpoint(String relay, String token, String ca, String source)
            throws TunnelException {
        RelayEndpoint endpoint;
        try {
            endpoint = RelayEndpoint.of(new URI(relay.strip()), token);
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new TunnelException(TunnelException.INVALID_RELAY_ADDRESS, "the relay address in " + source
                    + " is not usable: " + e.getMessage()
                    + "; write it as lrok://relay.example.com[:port] or lrok+plain://127.0.0.1:port", e);
        }
        if (!present(ca)) return endpoint;
        SSLContext trust;
        try {
            trust = RelayTrust.trusting(Path.of(ca.strip()));
        } catch (IllegalArgumentException e) {
            throw new TunnelException(TunnelException.INVALID_RELAY_ADDRESS, "the relay CA given with " + source
                    + " is not usable: " + e.getMessage() + "; name a PEM file of CA certificates", e);
        }
        return RelayTrust.withTrust(endpoint, trust);
    }

    private static Properties load(Path file) throws TunnelException {
        Properties config = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            config.load(in);
            return config;
        } catch (IOException | IllegalArgumentException e) {
            throw new TunnelException(TunnelException.INVALID_RELAY_ADDRESS, "cannot read the lrok config file "
                    + file + ": " + e.getMessage() + "; fix or remove it", e);
        }
    }

    private InProcessRelayProvider firstProvider() throws TunnelException {
        try {
            Iterator<InProcessRelayProvider> found = providers.get();
            return found.hasNext() ? found.next() : null;
        } catch (ServiceConfigurationError e) {
            throw new TunnelException(TunnelException.RELAY_UNREACHABLE,
                    "the in-process relay (lrok-relay-embedded) could not be loaded: " + e.getMessage(), e);
        }
    }

    private RelayEndpoint inProcess(InProcessRelayProvider provider) throws TunnelException {
        RelayEndpoint relay;
        try {
            relay = provider.sharedRelay();
        } catch (IOException e) {
            throw new TunnelException(TunnelException.RELAY_UNREACHABLE,
                    "the in-process relay (lrok-relay-embedded) could not start: " + e.getMessage(), e);
        }
        if (announced.compareAndSet(false, true)) {
            LOG.log(Level.INFO, "lrok: no relay configured, using an in-process relay: public URLs are reachable "
                    + "from this machine only (set " + RELAY_PROPERTY + " or " + RELAY_ENV + " for a public relay)");
        }
        return relay;
    }

    private String noRelayMessage(Path file) {
        String where = file == null ? "~/.config/lrok/config.properties" : file.toString();
        return "no lrok relay is configured. Name one in any of these ways:\n"
                + "  1. in code: Tunnel.http(3000).relay(URI.create(\"lrok://relay.example.com\")), "
                + "or LrokClient.connect(relay)\n"
                + "  2. system properties: -D" + RELAY_PROPERTY + "=lrok://relay.example.com -D" + TOKEN_PROPERTY
                + "=<token>\n"
                + "  3. environment variables: " + RELAY_ENV + "=lrok://relay.example.com " + TOKEN_ENV
                + "=<token>\n"
                + "  4. config file " + where + ": " + RELAY_KEY + "=lrok://relay.example.com and " + TOKEN_KEY
                + "=<token>\n"
                + "or add io.lrok:lrok-relay-embedded to the class path for an in-process relay "
                + "(URLs reachable from this machine only).";
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
