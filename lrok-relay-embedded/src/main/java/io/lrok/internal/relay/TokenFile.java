package io.lrok.internal.relay;

import io.lrok.relay.AgentGrant;
import io.lrok.relay.TokenVerifier;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A token file ({@link TokenTable}'s format), read at start and read again every check interval: when its
 * content changed (compared by SHA-256 digest, so a rewrite within the file system's timestamp granularity, or one
 * that keeps the size, is seen too), it is parsed and, if it parses, swapped in at once and the relay told
 * ({@code onChange}), which re-checks its live sessions. A file that cannot be read or parsed leaves the previous
 * tokens in force and is logged as an error, once per distinct content. Verifies with whatever table is current.
 *
 * <p>Locking: {@code lock} guards {@code closed} and {@code watcher}, and {@code wake} is how {@link #close()}
 * interrupts the wait between checks. {@code table} is volatile: a hello reads whichever table is current.
 * {@code lastSeen} is touched by the watcher thread only (and by {@link #load} before it starts).
 */
public final class TokenFile implements TokenVerifier {
    private static final System.Logger LOG = System.getLogger(TokenFile.class.getName());

    private final Path path;
    private volatile TokenTable table;
    private final String firstToken;
    private byte[] lastSeen;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean closed;
    private Thread watcher;

    private TokenFile(Path path, TokenTable table, String firstToken, byte[] digest) {
        this.path = path;
        this.table = table;
        this.firstToken = firstToken;
        this.lastSeen = digest;
    }

    /**
     * Reads and parses the file; nothing is watched until {@link #watch}.
     *
     * @param path the token file
     * @return the loaded file
     * @throws IllegalArgumentException if it cannot be read or parsed; the message names the file and the line
     */
    public static TokenFile load(Path path) {
        Objects.requireNonNull(path, "path");
        byte[] content;
        try {
            content = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the token file " + path + ": " + e, e);
        }
        TokenTable.Parsed parsed;
        try {
            parsed = parse(content);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the token file " + path + ": " + e.getMessage());
        }
        return new TokenFile(path, parsed.table(), parsed.firstToken(), sha256(content));
    }

    /**
     * Returns the first token of the file as read at start.
     *
     * @return the first token
     */
    public String firstToken() {
        return firstToken;
    }

    /** @return the tokens in force now */
    TokenTable table() {
        return table;
    }

    @Override
    public Optional<AgentGrant> verify(String token) {
        return table.verify(token);
    }

    @Override
    public Optional<String> reservedBy(String subdomain) {
        return table.reservedBy(subdomain);
    }

    /**
     * Starts checking the file on a virtual thread, every {@code checkInterval}, until {@link #close()}.
     *
     * @param checkInterval how often to read the file again, positive
     * @param onChange      run after new tokens are in force
     */
    public void watch(Duration checkInterval, Runnable onChange) {
        lock.lock();
        try {
            if (closed || watcher != null) return;
            watcher = Thread.ofVirtual().name("lrok-relay-token-file").start(() -> run(checkInterval, onChange));
        } finally {
            lock.unlock();
        }
    }

    /** Stops checking. Idempotent. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run(Duration checkInterval, Runnable onChange) {
        while (awaitNextCheck(checkInterval)) {
            try {
                if (check()) onChange.run();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, () -> "checking the token file " + path + " failed", e);
            }
        }
    }

    /** @return false once closed; otherwise after one check interval */
    private boolean awaitNextCheck(Duration checkInterval) {
        lock.lock();
        try {
            long left = checkInterval.toNanos();
            while (!closed && left > 0) left = wake.awaitNanos(left);
            return !closed;
        } catch (InterruptedException e) {
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads the file once, and swaps in its tokens if it changed and parses.
     *
     * @return whether new tokens are in force
     */
    boolean check() {
        byte[] content;
        try {
            content = Files.readAllBytes(path);
        } catch (IOException e) {
            if (lastSeen != null) {
                lastSeen = null; // log once until the file is back
                LOG.log(Level.ERROR, () -> "cannot read the token file " + path + " (" + e
                        + "); the tokens read before stay in force");
            }
            return false;
        }
        byte[] digest = sha256(content);
        if (lastSeen != null && MessageDigest.isEqual(digest, lastSeen)) return false;
        lastSeen = digest;
        TokenTable.Parsed parsed;
        try {
            parsed = parse(content);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, () -> "the token file " + path + " was not reloaded: " + e.getMessage()
                    + "; the tokens read before stay in force until it is fixed");
            return false;
        }
        table = parsed.table();
        LOG.log(Level.INFO, () -> "the token file " + path + " was reloaded: " + parsed.table().size()
                + " tokens, accounts " + String.join(", ", parsed.table().accounts()));
        return true;
    }

    private static TokenTable.Parsed parse(byte[] content) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(content))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("it is not UTF-8 text");
        }
        return TokenTable.parse(List.of(text.split("\r?\n", -1)));
    }

    private static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "token file " + path;
    }
}
