package io.lrok.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.junit.NamedApp;
import io.lrok.testing.Await;
import io.lrok.testing.ExternalPrograms;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The live status screen at a real terminal: tmux runs {@code lrok http <port>} (the command line's main, on this
 * test class path, with its in-process relay) in a detached session; the test reads the screen with
 * {@code capture-pane}, sends a request through the URL it shows, watches the request appear, and presses Ctrl-C.
 * Needs tmux (Debian package tmux).
 */
@Timeout(120)
class StatusScreenTmuxTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern FORWARDING = Pattern.compile("Forwarding\\s+(http://\\S+) -> (\\S+)");

    private Path tmux;
    /** A tmux server of this test's own (-L), so nothing of anyone else's tmux is touched. */
    private final String socket = "lrok-test-" + UUID.randomUUID();
    private NamedApp app;

    @BeforeEach
    void setUp() throws IOException {
        var found = ExternalPrograms.findOnPath("tmux");
        ExternalPrograms.require("tmux", found.isPresent(), "apt-get install tmux");
        tmux = found.get();
        app = NamedApp.start("tmux app");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (tmux != null) tmux("kill-server");
        if (app != null) app.close();
    }

    @Test
    void theScreenShowsTheSessionTheUrlsAndEachRequestAndCtrlCClosesIt() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String command = String.join(" ", quote(java), "-cp", quote(System.getProperty("java.class.path")),
                Main.class.getName(), "http", String.valueOf(app.port()));
        // remain-on-exit keeps the pane (and its last screen) after the command ends, to read how it ended.
        tmux("-f", "/dev/null", "new-session", "-d", "-s", "lrok", "-x", "120", "-y", "40", "-e", "COLUMNS=120",
                command, ";", "set-option", "-t", "lrok", "remain-on-exit", "on");

        String[] screen = {""};
        Await.until("the status screen with the public URL", WAIT, () -> FORWARDING.matcher(screen[0] = capture()).find());
        Matcher forwarding = FORWARDING.matcher(screen[0]);
        assertThat(forwarding.find()).isTrue();
        assertThat(forwarding.group(2)).isEqualTo("http://127.0.0.1:" + app.port());
        assertThat(screen[0]).containsPattern("lrok \\S+\\s+\\(Ctrl-C to quit\\)")
                .containsPattern("Session Status\\s+online")
                .containsPattern("Web Interface\\s+http://127\\.0\\.0\\.1:\\d+/")
                .containsPattern("Requests\\s+total 0\\s+open 0");

        URI publicUrl = URI.create(forwarding.group(1));
        assertThat(NamedApp.get(publicUrl.resolve("/through-tmux"))).isEqualTo("200 tmux app saw /through-tmux");
        Await.until("the request on the screen", WAIT,
                () -> Pattern.compile("GET\\s+/through-tmux\\s+200 OK\\s+\\d+ ms").matcher(screen[0] = capture()).find());
        assertThat(screen[0]).containsPattern("Requests\\s+total 1\\s+open 0");
        // Redrawn in place: the screen holds one status screen, not one per refresh.
        assertThat(screen[0].split("Session Status", -1)).hasSize(2);

        tmux("send-keys", "-t", "lrok", "C-c");
        Await.until("the command to end", WAIT, () -> tmux("display-message", "-p", "-t", "lrok", "#{pane_dead}")
                .strip().equals("1"));
        assertThat(capture()).contains("lrok: tunnel closed");
    }

    private String capture() {
        return tmux("capture-pane", "-p", "-t", "lrok");
    }

    private String tmux(String... args) {
        List<String> command = new ArrayList<>(List.of(tmux.toString(), "-L", socket));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("tmux " + String.join(" ", args) + " did not finish");
            }
            return out;
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("tmux " + String.join(" ", args) + ": " + e, e);
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
