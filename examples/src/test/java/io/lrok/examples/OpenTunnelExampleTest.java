package io.lrok.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs the example's {@code main} in a process of its own, as a user would, and uses the URL it prints. */
@Timeout(60)
class OpenTunnelExampleTest {
    private static final Pattern PRINTED = Pattern.compile("^public URL: (http://\\S+) -> (http://\\S+)$");

    @Test
    void mainPrintsAPublicUrlThatReachesTheLocalPortAndClosesWhenInputEnds() throws Exception {
        HttpServer app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        app.createContext("/", exchange -> {
            byte[] body = "the local app".getBytes(UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        app.start();
        Process main = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), OpenTunnelExample.class.getName(),
                String.valueOf(app.getAddress().getPort()))).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(main.getInputStream(), UTF_8))) {
            String line = out.readLine();
            assertThat(line).as("first line printed").isNotNull();
            Matcher printed = PRINTED.matcher(line);
            assertThat(printed.matches()).as(line).isTrue();
            assertThat(printed.group(2)).isEqualTo("http://127.0.0.1:" + app.getAddress().getPort());
            try (HttpClient client = HttpClient.newHttpClient()) {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(printed.group(1))
                        .resolve("/")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.body()).isEqualTo("the local app");
            }
            main.getOutputStream().close(); // end of input: the example closes its tunnel and exits
            assertThat(out.readLine()).isEqualTo("tunnel closed");
            assertThat(main.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(main.exitValue()).isZero();
        } finally {
            main.destroy();
            app.stop(0);
        }
    }
}
