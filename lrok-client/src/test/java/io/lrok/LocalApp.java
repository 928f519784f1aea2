package io.lrok;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real local app for the forwarding tests: the JDK's HttpServer on 127.0.0.1, port 0. It records every request
 * it gets and the client ports they came from, so a test can count the agent's connections.
 */
final class LocalApp implements AutoCloseable {
    /** What the app saw of one request. */
    record Seen(String method, String uri, com.sun.net.httpserver.Headers headers, byte[] body, int clientPort) {
    }

    /** The exchange attribute holding the request body the app read before calling the handler. */
    static final String BODY = "lrok.test.body";

    private final HttpServer server;
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private final BlockingQueue<Seen> requests = new LinkedBlockingQueue<>();

    private LocalApp(HttpHandler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            clientPorts.add(exchange.getRemoteAddress().getPort());
            requests.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                    exchange.getRequestHeaders(), body, exchange.getRemoteAddress().getPort()));
            exchange.setAttribute(BODY, body);
            handler.handle(exchange);
        });
        server.start();
    }

    /** @param handler answers each request (the request body has been read already) */
    static LocalApp start(HttpHandler handler) throws IOException {
        return new LocalApp(handler);
    }

    /** @return an app that answers every request with 200 and {@code <method> <uri> <body length>} */
    static LocalApp echo() throws IOException {
        return start(exchange -> respond(exchange, 200, exchange.getRequestMethod() + " "
                + exchange.getRequestURI() + " " + ((byte[]) exchange.getAttribute(BODY)).length));
    }

    static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(bytes.length));
            exchange.sendResponseHeaders(status, -1);
        } else {
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** @return the next request the app got */
    Seen take() throws InterruptedException {
        Seen seen = requests.poll(FakeRelay.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (seen == null) throw new AssertionError("the local app got no request within " + FakeRelay.WAIT);
        return seen;
    }

    /** @return how many connections the app has served requests on */
    int connections() {
        return clientPorts.size();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
