package io.lrok.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.Tunnel;
import io.lrok.http.HttpLimits;
import io.lrok.internal.http.HttpReader;
import io.lrok.internal.http.ResponseHead;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.relay.RelayLimits;
import io.lrok.testing.Await;
import io.lrok.testing.ExternalPrograms;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow clients at the edge of a real relay, with short configured timeouts: a head sent a byte at a time is cut off
 * by the head deadline however steadily the bytes come; and slowhttptest's slowloris (slow headers) and slow body
 * attacks leave the relay serving a normal request through the tunnel during the attack.
 */
@Timeout(120)
class SlowClientsE2eTest {
    /** The head deadline of the relays here: short, so the tests are too. */
    private static final Duration HEAD_TIMEOUT = Duration.ofSeconds(2);
    private static final RelayLimits LIMITS = RelayLimits.defaults().withHeadTimeout(HEAD_TIMEOUT)
            .withIdleTimeout(Duration.ofSeconds(5)).withLingerTimeout(Duration.ofSeconds(1));
    /** The pace of the trickling client: one byte per interval, far quicker than the head deadline. */
    private static final long TRICKLE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** slowhttptest's run per mode, in seconds; two modes keep the test within about 20 s. */
    private static final int ATTACK_SECONDS = 8;
    private static final int ATTACK_CONNECTIONS = 40;

