package io.lrok.bench;

import io.lrok.LrokClient;
import io.lrok.Tunnel;
import io.lrok.spi.RelayEndpoint;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * lrok's agent for bench/compare, in a JVM of its own: one {@link LrokClient} session to the relay child over TLS
 * (trusting the PEM file given), on which the harness opens tunnels by command. Arguments: {@code --relay-port N
 * --ca file}. Commands: {@code http PORT SUBDOMAIN CAPTURE} (true/false) and {@code tcp PORT} answer
 * {@code URL <public URL>}; {@code tunnels N PORT} opens N more HTTP tunnels without capture (idle tunnels) and
 * answers {@code OK}; {@code heap}.
 */
public final class LrokAgentChild {
    private LrokAgentChild() {
    }

    /**
     * Connects to the relay and serves commands until standard input ends.
     *
     * @param args the command line
     * @throws Exception if it cannot start
     */
    public static void main(String[] args) throws Exception {
        int port = 0;
        Path ca = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--relay-port" -> port = Integer.parseInt(args[i + 1]);
                case "--ca" -> ca = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        LrokClient client = LrokClient.connect(endpoint(port, trusting(ca)));
        List<Tunnel> tunnels = new ArrayList<>(); // kept open until the process ends
        ChildCommands.serve("READY", cmd -> {
            try {
                switch (cmd[0]) {
                    case "http" -> {
                        Tunnel t = client.http(Integer.parseInt(cmd[1])).subdomain(cmd[2])
                                .capture(Boolean.parseBoolean(cmd[3])).open();
                        tunnels.add(t);
                        return "URL " + t.publicUrl();
                    }
                    case "tcp" -> {
                        Tunnel t = client.tcp(Integer.parseInt(cmd[1])).open();
                        tunnels.add(t);
                        return "URL " + t.publicUrl();
                    }
                    case "tunnels" -> {
                        int n = Integer.parseInt(cmd[1]);
                        for (int i = 0; i < n; i++) {
                            tunnels.add(client.http(Integer.parseInt(cmd[2])).capture(false).open());
                        }
                        return "OK";
                    }
                    default -> {
                        return null;
                    }
                }
            } catch (Exception e) {
                return "ERROR " + e;
            }
        });
    }

    /** A TLS endpoint on 127.0.0.1 whose certificate must chain to {@code trust}. */
    static RelayEndpoint endpoint(int port, SSLContext trust) {
        return new RelayEndpoint() {
            @Override
            public String host() {
                return "127.0.0.1";
            }

            @Override
            public int port() {
                return port;
            }

            @Override
            public boolean tls() {
                return true;
            }

            @Override
            public Optional<SSLContext> sslContext() {
                return Optional.of(trust);
            }
        };
    }

    /** A TLS client context that trusts the certificates in one PEM file and no other. */
    static SSLContext trusting(Path pem) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca" + i++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }
}
