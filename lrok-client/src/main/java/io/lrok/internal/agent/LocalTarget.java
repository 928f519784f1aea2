package io.lrok.internal.agent;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The local app a tunnel forwards to: {@code http} or {@code https}, host and port. For https the certificate and
 * host name are verified against {@code sslContext}'s trust (the JDK's default trust store when null).
 *
 * <p>When the user named no host, the default (IPv4 loopback) comes with a fallback to the IPv6 loopback, tried
 * when the first refuses: dev servers that listen on "localhost" bind only {@code ::1} on systems where localhost
 * resolves to it first (Node 17 and later, hence Vite).
 *
 * @param scheme       {@code http} or {@code https}
 * @param host         a host name or literal address; for https also the name the certificate must hold
 * @param port         1 to 65535
 * @param sslContext   for https: the trust to verify the app with, null for the JDK's default; ignored for http
 * @param fallbackHost the address to try when {@code host} refuses the connection, or null
 */
public record LocalTarget(String scheme, String host, int port, SSLContext sslContext, String fallbackHost) {

    /** The local host when none is named: the IPv4 loopback address. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** The local host for https when none is named: the name development certificates are issued for. */
    public static final String DEFAULT_TLS_HOST = "localhost";
    /** Tried after the default host refuses: the IPv6 loopback address. */
    public static final String DEFAULT_FALLBACK_HOST = "::1";

    /** Checks the parts. */
    public LocalTarget {
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("local scheme must be http or https: " + scheme);
        }
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) throw new IllegalArgumentException("empty local host");
        if (port < 1 || port > 65_535) throw new IllegalArgumentException("port must be between 1 and 65535: " + port);
    }

    /** @return whether the app speaks TLS */
    public boolean tls() {
        return scheme.equals("https");
    }

    /** @return {@code host:port}, an IPv6 literal in brackets: what a Host header naming the app holds */
    public String authority() {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return h + ":" + port;
    }

    /** @return the app's base URL, such as {@code http://127.0.0.1:3000} */
    public URI url() {
        return URI.create(scheme + "://" + authority());
    }

    /**
     * Opens a connection to the app, TLS handshake included for https.
     *
     * @param timeout the longest the connect (and the handshake) may take
     * @return the connected socket
     * @throws IOException if the app cannot be reached
     */
    public Socket connect(Duration timeout) throws IOException {
        Socket socket;
        try {
            socket = connectTcp(host, timeout);
        } catch (ConnectException refused) {
            if (fallbackHost == null) throw refused;
            try {
                socket = connectTcp(fallbackHost, timeout);
            } catch (IOException alsoFailed) {
                refused.addSuppressed(alsoFailed);
                throw refused;
            }
        }
        try {
            if (!tls()) return socket;
            SSLContext context = sslContext != null ? sslContext : SSLContext.getDefault();
            SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(socket, host, port, true);
            SSLParameters parameters = ssl.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            ssl.setSSLParameters(parameters);
            ssl.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            ssl.startHandshake();
            ssl.setSoTimeout(0);
            return ssl;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        } catch (NoSuchAlgorithmException e) {
            socket.close();
            throw new IOException("no default TLS context: " + e.getMessage(), e);
        }
    }

    private Socket connectTcp(String address, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(address, port), (int) Math.max(1, timeout.toMillis()));
            socket.setTcpNoDelay(true);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** @return how error pages and logs name the app: {@code 127.0.0.1:3000}, {@code https://localhost:8443} */
    @Override
    public String toString() {
        return tls() ? url().toString() : authority();
    }
}
