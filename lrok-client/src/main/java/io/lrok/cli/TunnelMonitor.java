package io.lrok.cli;

import io.lrok.ConnectionEvent;
import io.lrok.ConnectionListener;
import io.lrok.ConnectionState;
import io.lrok.Tunnel;
import io.lrok.inspect.ExchangeState;
import io.lrok.inspect.RecordedExchange;
import io.lrok.inspect.RecordedResponse;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What {@code lrok http} and {@code lrok tcp} show while the tunnel runs. At a terminal, a status screen redrawn in
 * place (ANSI): session status from the connection's events, forwarding, inspector, request counts and the last
 * requests with status and time. Otherwise plain lines: one per connection event and one per finished request, for
 * logs. Connection events arrive on lrok's thread and are queued; everything is printed by the thread that runs
 * {@link #run}, which polls the tunnel's recorded exchanges.
 */
final class TunnelMonitor implements ConnectionListener {
    /** How often the status screen is redrawn. */
    static final Duration SCREEN_REFRESH = Duration.ofMillis(250);
    /** How often the line log looks for finished requests and connection events. */
    static final Duration LINES_POLL = Duration.ofMillis(200);
    /** How many of the latest requests the status screen lists. */
    static final int SCREEN_REQUESTS = 12;
    /** The screen's width when the terminal's is not known ({@code COLUMNS} unset). */
    static final int DEFAULT_WIDTH = 100;

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    /** ANSI: cursor home, erase to end of line, erase to end of screen, erase screen, hide and show the cursor. */
    private static final String HOME = "\033[H", EOL = "\033[K", EOS = "\033[J", CLEAR = "\033[2J",
            HIDE_CURSOR = "\033[?25l", SHOW_CURSOR = "\033[?25h";

    private final ConcurrentLinkedQueue<ConnectionEvent> events = new ConcurrentLinkedQueue<>();
    /** Only the thread in {@link #run} touches the fields below. */
    private ConnectionEvent lastEvent;
    private long total;
    private final Set<Long> printed = new HashSet<>();

    @Override
    public void onConnectionEvent(ConnectionEvent event) {
        events.add(event);
    }

    /**
     * Shows the tunnel until {@code stop} is released (Ctrl-C) or the tunnel closes for good.
     *
     * @param screen whether to draw the status screen (at a terminal) instead of printing lines
     */
    void run(Tunnel tunnel, PrintStream out, CountDownLatch stop, boolean screen) throws InterruptedException {
        Duration every = screen ? SCREEN_REFRESH : LINES_POLL;
        int width = Terminal.width(DEFAULT_WIDTH);
        if (screen) out.print(HIDE_CURSOR + HOME + CLEAR);
        try {
            while (true) {
                boolean stopping = stop.await(every.toMillis(), TimeUnit.MILLISECONDS);
                List<RecordedExchange> exchanges = exchanges(tunnel);
                for (RecordedExchange e : exchanges) total = Math.max(total, e.id());
                if (screen) {
                    drainEvents(null);
                    out.print(HOME);
                    for (String line : screen(tunnel, exchanges, width)) out.print(clip(line, width) + EOL + "\n");
                    out.print(EOS);
                } else {
                    drainEvents(out);
                    printFinished(exchanges, out);
                }
                out.flush();
                if (stopping || !tunnel.isOpen()) return;
            }
        } finally {
            if (screen) out.print(SHOW_CURSOR);
            out.flush();
        }
    }

    private void drainEvents(PrintStream lines) {
        ConnectionEvent event;
        while ((event = events.poll()) != null) {
            lastEvent = event;
            if (lines != null) lines.printf("%s connection %s%n", clock(event.at().atZone(ZoneId.systemDefault())
                    .toLocalTime()), describe(event));
        }
    }

    private void printFinished(List<RecordedExchange> exchanges, PrintStream out) {
        Set<Long> present = new HashSet<>();
        for (RecordedExchange e : exchanges) {
            present.add(e.id());
            if (e.state() != ExchangeState.IN_PROGRESS && printed.add(e.id())) out.println(requestLine(e));
        }
        printed.retainAll(present); // ids that left the ring are never seen again
    }

    private static List<RecordedExchange> exchanges(Tunnel tunnel) {
        try {
            return tunnel.exchanges();
        } catch (IllegalStateException notRecorded) {
            return List.of(); // a TCP tunnel, or capture off
        }
    }

    /** The status screen's lines, top to bottom. */
    private List<String> screen(Tunnel tunnel, List<RecordedExchange> exchanges, int width) {
        List<String> lines = new ArrayList<>();
        String title = "lrok " + Main.VERSION;
        String quit = "(Ctrl-C to quit)";
        lines.add(title + " ".repeat(Math.max(1, Math.min(width, 80) - title.length() - quit.length())) + quit);
        lines.add("");
        lines.add(row("Session Status", status(tunnel.connectionState())));
        if (lastEvent != null && lastEvent.state() != ConnectionState.CONNECTED) {
            lines.add(row("", lastEvent.detail()));
        }
        lines.add(row("Forwarding", tunnel.publicUrl() + " -> " + tunnel.localUrl()));
        Optional<URI> inspector = tunnel.inspectorUrl();
        boolean http = tunnel.publicUrl().getScheme().startsWith("http");
        if (http) lines.add(row("Web Interface", inspector.map(URI::toString).orElse("off")));
        if (!http) return lines;
        long open = exchanges.stream().filter(e -> e.state() == ExchangeState.IN_PROGRESS).count();
        lines.add(row("Requests", "total " + total + "   open " + open));
        lines.add("");
        lines.add("HTTP Requests");
        lines.add("-------------");
        int from = Math.max(0, exchanges.size() - SCREEN_REQUESTS);
        for (int i = exchanges.size() - 1; i >= from; i--) lines.add(requestLine(exchanges.get(i)));
        return lines;
    }

    private String status(ConnectionState state) {
        return switch (state) {
            case CONNECTED -> "online";
            case RECONNECTING -> lastEvent != null && lastEvent.state() == ConnectionState.RECONNECTING
                    ? "reconnecting (attempt " + lastEvent.attempt() + ", next in " + lastEvent.nextDelay().toMillis()
                            + " ms)"
                    : "reconnecting";
            case CLOSED -> "closed";
        };
    }

    private static String row(String name, String value) {
        return String.format("%-18s %s", name, value);
    }

    /** One request: when, method, target, then status and time, or where it stands. */
    static String requestLine(RecordedExchange e) {
        String when = clock(e.timings().start().atZone(ZoneId.systemDefault()).toLocalTime());
        String outcome;
        Optional<RecordedResponse> response = e.response();
        if (e.state() == ExchangeState.IN_PROGRESS) {
            outcome = response.map(r -> r.status() + " " + r.reason()).orElse("...");
        } else if (e.state() == ExchangeState.FAILED && response.isEmpty()) {
            outcome = "failed" + e.error().map(err -> ": " + err).orElse("");
        } else {
            outcome = response.map(r -> r.status() + " " + r.reason()).orElse("") + e.timings().total()
                    .map(t -> "  " + t.toMillis() + " ms").orElse("")
                    + (e.state() == ExchangeState.FAILED ? "  failed" + e.error().map(err -> ": " + err).orElse("") : "");
        }
        return String.format("%s  %-7s %-40s %s", when, e.request().method(), e.request().target(), outcome);
    }

    static String describe(ConnectionEvent event) {
        return switch (event.state()) {
            case CONNECTED -> "online: " + event.detail();
            case RECONNECTING -> "reconnecting: " + event.detail() + " (attempt " + event.attempt() + ", next in "
                    + event.nextDelay().toMillis() + " ms)";
            case CLOSED -> "closed: " + event.detail();
        };
    }

    private static String clock(LocalTime time) {
        return CLOCK.format(time.truncatedTo(ChronoUnit.SECONDS));
    }

    private static String clip(String line, int width) {
        return line.length() <= width ? line : line.substring(0, Math.max(0, width - 1)) + "~";
    }
}
