package io.lrok.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.inspect.RecordedRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

/**
 * The dev profile on a random port with no relay configured: the app logs a public URL (from the in-process relay)
 * for the port it actually got, and a real client reaches the app through it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("dev")
@ExtendWith(OutputCaptureExtension.class)
@Timeout(120)
class DevProfileTest {
    private static final Pattern LOGGED = Pattern.compile("lrok: public URL (http://\\S+) -> (http://\\S+)");

    @LocalServerPort
    int serverPort;

    @Autowired
    DevTunnel devTunnel;

    @Test
    void theLoggedPublicUrlReachesTheAppOnItsActualPort(CapturedOutput output) throws Exception {
        // The URL as a developer sees it: in the log, for the port the server actually got.
        Matcher logged = LOGGED.matcher(output.getAll());
        assertThat(logged.find()).as("the log: %s", output.getAll()).isTrue();
        URI publicUrl = URI.create(logged.group(1));
        assertThat(logged.group(2)).isEqualTo("http://127.0.0.1:" + serverPort);
        assertThat(devTunnel.publicUrl()).contains(publicUrl);
        assertThat(devTunnel.tunnel().orElseThrow().localUrl()).isEqualTo(URI.create("http://127.0.0.1:" + serverPort));

        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(publicUrl.resolve("/hello"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).startsWith("hello from spring (via lrok, for 127.0.0.1");
        }
        RecordedRequest seen = devTunnel.tunnel().orElseThrow().takeRequest(Duration.ofSeconds(10));
        assertThat(seen.path()).isEqualTo("/hello");
    }
}
