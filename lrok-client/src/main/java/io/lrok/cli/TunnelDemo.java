package io.lrok.cli;

import com.sun.net.httpserver.HttpServer;
import io.lrok.Tunnel;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * {@code lrok demo}: the whole product in one command. Starts a small local web app, gives it a public URL
 * through the configured relay (or one inside this process), fetches that URL once to show it works, and keeps
 * serving until Ctrl-C. With {@code --check} it exits after the fetch.
 */
final class TunnelDemo {
    private TunnelDemo() {
    }

    static int run(boolean checkOnly, PrintStream out, CountDownLatch stop) throws Exception {
        HttpServer app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        app.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        app.createContext("/", exchange -> {
            String forwardedFor = exchange.getRequestHeaders().getFirst("X-Forwarded-For");
            byte[] body = ("Hello from the local app behind lrok!\n"
                    + "You asked for " + exchange.getRequestMethod() + " " + exchange.getRequestURI()
                    + " from " + (forwardedFor == null ? "?" : forwardedFor) + ".\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        app.start();
        try (Tunnel tunnel = Tunnel.open(app.getAddress().getPort())) {
            URI url = tunnel.publicUrl();
            out.println("lrok " + Main.VERSION + ": a local app and its public URL");
            out.printf("  local app   %s%n", tunnel.localUrl());
            out.printf("  public URL  %s%n", url);
            String reply = fetch(url.resolve("/hello"));
            out.printf("  fetched     %s/hello -> %s%n", url, reply.lines().findFirst().orElse(""));
            if (checkOnly) return reply.startsWith("Hello from the local app") ? 0 : 1;
            out.printf("  try it      curl %s/anything%n", url);
            out.println("  Ctrl-C to stop");
            out.flush();
            TunnelCommand.awaitStopOrClose(tunnel, stop);
            return 0;
        } finally {
            app.stop(0);
        }
    }

    private static String fetch(URI url) throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.body();
        }
    }
}
