package io.lrok.bench;

import io.lrok.testing.ExternalPrograms;
import io.lrok.testing.GoPrograms;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Starts bench/compare's paths: lrok (relay and agent JVMs), ssh -R through a local sshd, and yamuxtunnel in Go. */
final class ComparePaths {
    /** How long a started tunnel may take to answer on its public port. */
    static final Duration START_LIMIT = Duration.ofSeconds(60);
    /** lrok's relay limits one TCP tunnel to this many connections, so idle streams spread over several tunnels. */
    static final int STREAMS_PER_TCP_TUNNEL = 1_000;
    /** Heap of the app's JVM. */
    static final String APP_HEAP = "-Xmx1g";
    /** Heap of the relay and agent JVMs: room for 10,000 tunnels or streams without GC pressure. */
    static final String CHILD_HEAP = "-Xmx2g";
    /**
     * Extra JVM options for lrok's relay and agent JVMs, such as a JFR recording; {@code %n} in them becomes the
     * child's name (lrok-relay, lrok-agent), so that each writes its own file.
     */
    static final String CHILD_OPTS_ENV = "LROK_COMPARE_CHILD_OPTS";

    /** The JVM options of a lrok child named {@code name}. */
    static List<String> lrokJvm(String name) {
        List<String> options = new ArrayList<>(List.of(CHILD_HEAP));
        String extra = System.getenv(CHILD_OPTS_ENV);
        if (extra != null && !extra.isBlank()) {
            for (String o : extra.trim().split("\\s+")) options.add(o.replace("%n", name));
        }
        return options;
    }
    /** The Go program of the yamux baseline, under io/lrok/testing/go/ (built by GoPrograms). */
    static final String GO_TUNNEL = "yamuxtunnel";
    /** What to install for the ssh column. */
    static final String SSH_HINT = "apt-get install openssh-server openssh-client";
    /** The longest a setup command (ssh-keygen) may take. */
    static final Duration SETUP_LIMIT = Duration.ofSeconds(60);
    /** Where Debian's openssh-server puts sshd. */
    static final Path SSHD = Path.of("/usr/sbin/sshd");

    private ComparePaths() {
    }

    /** The app's two ports. */
    record App(Child child, int http, int bulk) {
        static App start(Path work) {
            Child c = Child.java("app", List.of(APP_HEAP), CompareApp.class, List.of(), work.resolve("app.log"));
            String[] f = c.expect("READY").split(" ");
            return new App(c, Integer.parseInt(f[1].substring(5)), Integer.parseInt(f[2].substring(5)));
        }
    }

    static BenchPath direct(App app) {
        return new BenchPath("direct", new Loads.HttpTarget(app.http(), "127.0.0.1:" + app.http()), app.bulk(),
                List.of(), List.of(), 0, null);
    }

