package io.lrok.examples.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A small app that receives payment webhooks: {@code POST /webhooks/payments} with a JSON body signed as Stripe signs
 * (see {@link WebhookSignature}). A valid one is accepted (204) and kept; an unsigned or badly signed one is refused
 * (400) with the reason. The JDK's HttpServer on 127.0.0.1, a virtual thread per request.
 */
public final class WebhookApp implements AutoCloseable {
    /** The largest body accepted: webhook events are small; anything bigger is refused unread. */
    public static final int MAX_BODY_BYTES = 256 * 1024;

    private final HttpServer server;
    private final WebhookSignature signature;
    private final Clock clock;
    private final List<String> accepted = new CopyOnWriteArrayList<>();

    private WebhookApp(WebhookSignature signature, Clock clock) throws IOException {
        this.signature = signature;
        this.clock = clock;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/webhooks/payments", this::handle);
        server.start();
    }

    /**
     * Starts the app on a free port of 127.0.0.1.
     *
     * @param signingSecret the secret the sender signs with
     * @return the running app
     */
    public static WebhookApp start(String signingSecret) throws IOException {
        return new WebhookApp(new WebhookSignature(signingSecret, WebhookSignature.DEFAULT_TOLERANCE), Clock.systemUTC());
    }

    /** @return the app's port on 127.0.0.1 */
    public int port() {
        return server.getAddress().getPort();
    }

    /** @return the bodies of the events accepted so far, in order */
    public List<String> acceptedEvents() {
        return List.copyOf(accepted);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("POST")) {
                reply(exchange, 405, "POST only");
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_BODY_BYTES + 1);
            }
            if (body.length > MAX_BODY_BYTES) {
                reply(exchange, 413, "too large");
                return;
            }
            // Verify over the raw bytes, before any parsing: re-serialised JSON would not match the signature.
            Optional<String> problem = signature.verify(exchange.getRequestHeaders().getFirst(WebhookSignature.HEADER),
                    body, clock.instant());
            if (problem.isPresent()) {
                reply(exchange, 400, "bad signature: " + problem.get());
                return;
            }
            accepted.add(new String(body, StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
        }
    }

    private static void reply(HttpExchange exchange, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
