package io.lrok.e2e;

import io.lrok.internal.json.Json;
import io.lrok.testing.Await;
import io.lrok.testing.ExternalPrograms;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiny W3C WebDriver client for headless Chromium through chromedriver, over java.net.http: just what the
 * inspector's browser test needs (navigate, find, click, read text, run a script, screenshot). No Selenium.
 */
final class WebDriver implements AutoCloseable {
    /** How to get the browser and its driver, for the skip or failure message. */
    static final String INSTALL = "apt-get install chromium chromium-driver";
    /** The W3C name of an element reference in JSON. */
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
    private static final Pattern STARTED = Pattern.compile("started successfully on port (\\d+)");
    /** The bound on one WebDriver command (starting the browser included): generous, for a loaded machine. */
    private static final Duration COMMAND = Duration.ofSeconds(60);

    private final Process driver;
    private final HttpClient http = HttpClient.newHttpClient();
    private final URI base;
    private final String session;

    private WebDriver(Process driver, URI base, String session) {
        this.driver = driver;
        this.base = base;
        this.session = session;
    }

    /**
     * Finds Chromium and chromedriver on the PATH (skipping the test locally, failing it in CI, without them),
     * starts the driver on a free port and a headless browser session.
     *
     * @param log where chromedriver's output goes
     */
    static WebDriver start(Path log) throws Exception {
        Optional<Path> chromium = ExternalPrograms.findOnPath("chromium")
                .or(() -> ExternalPrograms.findOnPath("chromium-browser"));
        Optional<Path> chromedriver = ExternalPrograms.findOnPath("chromedriver");
        ExternalPrograms.require("Chromium and chromedriver", chromium.isPresent() && chromedriver.isPresent(), INSTALL);
        Process process = new ProcessBuilder(chromedriver.get().toString(), "--port=0")
                .redirectErrorStream(true).start();
        try {
            int port = awaitPort(process, log);
            URI base = URI.create("http://127.0.0.1:" + port + "/");
            Map<String, Object> options = new LinkedHashMap<>();
            options.put("binary", chromium.get().toString());
            options.put("args", List.of("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--window-size=1400,860", "--hide-scrollbars", "--no-first-run", "--lang=en-US"));
            Map<String, Object> caps = Map.of("capabilities", Map.of("alwaysMatch",
                    Map.of("browserName", "chrome", "goog:chromeOptions", options)));
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("session")).timeout(COMMAND)
                    .POST(HttpRequest.BodyPublishers.ofString(Json.write(caps))).build(),
                    HttpResponse.BodyHandlers.ofString());
            Map<?, ?> value = (Map<?, ?>) value(r);
            return new WebDriver(process, base, (String) value.get("sessionId"));
        } catch (Exception | AssertionError e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** Copies chromedriver's output to the log, and returns the port it says it listens on. */
    private static int awaitPort(Process process, Path log) throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Files.createDirectories(log.getParent());
        Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8)); var out = Files.newBufferedWriter(log)) {
                String line;
                while ((line = in.readLine()) != null) {
                    out.write(line);
                    out.newLine();
                    out.flush();
                    Matcher m = STARTED.matcher(line);
                    if (m.find()) port.complete(Integer.parseInt(m.group(1)));
                }
                port.completeExceptionally(new AssertionError("chromedriver ended without listening; see " + log));
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
        });
        return port.get(COMMAND.toSeconds(), TimeUnit.SECONDS);
    }

    private static Object value(HttpResponse<String> r) throws Exception {
        Map<?, ?> body = (Map<?, ?>) Json.parse(r.body(), 64 << 20);
        Object value = body.get("value");
        if (r.statusCode() != 200) {
            Map<?, ?> error = value instanceof Map<?, ?> m ? m : Map.of();
            throw new WebDriverError(String.valueOf(error.get("error")), String.valueOf(error.get("message")));
        }
        return value;
    }

    /** A WebDriver error response, such as {@code no such element}. */
    static final class WebDriverError extends Exception {
        private static final long serialVersionUID = 1L;
        final String code;

        WebDriverError(String code, String message) {
            super(code + ": " + message);
            this.code = code;
        }
    }

    private Object command(String method, String path, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("session/" + session + path)).timeout(COMMAND);
        b = switch (method) {
            case "GET" -> b.GET();
            case "DELETE" -> b.DELETE();
            default -> b.POST(HttpRequest.BodyPublishers.ofString(Json.write(body)));
        };
        return value(http.send(b.build(), HttpResponse.BodyHandlers.ofString()));
    }

    void navigate(URI url) throws Exception {
        command("POST", "/url", Map.of("url", url.toString()));
    }

    /** @return the elements matching a CSS selector now, as WebDriver element ids */
    List<String> findAll(String css) throws Exception {
        List<String> ids = new ArrayList<>();
        for (Object o : (List<?>) command("POST", "/elements", Map.of("using", "css selector", "value", css))) {
            ids.add((String) ((Map<?, ?>) o).get(ELEMENT));
        }
        return ids;
    }

    /** Waits until an element matches, and returns the first. */
    String await(String what, String css) {
        String[] found = new String[1];
        Await.until(what + " (" + css + ")", E2e.WAIT, () -> {
            try {
                List<String> all = findAll(css);
                if (all.isEmpty()) return false;
                found[0] = all.getFirst();
                return true;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        return found[0];
    }

    /** Waits until a script returns true. */
    void awaitTrue(String what, String script) {
        Await.until(what, E2e.WAIT, () -> {
            try {
                return Boolean.TRUE.equals(execute(script));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    void click(String element) throws Exception {
        command("POST", "/element/" + element + "/click", Map.of());
    }

    String text(String element) throws Exception {
        return (String) command("GET", "/element/" + element + "/text", null);
    }

    /** Runs a script in the page (its body: use {@code return}, and {@code arguments}); returns its JSON value. */
    Object execute(String script, Object... args) throws Exception {
        return command("POST", "/execute/sync", Map.of("script", script, "args", List.of(args)));
    }

    /** @return the text content of the first element matching a CSS selector now, or null if none does */
    String textOf(String css) throws Exception {
        return (String) execute("const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", css);
    }

    /** Finds the element matching a CSS selector at this moment and clicks it (no reference kept that could go
     *  stale when the page re-renders it). */
    void clickNow(String css) throws Exception {
        click(await("an element to click", css));
    }

    /** Emulates the light or dark color scheme through the DevTools protocol, as a user's setting would. */
    void colorScheme(String scheme) throws Exception {
        command("POST", "/goog/cdp/execute", Map.of("cmd", "Emulation.setEmulatedMedia", "params",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme)))));
    }

    /** Saves a PNG of the viewport. */
    void screenshot(Path file) throws Exception {
        byte[] png = Base64.getDecoder().decode((String) command("GET", "/screenshot", null));
        Files.createDirectories(file.getParent());
        Files.write(file, png);
    }

    @Override
    public void close() {
        try {
            command("DELETE", "", null);
        } catch (Exception e) {
            // the browser is going anyway: the driver is killed next
        }
        driver.destroy();
        try {
            if (!driver.waitFor(10, TimeUnit.SECONDS)) driver.destroyForcibly();
        } catch (InterruptedException e) {
            driver.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        http.close();
    }
}