    @Test
    void aHeadSentAByteAtATimeGets408AndAClosedConnectionAndNeverReachesTheApp() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.builder().limits(LIMITS).start();
                RecordingApp app = RecordingApp.start();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).subdomain("slow").open();
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), relay.httpPort())) {
            socket.setSoTimeout((int) E2e.WAIT.toMillis());
            AtomicBoolean stop = new AtomicBoolean();
            // Every byte arrives well within any per-read timeout; only a deadline for the whole head stops this.
            Thread trickle = Thread.ofVirtual().name("trickle").start(() -> {
                byte[] head = "GET / HTTP/1.1\r\nHost: slow.localhost\r\n".getBytes(StandardCharsets.ISO_8859_1);
                byte[] field = "X-Slow: yes\r\n".getBytes(StandardCharsets.ISO_8859_1);
                try {
                    OutputStream out = socket.getOutputStream();
                    for (long i = 0; !stop.get(); i++) {
                        out.write(i < head.length ? head[(int) i] : field[(int) ((i - head.length) % field.length)]);
                        out.flush();
                        LockSupport.parkNanos(TRICKLE_NANOS); // the client's pace, not a wait for an event
                    }
                } catch (IOException e) {
                    // the relay closed the connection
                }
            });
            ResponseHead response = new HttpReader(socket.getInputStream()).readResponseHead(HttpLimits.defaults());
            stop.set(true);
            assertThat(response.status()).isEqualTo(408);
            assertThat(response.headers().get("Connection")).isEqualTo("close");
            assertThat(drainToEnd(socket)).as("the relay closed the connection").isTrue();
            assertThat(trickle.join(E2e.WAIT)).isTrue();
            assertThat(app.bytes()).as("bytes that reached the app").isZero();
            assertThat(tunnel.isOpen()).isTrue();
        }
    }

    @Tag("slowhttptest")
    @Test
    void slowlorisConnectionsAreClosedByTheRelayWhileTheTunnelServes(@TempDir Path dir) throws Exception {
        Path program = requireSlowHttpTest();
        try (EmbeddedRelay relay = EmbeddedRelay.builder().limits(LIMITS).start();
                RecordingApp app = RecordingApp.start();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open()) {
            // The normal request goes as the attack starts: the relay cuts each slow head off at the head deadline, so
            // the attack is over soon after, with every connection closed by the relay (not by slowhttptest's clock).
            Attack attack = attack(program, dir, "slowloris", tunnel, () -> true, "-H");
            assertThat(attack.servedDuring()).as("a normal request during the attack").isEqualTo(200);
            assertThat(attack.serviceAvailableAtEnd()).as("slowhttptest: service available at the end").isTrue();
            // slowhttptest's words for: the server closed every connection before the test's time was up.
            assertThat(attack.exitStatus()).isEqualTo("No open connections left");
            // The app sees the normal request and slowhttptest's probes (complete requests), no slow head.
            assertThat(app.complete()).contains("GET /normal").allMatch(r -> r.equals("GET /normal") || r.equals("GET /slow"));
            assertThat(app.incomplete()).as("slow heads that reached the app").isZero();
        }
    }

    @Tag("slowhttptest")
    @Test
    void slowBodiesDoNotStopTheTunnelServing(@TempDir Path dir) throws Exception {
        Path program = requireSlowHttpTest();
        try (EmbeddedRelay relay = EmbeddedRelay.builder().limits(LIMITS).start();
                RecordingApp app = RecordingApp.start();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open()) {
            // Under way once the slow bodies' heads have reached the app.
            Attack attack = attack(program, dir, "slowbody", tunnel, () -> app.bytes() > 0, "-B", "-s", "8192");
            // Bodies have no deadline (uploads and long polls may take their time): each slow body is a stream of
            // its own to the app, and the tunnel serves others beside them.
            assertThat(attack.servedDuring()).as("a normal request during the attack").isEqualTo(200);
            assertThat(attack.serviceAvailableAtEnd()).as("slowhttptest: service available at the end").isTrue();
            assertThat(app.complete()).as("complete requests at the app").contains("GET /normal");
        }
    }

    /** What an attack run showed. */
    record Attack(int servedDuring, boolean serviceAvailableAtEnd, int mostClosed, String exitStatus) {
    }

    /**
     * Runs slowhttptest against the tunnel's URL; once it reports its connections open, sends a normal
     * request through the tunnel; waits for slowhttptest to end and reads its CSV report
     * ({@code Seconds,Closed,Pending,Connected,Service Available}; the last column is 0 while the service is not).
     */
    private static Attack attack(Path program, Path dir, String name, Tunnel tunnel, BooleanSupplier underway,
            String... mode) throws Exception {
        List<String> command = new ArrayList<>(List.of(program.toString()));
        command.addAll(List.of(mode));
        command.addAll(List.of("-c", String.valueOf(ATTACK_CONNECTIONS), "-r", String.valueOf(ATTACK_CONNECTIONS),
                "-i", "1", "-x", "10", "-p", "10", "-l", String.valueOf(ATTACK_SECONDS), "-g", "-o",
                dir.resolve(name).toString(), "-u", tunnel.publicUrl() + "/slow"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile()).start();
        int served;
        try {
            Await.until("the attack is under way", E2e.WAIT, () -> underway.getAsBoolean() || !process.isAlive());
            try (HttpClient client = E2e.http11()) {
                served = client.send(HttpRequest.newBuilder(tunnel.publicUrl().resolve("/normal"))
                        .timeout(E2e.WAIT).build(), BodyHandlers.ofString()).statusCode();
            }
            assertThat(process.waitFor(ATTACK_SECONDS + 30, TimeUnit.SECONDS)).as("slowhttptest ends").isTrue();
        } finally {
            process.destroyForcibly();
        }
        assertThat(process.exitValue()).as("slowhttptest's exit: " + log(dir, name)).isZero();
        List<String> csv = Files.readAllLines(dir.resolve(name + ".csv"));
        assertThat(csv.get(0)).isEqualTo("Seconds,Closed,Pending,Connected,Service Available");
        int mostClosed = 0;
        for (String row : csv.subList(1, csv.size())) {
            mostClosed = Math.max(mostClosed, Integer.parseInt(row.split(",")[1].strip()));
        }
        String[] last = csv.get(csv.size() - 1).split(",");
        boolean available = Integer.parseInt(last[4].strip()) > 0;
        Matcher exit = EXIT_STATUS.matcher(ANSI.matcher(log(dir, name)).replaceAll(""));
        assertThat(exit.find()).as("an exit status in " + log(dir, name)).isTrue();
        System.out.println("slowhttptest " + name + ": " + exit.group(1) + "; " + String.join(" | ", csv));
        return new Attack(served, available, mostClosed, exit.group(1).strip());
    }

    /** Terminal colours, which slowhttptest writes even to a file. */
    private static final Pattern ANSI = Pattern.compile("\u001b\\[[0-9;]*[A-Za-z]");
    private static final Pattern EXIT_STATUS = Pattern.compile("Exit status:\\s*(.*)");

    private static String log(Path dir, String name) {
        try {
            return Files.readString(dir.resolve(name + ".log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static Path requireSlowHttpTest() {
        var found = ExternalPrograms.findOnPath("slowhttptest");
        ExternalPrograms.require("slowhttptest", found.isPresent(), "apt-get install slowhttptest");
        return found.orElseThrow();
    }

    /** @return whether the peer ended the connection (EOF or reset) within the read timeout, after any bytes */
    private static boolean drainToEnd(Socket socket) throws IOException {
        try {
            return socket.getInputStream().transferTo(OutputStream.nullOutputStream()) >= 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }
}
