package io.lrok.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A running {@code yamuxpeer}: one hashicorp/yamux (Go) session over one TCP connection, for
 * interop tests of the Java multiplexer. The protocol (stream services, commands, events) is
 * documented at the top of {@code io/lrok/testing/go/yamuxpeer/main.go}; in short:
 *
 * <ul>
 *   <li>Streams opened by either side start with a line {@code "<service> [args]\n"}; the Go
 *       peer serves {@code echo}, {@code sink N}, {@code source N}, {@code digest}, {@code hold},
 *       {@code expect-reset}, and the Java side is expected to serve the same for the commands.
 *   <li>{@link #call} sends a command ({@code "send 1048576"}, {@code "echo-many 50 10000"},
 *       {@code "ping"}, {@code "pause-accept"}, ...) and returns the text after {@code OK <id>},
 *       e.g. {@code "sha=… ms=12"}; see {@link #keyValues(String)}.
 *   <li>{@link #awaitEvent} returns {@code EVENT} lines the peer printed on its own
 *       ({@code EVENT reset 3}, {@code EVENT session-closed}, ...).
 * </ul>
 *
 * <p>Usage, Go as the yamux server and Java as the client:
 *
 * <pre>{@code
 * try (GoYamuxPeer go = GoYamuxPeer.server();
 *      Socket socket = new Socket(go.address().getAddress(), go.address().getPort())) {
 *   // ... make the Java yamux client session on the socket ...
 *   go.awaitReady(Duration.ofSeconds(10));
 *   String ok = go.call("send 1048576", Duration.ofSeconds(30)); // Go opens, Java serves "sink"
 * }
 * }</pre>
 *
 * <p>Failures (FAIL replies, timeouts, the process dying) are {@link AssertionError}s whose
 * message includes the peer's recent stderr (yamux logs there). Thread-safe.
 */
public final class GoYamuxPeer implements AutoCloseable {

  /** The Go program's name, for {@link GoPrograms#build}. */
  public static final String PROGRAM = "yamuxpeer";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final long CLOSE_WAIT_SECONDS = 5;

  private final String role;
  private final Process process;
  private final OutputStream stdin;
  private final Object stdinLock = new Object();
  private final AtomicLong nextId = new AtomicLong();
  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final CompletableFuture<InetSocketAddress> listening = new CompletableFuture<>();
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final RecentLines stderr = new RecentLines(300, 24 * 1024);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object eventLock = new Object();
  private final List<String> unconsumedEvents = new ArrayList<>(); // guarded by eventLock
  private final List<String> allEvents = new ArrayList<>(); // guarded by eventLock
  private volatile boolean stdoutEnded;
  private Thread stdoutReader;
  private Thread stderrReader;

  private record Pending(String command, CompletableFuture<String> future) {}

  private GoYamuxPeer(String role, Process process) {
    this.role = role;
    this.process = process;
    this.stdin = process.getOutputStream();
  }

  /**
   * Starts a peer with {@code -role server -listen 127.0.0.1:0} and waits until it listens. Connect
   * a socket to {@link #address()}, make the Java yamux client session on it, then
   * {@link #awaitReady}. Extra flags ({@code "-accept-backlog", "4"}, {@code "-window", "1048576"},
   * {@code "-keepalive-ms", "100"}) come after the defaults and override them.
   */
  public static GoYamuxPeer server(String... extraFlags) {
    List<String> args = new ArrayList<>(List.of("-role", "server", "-listen", "127.0.0.1:0"));
    args.addAll(List.of(extraFlags));
    GoYamuxPeer peer = start("server", args);
    try {
      peer.await(peer.listening, START_TIMEOUT, "LISTENING");
    } catch (RuntimeException | Error e) {
      peer.close();
      throw e;
    }
    return peer;
  }

  /**
   * Starts a peer with {@code -role client -connect <target>}: it dials the Java side (which must
   * be listening already) and makes the yamux client session; {@link #awaitReady} then.
   */
  public static GoYamuxPeer client(InetSocketAddress target, String... extraFlags) {
    InetAddress address = target.getAddress();
    String host = address != null ? address.getHostAddress() : target.getHostString();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    List<String> args = new ArrayList<>(List.of("-role", "client", "-connect", host + ":" + target.getPort()));
    args.addAll(List.of(extraFlags));
    return start("client", args);
  }

  private static GoYamuxPeer start(String role, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(GoPrograms.build(PROGRAM).toString());
    command.addAll(args);
    Process process;
    try {
      process = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new AssertionError("could not start " + command, e);
    }
    GoYamuxPeer peer = new GoYamuxPeer(role, process);
    peer.stderrReader = Thread.ofPlatform().daemon()
        .name(PROGRAM + "-" + role + "-" + process.pid() + "-stderr").start(peer::readStderr);
    peer.stdoutReader = Thread.ofPlatform().daemon()
        .name(PROGRAM + "-" + role + "-" + process.pid() + "-stdout").start(peer::readStdout);
    return peer;
  }

  /** The server peer's listening address (127.0.0.1 and an ephemeral port). */
  public InetSocketAddress address() {
    if (!listening.isDone() || listening.isCompletedExceptionally()) {
      throw new IllegalStateException("only a started server peer has an address (this is a " + role + ")");
    }
    return listening.join();
  }

  /** Waits until the peer printed READY, i.e. its yamux session exists. */
  public void awaitReady(Duration timeout) {
    await(ready, timeout, "READY");
  }

  /**
   * Sends a command ({@code "send 1048576"}) and waits for its answer.
   *
   * @return the text after {@code "OK <id>"}, trimmed ({@code ""} if none)
   * @throws AssertionError on FAIL, on timeout, or if the peer dies; with its recent stderr
   */
  public String call(String verbAndArgs, Duration timeout) {
    CompletableFuture<String> answer = callAsync(verbAndArgs);
    try {
      return answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(describe("no answer to '" + verbAndArgs + "' within " + timeout));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw new AssertionError(cause.getMessage(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for '" + verbAndArgs + "'", e);
    }
  }

  /**
   * Sends a command without waiting. The future completes with the text after {@code "OK <id>"},
   * or exceptionally with an {@link AssertionError} on FAIL or when the peer ends.
   */
  public CompletableFuture<String> callAsync(String verbAndArgs) {
    String command = verbAndArgs.strip();
    if (command.isEmpty() || command.contains("\n") || command.contains("\r")) {
      throw new IllegalArgumentException("a command is one non-empty line: " + verbAndArgs);
    }
    long id = nextId.incrementAndGet();
    CompletableFuture<String> future = new CompletableFuture<>();
    pending.put(id, new Pending(command, future));
    future.whenComplete((r, t) -> pending.remove(id));
    if (stdoutEnded || closed.get()) {
      future.completeExceptionally(new AssertionError(describe("cannot send '" + command + "': the peer has ended")));
      return future;
    }
    synchronized (stdinLock) {
      try {
        stdin.write((id + " " + command + "\n").getBytes(UTF_8));
        stdin.flush();
      } catch (IOException e) {
        future.completeExceptionally(new AssertionError(describe("cannot send '" + command + "': " + e), e));
      }
    }
    return future;
  }

  /**
   * Waits for the first {@code EVENT} line starting with {@code "EVENT " + prefix} that no earlier
   * call returned, and returns that whole line (e.g. {@code "EVENT reset 3"}).
   */
  public String awaitEvent(String prefix, Duration timeout) {
    String want = "EVENT " + prefix;
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (eventLock) {
      while (true) {
        for (Iterator<String> it = unconsumedEvents.iterator(); it.hasNext(); ) {
          String event = it.next();
          if (event.startsWith(want)) {
            it.remove();
            return event;
          }
        }
        if (stdoutEnded) {
          throw new AssertionError(describe("the peer ended without printing '" + want + "'"));
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(describe("no '" + want + "' within " + timeout));
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(eventLock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting for '" + want + "'", e);
        }
      }
    }
  }

  /** Every EVENT line printed so far, consumed or not, in order. */
  public List<String> events() {
    synchronized (eventLock) {
      return List.copyOf(allEvents);
    }
  }

  /** The peer's recent stderr (bounded), for messages. */
  public String recentStderr() {
    return stderr.text();
  }

  /** Whether the process is still running. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** The process id. */
  public long pid() {
    return process.pid();
  }

  /**
   * Parses an OK text such as {@code "sha=ab12 ms=3"} into an ordered map. A word without
   * {@code '='} continues the previous value, so {@code "err=remote end is not accepting
   * connections"} keeps its spaces.
   */
  public static Map<String, String> keyValues(String okText) {
    Map<String, String> map = new LinkedHashMap<>();
    String lastKey = null;
    for (String word : okText.strip().split(" +")) {
      if (word.isEmpty()) {
        continue;
      }
      int eq = word.indexOf('=');
      if (eq > 0) {
        lastKey = word.substring(0, eq);
        map.put(lastKey, word.substring(eq + 1));
      } else if (lastKey != null) {
        map.put(lastKey, map.get(lastKey) + " " + word);
      } else {
        map.put(word, "");
      }
    }
    return map;
  }

  /**
   * Closes stdin (the peer closes its session and exits), waits up to 5 s, then kills it.
   * Pending calls fail. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    synchronized (stdinLock) {
      try {
        stdin.close();
      } catch (IOException ignored) {
        // the process is gone already
      }
    }
    try {
      if (!process.waitFor(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
      }
      if (stdoutReader != null) {
        stdoutReader.join(TimeUnit.SECONDS.toMillis(CLOSE_WAIT_SECONDS));
      }
      if (stderrReader != null) {
        stderrReader.join(TimeUnit.SECONDS.toMillis(CLOSE_WAIT_SECONDS));
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return PROGRAM + "[" + role + ", pid " + process.pid() + (process.isAlive() ? "" : ", exited") + "]";
  }

  // ------------------------------------------------------------------ internals

  private <T> T await(CompletableFuture<T> future, Duration timeout, String what) {
    try {
      return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(describe("no " + what + " within " + timeout));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw new AssertionError(cause.getMessage(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + what, e);
    }
  }

  private String describe(String message) {
    String state;
    if (process.isAlive()) {
      state = "running";
    } else {
      state = "exited with " + process.exitValue();
    }
    List<String> events = events();
    return message + "\n--- " + PROGRAM + " " + role + " (pid " + process.pid() + ", " + state + ")"
        + (events.isEmpty() ? "" : "; events: " + lastOf(events, 20))
        + "; recent stderr:\n" + stderr.text() + "--- end of " + PROGRAM + " stderr";
  }

  private static List<String> lastOf(List<String> list, int n) {
    return list.size() <= n ? list : list.subList(list.size() - n, list.size());
  }

  private void readStderr() {
    try (BufferedReader in = process.errorReader(UTF_8)) {
      for (String line; (line = in.readLine()) != null; ) {
        stderr.add(line);
      }
    } catch (IOException ignored) {
      // the process ended
    }
  }

  private void readStdout() {
    try (BufferedReader in = process.inputReader(UTF_8)) {
      for (String line; (line = in.readLine()) != null; ) {
        handle(line);
      }
    } catch (IOException ignored) {
      // the process ended
    } finally {
      ended();
    }
  }

  private void handle(String line) {
    if (line.startsWith("OK ") || line.startsWith("FAIL ")) {
      String[] parts = line.split(" ", 3);
      Long id = null;
      try {
        id = Long.parseLong(parts[1]);
      } catch (NumberFormatException ignored) {
        // reported below
      }
      Pending p = id == null ? null : pending.get(id);
      if (p == null) {
        stderr.add("[unexpected stdout] " + line);
        return;
      }
      String rest = parts.length > 2 ? parts[2].strip() : "";
      if (line.startsWith("OK ")) {
        p.future().complete(rest);
      } else {
        p.future().completeExceptionally(
            new AssertionError(describe(PROGRAM + " " + role + ": '" + p.command() + "' failed: " + rest)));
      }
    } else if (line.startsWith("EVENT ")) {
      synchronized (eventLock) {
        unconsumedEvents.add(line);
        allEvents.add(line);
        eventLock.notifyAll();
      }
    } else if (line.startsWith("LISTENING ")) {
      String hostPort = line.substring("LISTENING ".length()).strip();
      int colon = hostPort.lastIndexOf(':');
      try {
        String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(hostPort.substring(colon + 1));
        listening.complete(new InetSocketAddress(InetAddress.getByName(host), port));
      } catch (RuntimeException | UnknownHostException e) {
        listening.completeExceptionally(new AssertionError(describe("bad LISTENING line: " + line), e));
      }
    } else if (line.equals("READY")) {
      ready.complete(null);
    } else {
      stderr.add("[unexpected stdout] " + line);
    }
  }

  private void ended() {
    try {
      process.waitFor(2, TimeUnit.SECONDS); // for the exit code in messages
      if (stderrReader != null) {
        stderrReader.join(2000); // for its last words
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    stdoutEnded = true;
    synchronized (eventLock) {
      eventLock.notifyAll();
    }
    String why = closed.get() ? "the peer was closed" : "the peer ended unexpectedly";
    listening.completeExceptionally(new AssertionError(describe(why + " before printing LISTENING")));
    ready.completeExceptionally(new AssertionError(describe(why + " before printing READY")));
    for (Pending p : List.copyOf(pending.values())) {
      p.future().completeExceptionally(new AssertionError(describe(why + " before answering '" + p.command() + "'")));
    }
  }

  /** The last lines of a text stream, bounded by line count and characters. */
  private static final class RecentLines {
    private final int maxLines;
    private final int maxChars;
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private int chars;
    private long dropped;

    RecentLines(int maxLines, int maxChars) {
      this.maxLines = maxLines;
      this.maxChars = maxChars;
    }

    synchronized void add(String line) {
      if (line.length() > 2000) {
        line = line.substring(0, 2000) + "...";
      }
      lines.addLast(line);
      chars += line.length() + 1;
      while (lines.size() > maxLines || chars > maxChars) {
        chars -= lines.removeFirst().length() + 1;
        dropped++;
      }
    }

    synchronized String text() {
      StringBuilder sb = new StringBuilder();
      if (dropped > 0) {
        sb.append("[... ").append(dropped).append(" earlier lines dropped]\n");
      }
      for (String line : lines) {
        sb.append(line).append('\n');
      }
      return sb.toString();
    }
  }
}
