package io.lrok.cli;

import io.lrok.internal.agent.RelayResolver;
import io.lrok.spi.RelayEndpoint;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;
import java.util.Set;

/**
 * {@code lrok login <token> [--relay URI] [--relay-ca FILE]}: writes the token (and the relay it is for) to the
 * config file that {@link RelayResolver} reads, {@code $XDG_CONFIG_HOME/lrok/config.properties} or
 * {@code ~/.config/lrok/config.properties}, readable by the owner only (600; its folder 700 when created). Other keys
 * in the file stay. The file is written whole to a temporary file beside it and moved into place.
 */
final class LoginCommand {
    static final String USAGE = """
            Usage: lrok login <token> [options]

            Saves the token for the relay in lrok's config file, where lrok http, lrok tcp, Tunnel.open(...)
            and @WithPublicUrl find it when nothing else names a relay. The file is readable by you only.

            Options:
              --relay URI          the relay the token is for (lrok://host[:port]); needed once, as a token is
                                   sent only to the relay named in the same file
              --relay-ca FILE      trust the relay's certificate if issued by a CA in this PEM file
              --help               print this

            Config file: $XDG_CONFIG_HOME/lrok/config.properties, else ~/.config/lrok/config.properties,
            keys relay=, authtoken=, relay_ca=.
            """;

    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

    record Options(String token, URI relay, Path relayCa) {
        static Options parse(String[] args) {
            String token = null;
            URI relay = null;
            Path relayCa = null;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--relay" -> relay = URI.create(value(args, ++i, arg));
                    case "--relay-ca" -> relayCa = Path.of(value(args, ++i, arg)).toAbsolutePath();
                    default -> {
                        if (arg.startsWith("-") || token != null) {
                            throw new IllegalArgumentException("login: unexpected argument '" + arg + "'\n" + USAGE);
                        }
                        token = arg;
                    }
                }
            }
            if (token == null || token.isBlank()) throw new IllegalArgumentException("login: which token?\n" + USAGE);
            if (relay != null) RelayEndpoint.of(relay, null); // checks the address now, not at the first tunnel
            return new Options(token.strip(), relay, relayCa);
        }
    }

    private LoginCommand() {
    }

    /**
     * Writes the config file.
     *
     * @param file where, from {@link RelayResolver#configFile()}; null if no home directory is known
     */
    static int run(Options options, Path file, PrintStream out) throws IOException {
        if (file == null) throw new IOException("no home directory and no XDG_CONFIG_HOME: nowhere to keep the config");
        Properties config = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                config.load(in);
            }
        }
        config.setProperty(RelayResolver.TOKEN_KEY, options.token());
        if (options.relay() != null) config.setProperty(RelayResolver.RELAY_KEY, options.relay().toString());
        if (options.relayCa() != null) config.setProperty(RelayResolver.CA_KEY, options.relayCa().toString());
        write(file, config);
        out.println("lrok: token saved to " + file);
        if (config.getProperty(RelayResolver.RELAY_KEY) == null) {
            out.println("lrok: the file names no relay yet, and a token is sent only to the relay named beside it: "
                    + "run lrok login <token> --relay lrok://relay.example.com");
            return 0;
        }
        out.println("lrok: relay " + config.getProperty(RelayResolver.RELAY_KEY));
        return 0;
    }

    private static void write(Path file, Properties config) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (!Files.isDirectory(dir)) {
            if (posix) Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
            else Files.createDirectories(dir);
        }
        FileAttribute<?>[] attributes = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE)}
                : new FileAttribute<?>[0];
        // The token is never in a file others can read, not even for a moment: the temporary file is created 600.
        Path temp = Files.createTempFile(dir, ".config", ".tmp", attributes);
        try {
            try (Writer w = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                config.store(w, "lrok: written by lrok login");
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        } finally {
            Files.deleteIfExists(temp);
        }
        if (posix) Files.setPosixFilePermissions(file, OWNER_ONLY_FILE);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException("login: " + option + " needs a value");
        return args[i];
    }
}
