package io.lrok.spi;

import java.net.InetAddress;
import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * Where an agent dials a relay, how it trusts it, and which token it presents. {@code EmbeddedRelay} implements
 * it, so a test can write {@code Tunnel.http(3000).relay(relay).open()}; {@link #of(URI, String)} describes a
 * remote relay.
 */
public interface RelayEndpoint {

    /** @return the host name or address to dial */
    String host();

    /** @return the relay's agent port */
    int port();

    /**
     * @return whether the connection uses TLS; plaintext is allowed only to a loopback address
     */
    boolean tls();

    /**
     * @return the TLS context whose trust managers verify the relay's certificate; empty for the JDK's default
     *         trust store
     */
    default Optional<SSLContext> sslContext() {
        return Optional.empty();
    }

    /** @return the token the agent presents, if the relay wants one */
    default Optional<String> authToken() {
        return Optional.empty();
    }

    /**
     * Describes a relay by URI: {@code lrok://host[:port]} (TLS, default port 4443) or
     * {@code lrok+plain://127.0.0.1:port} (plaintext, loopback only).
     *
     * @param uri   the relay's agent address
     * @param token the token to present, or null
     * @return the endpoint
     * @throws IllegalArgumentException for another scheme, a missing host, or plaintext to a non-loopback host
     */
    static RelayEndpoint of(URI uri, String token) {
        Objects.requireNonNull(uri, "uri");
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean tls = switch (scheme) {
            case "lrok" -> true;
            case "lrok+plain" -> false;
            default -> throw new IllegalArgumentException(
                    "relay address must look like lrok://relay.example.com[:port] or lrok+plain://127.0.0.1:port, not " + uri);
        };
        if (uri.getHost() == null) throw new IllegalArgumentException("relay address has no host: " + uri);
        int port = uri.getPort() > 0 ? uri.getPort() : DEFAULT_AGENT_PORT;
        if (!tls && !isLoopback(uri.getHost())) {
            throw new IllegalArgumentException("plaintext is allowed only to a loopback relay, not " + uri.getHost());
        }
        String host = uri.getHost();
        String tokenOrNull = token == null || token.isBlank() ? null : token.strip();
        return new RelayEndpoint() {
            @Override
            public String host() {
                return host;
            }

            @Override
            public int port() {
                return port;
            }

            @Override
            public boolean tls() {
                return tls;
            }

            @Override
            public Optional<String> authToken() {
                return Optional.ofNullable(tokenOrNull);
            }

            @Override
            public String toString() {
                return (tls ? "lrok://" : "lrok+plain://") + host + ":" + port;
            }
        };
    }

    /** The agent port a relay listens on when its address names none. */
    int DEFAULT_AGENT_PORT = 4443;

    /**
     * @param host a host name or literal address
     * @return whether it names this machine's loopback interface, without a DNS lookup for names
     */
    static boolean isLoopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) return true;
        boolean literal = h.contains(":") || h.matches("[0-9.]+");
        if (literal) {
            try {
                return InetAddress.getByName(h).isLoopbackAddress(); // a literal: parsed, never looked up
            } catch (java.net.UnknownHostException malformed) {
                return false;
            }
        }
        return false;
    }
}
