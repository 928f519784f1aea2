package io.lrok.internal.inspect;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.lrok.inspect.Header;
import io.lrok.internal.json.Json;
import io.lrok.internal.json.JsonException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The inspector: the JDK's HTTP server on 127.0.0.1 serving one tunnel's page (static resources from the jar) and
 * its JSON API (docs/inspector.md): {@code GET /api/exchanges}, {@code GET /api/exchanges/{id}},
 * {@code POST /api/exchanges/{id}/replay}, {@code DELETE /api/exchanges}, and {@code GET /api/events}, a stream of
 * server-sent events announcing every new or changed exchange. One virtual thread per request.
 *
 * <p>It listens on loopback only, and answers only requests whose Host names a loopback address or
 * {@code localhost} (so that another site cannot reach it through DNS rebinding); requests that change something
 * must come from the page itself (no foreign {@code Origin}) and send JSON (which a foreign page cannot send
 * without a CORS preflight, which is never granted).
 *
 * <p>State: the event subscribers, a concurrent list; each subscriber's queue is bounded.
 */
public final class InspectorServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(InspectorServer.class.getName());
    /** The largest replay request accepted: 8 MiB of JSON (an edited body, base64). */
    public static final int MAX_API_REQUEST_BYTES = 8 * 1024 * 1024;
    /** Connections the kernel queues for the inspector: a browser opens a handful. */
    private static final int BACKLOG = 64;
    private static final Pattern EXCHANGE = Pattern.compile("/api/exchanges/(\\d{1,18})");
    private static final Pattern REPLAY = Pattern.compile("/api/exchanges/(\\d{1,18})/replay");
    private static final Map<String, String> STATIC = Map.of(
            "/", "index.html",
            "/index.html", "index.html",
            "/inspector.css", "inspector.css",
            "/inspector.js", "inspector.js");
    private static final Set<String> LOOPBACK_HOSTS = Set.of("127.0.0.1", "localhost", "[::1]");
    /** Put in a subscriber's queue to end its stream. */
    private static final String END = "";

    private final ExchangeStore store;
    private final Replay replay;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final Runnable unsubscribe;
    private final Map<String, byte[]> resources = new LinkedHashMap<>();
    private final URI url;

    private InspectorServer(ExchangeStore store, Replay replay) throws IOException {
        this.store = store;
        this.replay = replay;
        for (String name : Set.copyOf(STATIC.values())) resources.put(name, resource(name));
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                store.settings().inspectorPort());
        server = HttpServer.create(address, BACKLOG);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        unsubscribe = store.subscribe(new ExchangeStore.Listener() {
            @Override
            public void changed(ExchangeRecorder exchange) {
                if (subscribers.isEmpty()) return;
                publish("exchange", Json.write(ExchangeJson.summary(exchange.versioned())));
            }

            @Override
            public void cleared() {
                publish("cleared", "{}");
            }
        });
        server.start();
        url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    /**
     * Starts the inspector for a tunnel's store on {@link InspectSettings#inspectorPort()}.
     *
     * @param store  the recorded exchanges
     * @param replay how replays reach the local app
     * @return the running server
     * @throws IOException if it cannot listen
     */
    public static InspectorServer start(ExchangeStore store, Replay replay) throws IOException {
        return new InspectorServer(store, replay);
    }

    /** @return the page's URL, such as {@code http://127.0.0.1:41234/} */
    public URI url() {
        return url;
    }

    /** Ends the event streams and stops the server. Idempotent. */
    @Override
    public void close() {
        unsubscribe.run();
        for (Subscriber s : subscribers) s.end();
        server.stop(0);
        executor.shutdownNow();
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = InspectorServer.class.getResourceAsStream("web/" + name)) {
            if (in == null) throw new IOException("inspector resource web/" + name + " is missing from the jar");
            return in.readAllBytes();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String method = exchange.getRequestMethod();
            if (!fromLoopbackHost(exchange)) {
                error(exchange, 403, "the inspector answers requests for 127.0.0.1 or localhost only");
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD") && !sameOrigin(exchange)) {
                error(exchange, 403, "requests that change something must come from the inspector's own page");
                return;
            }
            Matcher m;
            if (STATIC.containsKey(path)) {
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    notAllowed(exchange, "GET");
                } else {
                    serveResource(exchange, STATIC.get(path));
                }
            } else if (path.equals("/api/exchanges")) {
                switch (method) {
                    case "GET" -> list(exchange);
                    case "DELETE" -> {
                        store.clear();
                        exchange.sendResponseHeaders(204, -1);
                    }
                    default -> notAllowed(exchange, "GET, DELETE");
                }
            } else if ((m = EXCHANGE.matcher(path)).matches()) {
                if (method.equals("GET")) {
                    detail(exchange, Long.parseLong(m.group(1)));
                } else {
                    notAllowed(exchange, "GET");
                }
            } else if ((m = REPLAY.matcher(path)).matches()) {
                if (method.equals("POST")) {
                    replay(exchange, Long.parseLong(m.group(1)));
                } else {
                    notAllowed(exchange, "POST");
                }
            } else if (path.equals("/api/events")) {
                if (method.equals("GET")) {
                    events(exchange);
                } else {
                    notAllowed(exchange, "GET");
                }
            } else {
                error(exchange, 404, "no such page: " + path);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.log(Level.DEBUG, "inspector request failed: {0}", e.getMessage()); // the browser went away
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "inspector request failed", e);
        }
    }

    /** DNS rebinding: a foreign name that resolves to 127.0.0.1 must not reach the API. */
    private boolean fromLoopbackHost(HttpExchange exchange) {
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host == null) return false;
        String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1)
                : host.contains(":") ? host.substring(0, host.indexOf(':')) : host;
        return LOOPBACK_HOSTS.contains(name.toLowerCase(Locale.ROOT));
    }

    /** A browser sends Origin with every cross-origin request that changes something; ours must match our host. */
    private boolean sameOrigin(HttpExchange exchange) {
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        if (origin == null) return true; // not a browser on a foreign page (curl, a test)
        String host = exchange.getRequestHeaders().getFirst("Host");
        return origin.equalsIgnoreCase("http://" + host);
    }

    private void serveResource(HttpExchange exchange, String name) throws IOException {
        byte[] bytes = resources.get(name);
        String type = name.endsWith(".html") ? "text/html; charset=utf-8"
                : name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (name.endsWith(".html")) {
            // The page loads only its own script and style, and talks only to this server.
            exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "
                    + "frame-ancestors 'none'");
        }
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private void list(HttpExchange exchange) throws IOException {
        List<ExchangeRecorder> all = store.recorders();
        List<Object> items = new ArrayList<>(all.size());
        for (int i = all.size() - 1; i >= 0; i--) items.add(ExchangeJson.summary(all.get(i).versioned()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("exchanges", items);
        body.put("capacity", store.settings().capacity());
        body.put("bodyLimit", store.settings().bodyLimit());
        json(exchange, 200, body);
    }

    private void detail(HttpExchange exchange, long id) throws IOException {
        var found = store.find(id);
        if (found.isEmpty()) {
            error(exchange, 404, "no exchange " + id + " (cleared, or dropped from the ring)");
            return;
        }
        json(exchange, 200, ExchangeJson.detail(found.get().versioned()));
    }

    private void replay(HttpExchange exchange, long id) throws IOException {
        Replay.Edits edits;
        try {
            edits = edits(exchange);
        } catch (Replay.Refused e) {
            error(exchange, e.status(), e.getMessage());
            return;
        }
        String client = exchange.getRemoteAddress().getAddress().getHostAddress() + ":"
                + exchange.getRemoteAddress().getPort();
        try {
            ExchangeRecorder replayed = replay.replay(id, edits, client);
            json(exchange, 200, ExchangeJson.detail(replayed.versioned()));
        } catch (Replay.Refused e) {
            error(exchange, e.status(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error(exchange, 503, "the inspector is shutting down");
        }
    }

    /** Reads the replay's edits: an empty body or {@code {}} for none. */
    private static Replay.Edits edits(HttpExchange exchange) throws IOException, Replay.Refused {
        byte[] bytes = exchange.getRequestBody().readNBytes(MAX_API_REQUEST_BYTES + 1);
        if (bytes.length > MAX_API_REQUEST_BYTES) {
            throw new Replay.Refused(413, "a replay request may have at most " + MAX_API_REQUEST_BYTES + " bytes");
        }
        if (bytes.length == 0) return Replay.Edits.NONE;
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new Replay.Refused(415, "send the edits as application/json");
        }
        Object parsed;
        try {
            parsed = Json.parse(bytes, MAX_API_REQUEST_BYTES);
        } catch (JsonException e) {
            throw new Replay.Refused(400, "malformed JSON: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> json)) throw new Replay.Refused(400, "the edits must be a JSON object");
        String method = string(json, "method");
        String target = string(json, "path");
        List<Header> headers = null;
        Object h = json.get("headers");
        if (h != null) {
            headers = new ArrayList<>();
            if (!(h instanceof List<?> list)) throw new Replay.Refused(400, "headers must be a list of [name, value]");
            for (Object item : list) {
                if (!(item instanceof List<?> pair) || pair.size() != 2 || !(pair.get(0) instanceof String name)
                        || !(pair.get(1) instanceof String value)) {
                    throw new Replay.Refused(400, "each header must be [name, value], both strings: " + item);
                }
                headers.add(new Header(name, value));
            }
        }
        byte[] body = null;
        String text = string(json, "body");
        String base64 = string(json, "bodyBase64");
        if (text != null && base64 != null) throw new Replay.Refused(400, "give body or bodyBase64, not both");
        if (text != null) body = text.getBytes(StandardCharsets.UTF_8);
        if (base64 != null) {
            try {
                body = Base64.getDecoder().decode(base64);
            } catch (IllegalArgumentException e) {
                throw new Replay.Refused(400, "bodyBase64 is not base64: " + e.getMessage());
            }
        }
        return new Replay.Edits(method, target, headers, body);
    }

    private static String string(Map<?, ?> json, String key) throws Replay.Refused {
        Object v = json.get(key);
        if (v == null) return null;
        if (!(v instanceof String s)) throw new Replay.Refused(400, key + " must be a string");
        return s;
    }

    /** Server-sent events: {@code event: exchange} with a summary for every new or changed exchange, {@code
     *  event: cleared} when the ring is cleared; a comment line when idle. */
    private void events(HttpExchange exchange) throws IOException {
        Subscriber subscriber = new Subscriber(store.settings().maxPendingEvents());
        subscribers.add(subscriber);
        try {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write("retry: 1000\n: connected\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            long heartbeat = store.settings().eventsHeartbeat().toNanos();
            while (true) {
                String event = subscriber.queue.poll(heartbeat, TimeUnit.NANOSECONDS);
                if (subscriber.ended) return; // closing, or fell too far behind: the page reconnects and reloads
                out.write((event == null ? ": idle\n\n" : event).getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            subscribers.remove(subscriber);
        }
    }

    private void publish(String type, String data) {
        String event = "event: " + type + "\ndata: " + data + "\n\n";
        for (Subscriber s : subscribers) {
            if (!s.queue.offer(event)) s.end();
        }
    }

    private static void json(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void error(HttpExchange exchange, int status, String message) throws IOException {
        json(exchange, status, Map.of("error", message));
    }

    private static void notAllowed(HttpExchange exchange, String allowed) throws IOException {
        exchange.getResponseHeaders().set("Allow", allowed);
        error(exchange, 405, "method not allowed; use " + allowed);
    }

    /** One open event stream: its bounded queue, and whether it must end. */
    private static final class Subscriber {
        final BlockingQueue<String> queue;
        volatile boolean ended;

        Subscriber(int capacity) {
            queue = new LinkedBlockingQueue<>(capacity);
        }

        void end() {
            ended = true;
            queue.offer(END); // wakes the stream's thread; if the queue is full, it wakes for the next event anyway
        }
    }
}
