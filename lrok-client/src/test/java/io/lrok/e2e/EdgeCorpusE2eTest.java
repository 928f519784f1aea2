package io.lrok.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.Tunnel;
import io.lrok.http.HttpLimits;
import io.lrok.internal.http.BodyFraming;
import io.lrok.internal.http.HttpReader;
import io.lrok.internal.http.ResponseHead;
import io.lrok.relay.EmbeddedRelay;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The smuggling and limits corpus ({@code edge-corpus.txt} beside this class; its header says how to add a case),
 * sent over raw sockets to a real relay with two real tunnels, each to a {@link RecordingApp}. For each case: the
 * relay answers with the expected status, then closes the connection, and the local apps see nothing of a refused
 * request (or, for errors only a body can show, never a complete request). Last, a valid request through the same
 * tunnel proves that nothing refused arrived late either.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EdgeCorpusE2eTest {
    private static final String CORPUS = "edge-corpus.txt";
    private static final String HOST = "corpus.localhost";
    private static final String OTHER = "other.localhost";
    /**
     * Where cases with errors only a body shows go: their head may reach the app after the case is over, so they
     * have a tunnel and app of their own, and cannot be mistaken for another case's request.
     */
    private static final String BODIES_HOST = "bodies.localhost";
    /** The longest wait for a response or for the close after it. */
    private static final int READ_TIMEOUT_MILLIS = (int) E2e.WAIT.toMillis();

    /** A case of the corpus. */
    record Case(String name, int status, AppSees app, byte[] request) {
        @Override
        public String toString() {
            return name + " -> " + status;
        }
    }

    /** What the local apps may see of a case. */
    enum AppSees { NONE, INCOMPLETE, REQUEST }

    private EmbeddedRelay relay;
    private RecordingApp app;
    private RecordingApp otherApp;
    private RecordingApp bodiesApp;
    private Tunnel tunnel;
    private Tunnel otherTunnel;
    private Tunnel bodiesTunnel;
    private final List<String> expectedComplete = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        relay = EmbeddedRelay.start();
        app = RecordingApp.start();
        otherApp = RecordingApp.start();
        bodiesApp = RecordingApp.start();
        tunnel = Tunnel.http(app.port()).relay(relay).subdomain("corpus").open();
        otherTunnel = Tunnel.http(otherApp.port()).relay(relay).subdomain("other").open();
        bodiesTunnel = Tunnel.http(bodiesApp.port()).relay(relay).subdomain("bodies").open();
    }

    @AfterAll
    void stop() throws Exception {
        if (bodiesTunnel != null) bodiesTunnel.close();
        if (otherTunnel != null) otherTunnel.close();
        if (tunnel != null) tunnel.close();
        if (bodiesApp != null) bodiesApp.close();
        if (otherApp != null) otherApp.close();
        if (app != null) app.close();
        if (relay != null) relay.close();
    }

    Stream<Case> corpus() throws IOException {
        return load().stream();
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void eachCaseGetsItsStatusAClosedConnectionAndReachesNoApp(Case c) throws Exception {
        long bytes = app.bytes();
        long otherBytes = otherApp.bytes();
        int complete = app.complete().size();
        int bodiesComplete = bodiesApp.complete().size();
        int status;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), relay.httpPort())) {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            try {
                socket.getOutputStream().write(c.request());
                socket.getOutputStream().flush();
            } catch (IOException e) {
                // The relay may answer and close before it has read everything (an oversized head): read on.
            }
            HttpReader reader = new HttpReader(socket.getInputStream());
            ResponseHead head = reader.readResponseHead(HttpLimits.defaults());
            assertThat(head).as("a response").isNotNull();
            status = head.status();
            reader.body(BodyFraming.forResponse("GET", head), HttpLimits.defaults())
                    .transferTo(OutputStream.nullOutputStream());
            assertThat(status).as("status").isEqualTo(c.status());
            assertThat(closedByRelay(socket.getInputStream(), reader)).as("the relay closed the connection").isTrue();
        }
        assertThat(otherApp.bytes()).as("bytes that reached the other tunnel's app").isEqualTo(otherBytes);
        switch (c.app()) {
            case NONE -> assertThat(app.bytes()).as("bytes that reached the app").isEqualTo(bytes);
            case INCOMPLETE -> {
                assertThat(app.bytes()).as("bytes that reached the app").isEqualTo(bytes);
                assertThat(bodiesApp.complete()).as("complete requests at the app").hasSize(bodiesComplete);
            }
            case REQUEST -> {
                assertThat(app.complete()).as("complete requests at the app").hasSize(complete + 1);
                expectedComplete.add(app.complete().get(complete));
            }
        }
    }

    @Order(2)
    @Test
    void afterTheCorpusOnlyTheControlRequestsHaveReachedTheApps() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), relay.httpPort())) {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            socket.getOutputStream().write(("GET /sentinel HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            ResponseHead head = new HttpReader(socket.getInputStream()).readResponseHead(HttpLimits.defaults());
            assertThat(head.status()).isEqualTo(200);
        }
        expectedComplete.add("GET /sentinel");
        // A refused request forwarded late would be here by now: the agent serves a tunnel's requests as they come.
        assertThat(app.complete()).containsExactlyElementsOf(expectedComplete);
        assertThat(app.complete()).noneMatch(r -> r.contains("smuggled"));
        assertThat(bodiesApp.complete()).as("complete requests with a bad body").isEmpty();
        assertThat(otherApp.bytes()).as("bytes that reached the other tunnel's app").isZero();
    }

    /** @return whether the peer closed (EOF or reset) before the read timeout, with no more bytes sent */
    private static boolean closedByRelay(InputStream in, HttpReader reader) throws IOException {
        if (reader.buffered() > 0) return false;
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    // ---- the corpus file ----------------------------------------------------------------------------------

    private static final Pattern REPEAT = Pattern.compile("\\{(\\d+)\\*([^{}]*)}");

    static List<Case> load() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (InputStream in = EdgeCorpusE2eTest.class.getResourceAsStream(CORPUS)) {
            if (in == null) throw new IOException(CORPUS + " is not on the class path");
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> fields = new LinkedHashMap<>();
            for (String line : (text + "\n\n").split("\n", -1)) {
                if (line.startsWith("#")) continue;
                if (line.isBlank()) {
                    if (!fields.isEmpty()) cases.add(toCase(fields));
                    fields.clear();
                    continue;
                }
                int colon = line.indexOf(':');
                if (colon < 0) throw new IOException(CORPUS + ": not a key: value line: " + line);
                String key = line.substring(0, colon);
                String value = line.substring(colon + 1);
                // One space after the colon separates; anything after it is the value, spaces and all.
                fields.put(key, value.startsWith(" ") ? value.substring(1) : value);
            }
        }
        return cases;
    }

    private static Case toCase(Map<String, String> fields) throws IOException {
        String name = fields.get("case");
        String status = fields.get("status");
        String send = fields.get("send");
        if (name == null || status == null || send == null) {
            throw new IOException(CORPUS + ": a case needs case, status and send: " + fields);
        }
        AppSees app = AppSees.valueOf(fields.getOrDefault("app", "none").strip().toUpperCase(java.util.Locale.ROOT));
        return new Case(name, Integer.parseInt(status.strip()), app,
                expand(send, app == AppSees.INCOMPLETE ? BODIES_HOST : HOST));
    }

    /** Repeats, then the hosts, then the escapes. */
    static byte[] expand(String send, String host) {
        String s = send;
        Matcher m;
        while ((m = REPEAT.matcher(s)).find()) {
            s = s.substring(0, m.start()) + m.group(2).repeat(Integer.parseInt(m.group(1))) + s.substring(m.end());
        }
        s = s.replace("{host}", host).replace("{other}", OTHER);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch != '\\') {
                if (ch > 0xff) throw new UncheckedIOException(new IOException("not a byte: " + ch));
                out.write(ch);
                continue;
            }
            char esc = s.charAt(++i);
            switch (esc) {
                case 'r' -> out.write('\r');
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case '\\' -> out.write('\\');
                case 'x' -> {
                    out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> throw new IllegalArgumentException("unknown escape \\" + esc + " in " + send);
            }
        }
        return out.toByteArray();
    }
}
