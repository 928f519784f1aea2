package io.lrok.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * A process the harness started (the app, a relay, an agent, sshd, ssh): its standard output read line by line into
 * a queue, commands written to its standard input, and its CPU time and RSS read from /proc, with those of the
 * processes it forked (sshd forks one per connection).
 */
final class Child implements AutoCloseable {
    /** How long a child may take to say it is ready, or to answer a command (a GC of a large heap, 10,000 binds). */
    static final Duration ANSWER_LIMIT = Duration.ofMinutes(2);
    /** How long a child gets to exit after its standard input closes, before it is killed. */
    private static final Duration EXIT_GRACE = Duration.ofSeconds(5);

    private final String name;
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    /** Guards writes to the child's standard input. */
    private final ReentrantLock commandLock = new ReentrantLock();

    private Child(String name, Process process) {
        this.name = name;
        this.process = process;
        Thread.ofVirtual().name(name + "-stdout").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) lines.add(line);
            } catch (IOException e) {
                // the process ended; waitFor tells
            }
            lines.add("EOF");
        });
    }

    /** Starts a program; its standard error goes to {@code log}. */
    static Child start(String name, List<String> command, Path log) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
            return new Child(name, pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    /** Starts a main class of this class path in a new JVM (the same java as this one). */
    static Child java(String name, List<String> jvmOptions, Class<?> main, List<String> args, Path log) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(args);
        return start(name, command, log);
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Waits for a line that starts with {@code prefix}, skipping others; fails on EOF or after the limit. */
    String expect(String prefix) {
        long deadline = System.nanoTime() + ANSWER_LIMIT.toNanos();
        try {
            while (true) {
                String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (line == null) throw new IllegalStateException(name + " said no '" + prefix + "' within " + ANSWER_LIMIT);
                if (line.equals("EOF")) {
                    lines.add(line);
                    throw new IllegalStateException(name + " ended before saying '" + prefix + "' (see its log)");
                }
                if (line.startsWith("ERROR")) throw new IllegalStateException(name + ": " + line);
                if (line.startsWith(prefix)) return line;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Sends one command line and waits for the answer that starts with {@code answerPrefix}. */
    String command(String command, String answerPrefix) {
        commandLock.lock();
        try {
            OutputStream in = process.getOutputStream();
            in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            return expect(answerPrefix);
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot send " + command, e);
        } finally {
            commandLock.unlock();
        }
    }

    /** @return the process and its descendants */
    private List<ProcessHandle> tree() {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(process.toHandle());
        try (Stream<ProcessHandle> d = process.toHandle().descendants()) {
            d.forEach(all::add);
        }
        return all;
    }

    /** @return CPU time (user + system) of the process and its living descendants, in nanoseconds */
    long cpuNanos() {
        return tree().stream().mapToLong(h -> Proc.cpuNanos(h.pid())).sum();
    }

    /** @return resident memory of the process and its descendants, in bytes */
    long rssBytes() {
        return tree().stream().mapToLong(h -> Proc.rssBytes(h.pid())).sum();
    }

    /** Kills the process at once (SIGKILL), as a crash would. */
    void kill() throws InterruptedException {
        List<ProcessHandle> tree = tree();
        tree.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(EXIT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Closes standard input (the children exit on it), then kills what is left. */
    @Override
    public void close() {
        List<ProcessHandle> tree = tree();
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(EXIT_GRACE.toMillis(), TimeUnit.MILLISECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        for (ProcessHandle h : tree) if (h.isAlive()) h.destroyForcibly();
    }
}
