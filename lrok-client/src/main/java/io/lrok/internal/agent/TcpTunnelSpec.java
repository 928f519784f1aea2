package io.lrok.internal.agent;

import java.net.URI;
import java.util.Objects;

/**
 * What a TCP tunnel asks of the relay and where it forwards: everything a TCP tunnel builder collects. Immutable.
 *
 * @param host       the local host to connect to, such as {@code 127.0.0.1}
 * @param port       the local port, 1 to 65535
 * @param remotePort the public port wanted, 1 to 65535, or null for one the relay picks
 */
public record TcpTunnelSpec(String host, int port, Integer remotePort) {

    /** The local host when none is given. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    /** Checks the parts. */
    public TcpTunnelSpec {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) throw new IllegalArgumentException("empty local host");
        checkPort("port", port);
        if (remotePort != null) checkPort("remotePort", remotePort);
    }

    /** @return the local app as a URL: {@code tcp://<host>:<port>} */
    public URI url() {
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return URI.create("tcp://" + h + ":" + port);
    }

    private static void checkPort(String name, int port) {
        if (port < 1 || port > 65_535) throw new IllegalArgumentException(name + " must be between 1 and 65535: " + port);
    }
}
