package io.lrok.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Captures printed lines and lets a test wait, with a bound, for one matching a pattern. */
final class PipedLines {
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();

    PrintStream printStream() {
        return new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                if (b == '\n') {
                    lines.add(partial.toString());
                    partial.setLength(0);
                } else {
                    partial.append((char) b);
                }
            }
        }, true, StandardCharsets.UTF_8);
    }

    Matcher awaitLine(Pattern pattern, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) throw new AssertionError("no line matching " + pattern + " within " + bound);
            Matcher m = pattern.matcher(line);
            if (m.find()) return m;
        }
    }
}
