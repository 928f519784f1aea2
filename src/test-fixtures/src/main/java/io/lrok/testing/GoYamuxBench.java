package io.lrok.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code yamuxbench}, the hashicorp/yamux (Go) baseline: one process, a yamux client and
 * server over loopback TCP. See the header of {@code io/lrok/testing/go/yamuxbench/main.go} for
 * the measurements ({@code bulk_single_MBps}, {@code bulk_64_MBps}, {@code open_close_per_s},
 * {@code idle_stream_heap_bytes}, {@code idle_streams}) and flags ({@code -bytes},
 * {@code -duration}, {@code -ops}, {@code -window}, {@code -only}).
 */
public final class GoYamuxBench {

  /** The Go program's name, for {@link GoPrograms#build}. */
  public static final String PROGRAM = "yamuxbench";

  private static final Pattern MEMBER =
      Pattern.compile("\\s*\"([^\"\\\\]+)\"\\s*:\\s*(-?[0-9]+(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)\\s*(,|$)");

  private GoYamuxBench() {}

  /**
   * Runs the benchmark with the given flags and returns its JSON object as a map.
   *
   * @throws AssertionError if it fails, does not finish within {@code timeout}, or prints something
   *     that is not a flat JSON object of numbers; with its stderr
   */
  public static Map<String, Double> run(Duration timeout, String... flags) {
    List<String> command = new ArrayList<>();
    command.add(GoPrograms.build(PROGRAM).toString());
    command.addAll(List.of(flags));
    Process p;
    try {
      p = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new AssertionError("could not start " + command, e);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread outReader = drain(p.getInputStream(), out, "stdout");
    Thread errReader = drain(p.getErrorStream(), err, "stderr");
    try {
      p.getOutputStream().close();
      if (!p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        outReader.join(5000);
        errReader.join(5000);
        throw new AssertionError(PROGRAM + " did not finish within " + timeout + "; stderr:\n"
            + err.toString(UTF_8));
      }
      outReader.join(5000);
      errReader.join(5000);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running " + PROGRAM, e);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    String json = out.toString(UTF_8).strip();
    if (p.exitValue() != 0) {
      throw new AssertionError(PROGRAM + " " + command.subList(1, command.size()) + " failed (exit "
          + p.exitValue() + "); stdout: " + json + "\nstderr:\n" + err.toString(UTF_8));
    }
    try {
      return parseFlatJson(json);
    } catch (IllegalArgumentException e) {
      throw new AssertionError(e.getMessage() + "\nstderr:\n" + err.toString(UTF_8), e);
    }
  }

  /** Parses {@code {"a":1,"b":2.5}} (a flat object of numbers only) into an ordered map. */
  public static Map<String, Double> parseFlatJson(String json) {
    String s = json.strip();
    if (!s.startsWith("{") || !s.endsWith("}")) {
      throw new IllegalArgumentException("not a JSON object: " + json);
    }
    String body = s.substring(1, s.length() - 1).strip();
    Map<String, Double> map = new LinkedHashMap<>();
    Matcher m = MEMBER.matcher(body);
    int at = 0;
    while (at < body.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException("not a flat JSON object of numbers at offset " + at + ": " + json);
      }
      map.put(m.group(1), Double.parseDouble(m.group(2)));
      at = m.end();
      if (m.group(3).isEmpty() && at < body.length()) {
        throw new IllegalArgumentException("trailing text in: " + json);
      }
    }
    return map;
  }

  private static Thread drain(InputStream in, ByteArrayOutputStream to, String what) {
    return Thread.ofPlatform().daemon().name(PROGRAM + "-" + what).start(() -> {
      try (in) {
        in.transferTo(to);
      } catch (IOException ignored) {
        // the process ended
      }
    });
  }
}
