package io.lrok.relay;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Everything the lrok classes log while it is open, at every level (System.Logger goes to java.util.logging here),
 * formatted as a log file would have it, stack traces included.
 */
final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger = Logger.getLogger("io.lrok"); // held: java.util.logging keeps loggers weakly
    private final Level previous;
    private final SimpleFormatter formatter = new SimpleFormatter();
    private final List<String> lines = new CopyOnWriteArrayList<>();

    LogCapture() {
        previous = logger.getLevel();
        setLevel(Level.ALL);
        logger.setLevel(Level.ALL);
        logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        lines.add(formatter.format(record));
    }

    /** @return what was logged so far, one entry per record */
    List<String> lines() {
        return List.copyOf(lines);
    }

    /** @return whether a record so far contains {@code text} */
    boolean contains(String text) {
        return lines.stream().anyMatch(line -> line.contains(text));
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(previous);
    }
}
