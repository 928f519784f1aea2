package io.lrok.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.Tunnel;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.testing.Await;
import io.lrok.testing.ExternalPrograms;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real protocol through a TCP tunnel: a real PostgreSQL server (initdb into a temporary directory, then
 * {@code postgres} on a free loopback port), and {@code psql} talking to it through the tunnel's public port. Needs
 * Debian's {@code postgresql} package (server and client); skipped without it, except in CI, where it fails. As
 * root, the server runs as the {@code postgres} user the package creates ({@code runuser}), as PostgreSQL refuses
 * to run as root.
 */
@Timeout(120)
class PostgresTunnelTest {
    private static final String INSTALL = "apt-get install postgresql (the server, initdb and psql)";
    /** Debian keeps the server's programs here, one directory per major version, off the PATH. */
    private static final Path DEBIAN_BINARIES = Path.of("/usr/lib/postgresql");
    /** How long the server may take to start accepting connections. */
    private static final long START_MILLIS = 30_000;
    /** The database superuser initdb creates; local connections need no password ({@code -A trust}). */
    private static final String DB_USER = "lrok";

    private Path dir;
    private Process server;
    private Optional<Path> pgCtl = Optional.empty();

    @AfterEach
    void stopServer() throws Exception {
        if (server != null) {
            if (pgCtl.isPresent()) {
                run(asServerUser(List.of(pgCtl.get().toString(), "-D", dir.resolve("data").toString(), "stop",
                        "-m", "immediate")));
            }
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) server.destroyForcibly().waitFor();
        }
        if (dir != null) {
            try (Stream<Path> all = Files.walk(dir)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void psqlQueriesARealPostgresThroughTheTunnel() throws Exception {
        Optional<Path> initdb = find("initdb");
        Optional<Path> postgres = find("postgres");
        Optional<Path> psql = find("psql");
        pgCtl = find("pg_ctl");
        ExternalPrograms.require("PostgreSQL (initdb, postgres, psql)",
                initdb.isPresent() && postgres.isPresent() && psql.isPresent()
                        && (!isRoot() || ExternalPrograms.findOnPath("runuser").isPresent()), INSTALL);

        dir = Files.createTempDirectory("lrok-pg");
        Path data = dir.resolve("data");
        if (isRoot()) assertThat(run(List.of("chown", "postgres:", dir.toString())).exit()).isZero();
        Result init = run(asServerUser(List.of(initdb.get().toString(), "-D", data.toString(), "-A", "trust", "-U",
                DB_USER, "--no-locale", "-E", "UTF8", "--no-sync")));
        assertThat(init.exit()).as("initdb: %s", init.output()).isZero();

        int port = freePort();
        server = new ProcessBuilder(asServerUser(List.of(postgres.get().toString(), "-D", data.toString(), "-k",
                dir.toString(), "-p", Integer.toString(port), "-h", "127.0.0.1", "-F")))
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
        awaitListening(port);

        try (EmbeddedRelay relay = EmbeddedRelay.start(); Tunnel tunnel = Tunnel.tcp(port).relay(relay).open()) {
            int publicPort = tunnel.publicUrl().getPort();
            assertThat(publicPort).isNotEqualTo(port);
            Result one = psql(psql.get(), publicPort, "select 1");
            assertThat(one.exit()).as("psql: %s", one.output()).isZero();
            assertThat(one.output().strip()).isEqualTo("1");

            Result big = psql(psql.get(), publicPort,
                    "select count(*), sum(length(md5(g::text))) from generate_series(1, 200000) g");
            assertThat(big.exit()).as("psql: %s", big.output()).isZero();
            assertThat(big.output().strip()).isEqualTo("200000|6400000");
        }
    }

    private static Result psql(Path psql, int port, String sql) throws IOException, InterruptedException {
        List<String> command = List.of(psql.toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U",
                DB_USER, "-d", "postgres", "-X", "-tA", "-v", "ON_ERROR_STOP=1", "-c", sql);
        return run(command);
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PGCONNECT_TIMEOUT", "10");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish: " + out);
        }
        return new Result(p.exitValue(), out);
    }

    private List<String> asServerUser(List<String> command) {
        if (!isRoot()) return command;
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** @return the program on the PATH, else in Debian's newest {@code /usr/lib/postgresql/<major>/bin} */
    private static Optional<Path> find(String exe) throws IOException {
        Optional<Path> onPath = ExternalPrograms.findOnPath(exe);
        if (onPath.isPresent() || !Files.isDirectory(DEBIAN_BINARIES)) return onPath;
        try (Stream<Path> versions = Files.list(DEBIAN_BINARIES)) {
            return versions.map(v -> v.resolve("bin").resolve(exe)).filter(Files::isExecutable)
                    .max(Comparator.comparing(p -> majorVersion(p.getParent().getParent())));
        }
    }

    private static int majorVersion(Path dir) {
        try {
            return Integer.parseInt(dir.getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void awaitListening(int port) throws Exception {
        try {
            Await.until("postgres listens on " + port, Duration.ofMillis(START_MILLIS),
                    () -> !server.isAlive() || accepts(port));
        } catch (AssertionError timedOut) {
            // reported below, with the server's log
        }
        if (server.isAlive() && accepts(port)) return;
        String log = Files.exists(dir.resolve("server.log")) ? Files.readString(dir.resolve("server.log")) : "";
        throw new AssertionError("postgres did not start listening on " + port + ": " + log);
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
