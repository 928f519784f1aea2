package io.lrok.e2e;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The local app behind a tunnel: the JDK's HttpServer on 127.0.0.1, port 0, one virtual thread per exchange. It
 * records what it saw of each request (not the body: the handler reads that, as a stream) and the client ports its
 * requests came from, so that a test can count the agent's connections to it.
 */
final class LocalHttpApp implements AutoCloseable {
    /** What the app saw of one request, before its handler ran. */
    record Seen(String method, String uri, Headers headers, int clientPort) {
    }

    /** Connections the kernel queues for the app: enough for a burst of hundreds of concurrent requests. */
    private static final int BACKLOG = 1_024;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private final BlockingQueue<Seen> requests = new LinkedBlockingQueue<>();

    private LocalHttpApp(int port, HttpHandler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), BACKLOG);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            clientPorts.add(exchange.getRemoteAddress().getPort());
            requests.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                    exchange.getRequestHeaders(), exchange.getRemoteAddress().getPort()));
            try (exchange) {
                handler.handle(exchange);
            }
        });
        server.start();
    }

    /** @param handler answers each request; the exchange is closed after it returns */
    static LocalHttpApp start(HttpHandler handler) throws IOException {
        return new LocalHttpApp(0, handler);
    }

    /** As {@link #start}, on a given port: an app that comes back where it was. */
    static LocalHttpApp startOn(int port, HttpHandler handler) throws IOException {
        return new LocalHttpApp(port, handler);
    }

    int port() {
        return server.getAddress().getPort();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** @return the next request the app saw, waiting at most {@link E2e#WAIT} */
    Seen take() throws InterruptedException {
        Seen seen = requests.poll(E2e.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (seen == null) throw new AssertionError("the local app got no request within " + E2e.WAIT);
        return seen;
    }

    /** @return how many requests the app has seen and not yet {@link #take() taken} */
    int pending() {
        return requests.size();
    }

    /** @return how many distinct connections the app has served requests on */
    int connections() {
        return clientPorts.size();
    }

    /** Answers with a status and a UTF-8 text body; for HEAD, the length of that body and no body. */
    static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        if (exchange.getRequestMethod().equals("HEAD") || status == 204 || status == 304) {
            if (status != 204) exchange.getResponseHeaders().set("Content-Length", Integer.toString(bytes.length));
            exchange.sendResponseHeaders(status, -1);
        } else {
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
