package io.lrok.cli;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * The {@code lrok} command line. Exit codes: 0 success, 1 the command failed, 2 a usage error.
 */
public final class Main {
    static final String VERSION = Main.class.getPackage().getImplementationVersion() != null
            ? Main.class.getPackage().getImplementationVersion() : "0.1.0-SNAPSHOT";

    private static final String USAGE = """
            lrok: give a local port a public URL, from Java.

            Usage: lrok <command> [options]

            Commands:
              demo [--streams N] [--megabytes N]
                         run the yamux multiplexer over a loopback connection and report what it did:
                         N concurrent echo streams, one bulk transfer checked by SHA-256, a ping
              version    print the version
              help       print this help

            HTTP and TCP tunnels (lrok http 3000) arrive with the relay; see README.md.
            """;

    private Main() {
    }

    /**
     * Runs the command line and exits with its status.
     *
     * @param args the command and its options
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(USAGE);
            return 2;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            return switch (args[0]) {
                case "demo" -> MuxDemo.run(MuxDemo.Options.parse(rest), out);
                case "version", "--version" -> {
                    out.println("lrok " + VERSION + " (Java " + Runtime.version() + ")");
                    yield 0;
                }
                case "help", "--help", "-h" -> {
                    out.print(USAGE);
                    yield 0;
                }
                default -> {
                    err.println("lrok: unknown command '" + args[0] + "'");
                    err.print(USAGE);
                    yield 2;
                }
            };
        } catch (IllegalArgumentException e) {
            err.println("lrok: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("lrok: " + args[0] + " failed: " + e);
            return 1;
        }
    }
}