    /** A free loopback port (bound and let go: another process could take it in between, which is unlikely here). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Waits, polling every millisecond, until {@code port} accepts a connection; @return false after the bound */
    static boolean awaitPort(int port, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return true;
            } catch (IOException e) {
                LockSupport.parkNanos(1_000_000);
            }
        }
        return false;
    }

    // ---- lrok ----

    /** lrok's relay child: TLS with its own certificate, or with {@code cert} and {@code key} (same on a restart). */
    static Child lrokRelay(Path work, String name, List<String> args) {
        return Child.java(name, lrokJvm(name), LrokRelayChild.class, args, work.resolve(name + ".log"));
    }

    /**
     * Starts a relay and an agent JVM and opens on the agent's one session: an HTTP tunnel (capture on, the
     * default), an HTTP tunnel with capture off, and TCP tunnels to the app's HTTP and bulk ports.
     *
     * @return the paths lrok-http, lrok-http-nocapture, lrok-tcp
     */
    static List<BenchPath> lrok(Path work, App app, List<AutoCloseable> toClose) throws IOException {
        Path ca = work.resolve("lrok-ca.pem");
        Child relay = lrokRelay(work, "lrok-relay", List.of("--ca-out", ca.toString()));
        toClose.add(relay);
        String[] ready = relay.expect("READY").split(" ");
        int agentPort = Integer.parseInt(ready[1].substring(6));
        int httpPort = Integer.parseInt(ready[2].substring(5));
        Child agent = Child.java("lrok-agent", lrokJvm("lrok-agent"), LrokAgentChild.class,
                List.of("--relay-port", Integer.toString(agentPort), "--ca", ca.toString()),
                work.resolve("lrok-agent.log"));
        toClose.add(agent);
        agent.expect("READY");
        URI withCapture = URI.create(agent.command("http " + app.http() + " bench true", "URL").substring(4));
        URI noCapture = URI.create(agent.command("http " + app.http() + " bench-nocapture false", "URL").substring(4));
        int tcpHttp = URI.create(agent.command("tcp " + app.http(), "URL").substring(4)).getPort();
        int tcpBulk = URI.create(agent.command("tcp " + app.bulk(), "URL").substring(4)).getPort();
        List<Child> both = List.of(relay, agent);
        BenchPath.IdlePorts idle = count -> {
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < (count + STREAMS_PER_TCP_TUNNEL - 1) / STREAMS_PER_TCP_TUNNEL; i++) {
                ports.add(URI.create(agent.command("tcp " + app.bulk(), "URL").substring(4)).getPort());
            }
            return ports;
        };
        return List.of(
                new BenchPath("lrok-http", new Loads.HttpTarget(httpPort, hostHeader(withCapture)), 0, both, both, agentPort, null),
                new BenchPath("lrok-http-nocapture", new Loads.HttpTarget(httpPort, hostHeader(noCapture)), 0, both,
                        both, agentPort, null),
                new BenchPath("lrok-tcp", new Loads.HttpTarget(tcpHttp, "127.0.0.1:" + tcpHttp), tcpBulk, both, both,
                        agentPort, idle));
    }

    static String hostHeader(URI url) {
        return url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "");
    }

    // ---- ssh -R ----

    /** @return why the ssh column cannot run, or null when it can */
    static String sshUnavailable() {
        if (!Files.isExecutable(SSHD)) return "no " + SSHD + "; " + SSH_HINT;
        for (String p : List.of("ssh", "ssh-keygen")) {
            if (ExternalPrograms.findOnPath(p).isEmpty()) return "no '" + p + "' on the PATH; " + SSH_HINT;
        }
        return null;
    }

    /**
     * Starts {@code sshd -D} on a loopback port as the current user, with a throwaway host key and client key, and
     * {@code ssh -N -R} forwarding two public ports on sshd's side to the app's HTTP and bulk ports.
     */
    static BenchPath ssh(Path work, App app, List<AutoCloseable> toClose) throws Exception {
        Path dir = Files.createDirectories(work.resolve("ssh"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path hostKey = dir.resolve("host_key");
        Path clientKey = dir.resolve("client_key");
        for (Path key : List.of(hostKey, clientKey)) {
            run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()), work);
        }
        Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
        // Privilege separation wants this directory when sshd runs as root.
        if ("root".equals(System.getProperty("user.name"))) Files.createDirectories(Path.of("/run/sshd"));
        int sshPort = freePort();
        Path config = dir.resolve("sshd_config");
        Files.writeString(config, String.join("\n",
                "Port " + sshPort,
                "ListenAddress 127.0.0.1",
                "HostKey " + hostKey,
                "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "AuthenticationMethods publickey",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password",
                "UsePAM no",
                "StrictModes no",
                "AllowTcpForwarding yes",
                "GatewayPorts no",
                "MaxStartups 100",
                "LogLevel ERROR",
                "") );
        Child sshd = Child.start("sshd", List.of(SSHD.toString(), "-D", "-e", "-f", config.toString()),
                work.resolve("sshd.log"));
        toClose.add(sshd);
        if (!awaitPort(sshPort, START_LIMIT)) throw new IOException("sshd did not listen; see " + work.resolve("sshd.log"));
        int pubHttp = freePort();
        int pubBulk = freePort();
        Child ssh = Child.start("ssh", List.of("ssh", "-N", "-p", Integer.toString(sshPort), "-i", clientKey.toString(),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                "-o", "ExitOnForwardFailure=yes", "-o", "LogLevel=ERROR",
                "-R", "127.0.0.1:" + pubHttp + ":127.0.0.1:" + app.http(),
                "-R", "127.0.0.1:" + pubBulk + ":127.0.0.1:" + app.bulk(),
                System.getProperty("user.name") + "@127.0.0.1"), work.resolve("ssh.log"));
        toClose.add(ssh);
        if (!awaitPort(pubHttp, START_LIMIT) || !awaitPort(pubBulk, START_LIMIT)) {
            throw new IOException("ssh -R did not open its ports; see " + work.resolve("ssh.log") + " and sshd.log");
        }
        return new BenchPath("ssh", new Loads.HttpTarget(pubHttp, "127.0.0.1:" + pubHttp), pubBulk,
                List.of(sshd, ssh), List.of(), sshPort, count -> List.of(pubBulk));
    }

    private static void run(List<String> command, Path work) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("setup.log").toFile())).start();
        if (!p.waitFor(SETUP_LIMIT.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(command + " failed; see " + work.resolve("setup.log"));
        }
    }

    // ---- hashicorp/yamux in Go ----

    /** @return why the Go column cannot run, or null when it can */
    static String goUnavailable() {
        if (ExternalPrograms.findOnPath("go").isEmpty()) return "no 'go' on the PATH; " + GoPrograms.INSTALL_HINT;
        if (!Files.isRegularFile(GoPrograms.yamuxSource().resolve("session.go"))) {
            return "no hashicorp/yamux source in " + GoPrograms.yamuxSource() + "; " + GoPrograms.INSTALL_HINT;
        }
        return null;
    }

    /** The Go relay; its certificate and key are made on the first start and kept in {@code work}. */
    static Child goRelay(Path work, String name, int agentPort, int pubHttp, int pubBulk) {
        Path binary = GoPrograms.build(GO_TUNNEL);
        return Child.start(name, List.of(binary.toString(), "-mode", "relay",
                "-agent", "127.0.0.1:" + agentPort, "-public", "127.0.0.1:" + pubHttp + ",127.0.0.1:" + pubBulk,
                "-cert", work.resolve("go-cert.pem").toString(), "-key", work.resolve("go-key.pem").toString()),
                work.resolve(name + ".log"));
    }

    static Child goAgent(Path work, String name, int agentPort, App app) {
        Path binary = GoPrograms.build(GO_TUNNEL);
        return Child.start(name, List.of(binary.toString(), "-mode", "agent", "-relay", "127.0.0.1:" + agentPort,
                "-ca", work.resolve("go-cert.pem").toString(),
                "-local", "127.0.0.1:" + app.http() + ",127.0.0.1:" + app.bulk()), work.resolve(name + ".log"));
    }

    static BenchPath yamux(Path work, App app, List<AutoCloseable> toClose) {
        Child relay = goRelay(work, "go-relay", 0, 0, 0);
        toClose.add(relay);
        String[] ready = relay.expect("READY").split(" ");
        int agentPort = Integer.parseInt(ready[1].substring(6));
        String[] pub = ready[2].substring(7).split(",");
        Child agent = goAgent(work, "go-agent", agentPort, app);
        toClose.add(agent);
        agent.expect("READY");
        int pubHttp = Integer.parseInt(pub[0]);
        int pubBulk = Integer.parseInt(pub[1]);
        return new BenchPath("go-yamux", new Loads.HttpTarget(pubHttp, "127.0.0.1:" + pubHttp), pubBulk,
                List.of(relay, agent), List.of(relay, agent), agentPort, count -> List.of(pubBulk));
    }
}
