package io.lrok.internal.relay;

import io.lrok.http.HttpLimits;
import io.lrok.relay.RelayLimits;
import io.lrok.relay.TokenVerifier;
import java.net.InetAddress;
import java.util.Objects;

/**
 * Everything a {@link RelayServer} is started with; made by {@code EmbeddedRelay.Builder}.
 *
 * @param bindAddress where all listeners bind
 * @param agentPort   the agents' port, 0 for a free one
 * @param httpPort    the shared public HTTP port, 0 for a free one
 * @param domain      public hosts are {@code <name>.<domain>}, checked and normalized; null for none (then every
 *                    tunnel gets a port of its own, and the shared port routes {@code <name>.localhost})
 * @param verifier    decides which agents are accepted and what each may do ({@code TokenVerifier.anyAgent()}:
 *                    every agent); a {@link TokenFile} is watched while the relay runs
 * @param httpLimits  the size limits of HTTP heads, both at the edge and from agents
 * @param limits      the relay's limits and timeouts
 * @param tcpPortFrom the lowest public port a TCP tunnel may get; 0 (with {@code tcpPortTo} 0) for no range: a TCP
 *                    tunnel gets the port it asks for if free, else any free port the system picks
 * @param tcpPortTo   the highest public port a TCP tunnel may get, inclusive; 0 for no range
 */
public record RelayConfig(InetAddress bindAddress, int agentPort, int httpPort, String domain, TokenVerifier verifier,
        HttpLimits httpLimits, RelayLimits limits, int tcpPortFrom, int tcpPortTo) {

    /** Checks and normalizes the values. */
    public RelayConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        checkPort("agentPort", agentPort);
        checkPort("httpPort", httpPort);
        if (domain != null) domain = Hosts.checkDomain(domain);
        Objects.requireNonNull(verifier, "verifier");
        Objects.requireNonNull(httpLimits, "httpLimits");
        Objects.requireNonNull(limits, "limits");
        checkTcpPortRange(tcpPortFrom, tcpPortTo);
    }

    /**
     * Checks a range of public TCP ports.
     *
     * @param from the lowest port, 1 to 65535; or 0 with {@code to} 0 for no range
     * @param to   the highest port, inclusive, at least {@code from}
     * @throws IllegalArgumentException if it is not a range of ports
     */
    public static void checkTcpPortRange(int from, int to) {
        if (from == 0 && to == 0) return;
        if (from < 1 || to > 65_535 || from > to) {
            throw new IllegalArgumentException("TCP port range must be within 1-65535, lowest first: " + from + "-"
                    + to);
        }
    }

    /** @return whether TCP tunnels are limited to a range of ports */
    public boolean hasTcpPortRange() {
        return tcpPortFrom != 0;
    }

    /**
     * Checks a domain name.
     *
     * @param domain a domain name as given
     * @return it in lowercase without a trailing dot
     * @throws IllegalArgumentException if it is not a dotted sequence of DNS labels
     */
    public static String checkDomain(String domain) {
        return Hosts.checkDomain(domain);
    }

    private static void checkPort(String name, int port) {
        if (port < 0 || port > 65_535) throw new IllegalArgumentException(name + " must be 0 to 65535: " + port);
    }
}
