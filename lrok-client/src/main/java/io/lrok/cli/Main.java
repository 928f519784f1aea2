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
              http <port>  give a local port a public URL (lrok http --help for options)
              tcp <port>   give a local TCP port a public tcp://host:port address (lrok tcp --help)
              relay [--domain NAME ...]
                           run a relay of your own, for agents to dial (lrok relay --help)
              login <token> [--relay URI]
                           save a relay's token (and address) in lrok's config file (lrok login --help)
              demo [--check]
                           start a small local app and give it a public URL; with --check, fetch it once and exit
              mux-demo [--streams N] [--megabytes N]
                           run the yamux multiplexer over a loopback connection and report what it did:
                           N concurrent echo streams, one bulk transfer checked by SHA-256, a ping
              version      print the version
              help         print this help

            Every command takes --help.

            With no relay configured, tunnels use a relay inside this process, reachable from this machine only.
            """;

    private Main() {
    }

    /**
     * Runs the command line and exits with its status.
     *
     * @param args the command and its options
     */
    public static void main(String[] args) {
        // One line per log record at a terminal, unless the user configured logging (before any logger exists).
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null
                && System.getProperty("java.util.logging.config.file") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %5$s%6$s%n");
        }
        int status;
        try {
            status = run(args, System.out, System.err);
        } finally {
            COMMAND_DONE.countDown();
        }
        System.exit(status);
    }

    /** @return a command's help, or null for a command that prints its own (relay) or is unknown */
    static String help(String command) {
        return switch (command) {
            case "http" -> TunnelCommand.USAGE;
            case "tcp" -> TcpCommand.USAGE;
            case "login" -> LoginCommand.USAGE;
            case "demo" -> DEMO_USAGE;
            case "mux-demo" -> MuxDemo.USAGE;
            case "version", "--version" -> "Usage: lrok version\n\nPrints lrok's version and the Java it runs on.\n";
            default -> null;
        };
    }

    static final String DEMO_USAGE = """
            Usage: lrok demo [--check]

            Starts a small local web app, gives it a public URL (through the configured relay, else one inside
            this process), fetches that URL once to show it works, and serves until Ctrl-C.

            Options:
              --check              exit after the fetch: 0 if the app answered through its public URL
            """;

    private static int usage(String text, PrintStream out) {
        out.print(text);
        return 0;
    }

    private static boolean parseDemo(String[] args) {
        if (args.length == 0) return false;
        if (args.length == 1 && args[0].equals("--check")) return true;
        throw new IllegalArgumentException("demo: unexpected argument '" + args[0] + "'");
    }

    /** Released when the running command has returned; the Ctrl-C hook waits for it so tunnels close cleanly. */
    private static final java.util.concurrent.CountDownLatch COMMAND_DONE = new java.util.concurrent.CountDownLatch(1);

    /** A latch released by Ctrl-C (the JVM's shutdown begins), after which the command closes its tunnel. */
    private static java.util.concurrent.CountDownLatch stopOnCtrlC() {
        var stop = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                COMMAND_DONE.await(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "lrok-ctrl-c"));
        return stop;
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(USAGE);
            return 2;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            if (rest.length == 1 && (rest[0].equals("--help") || rest[0].equals("-h"))) {
                String help = help(args[0]);
                if (help != null) return usage(help, out);
            }
            return switch (args[0]) {
                case "http" -> TunnelCommand.run(TunnelCommand.Options.parse(rest), out, stopOnCtrlC(),
                        Terminal.isTerminal());
                case "tcp" -> TcpCommand.run(TcpCommand.Options.parse(rest), out, stopOnCtrlC(), Terminal.isTerminal());
                case "relay" -> RelayCommand.run(rest, out);
                case "login" -> LoginCommand.run(LoginCommand.Options.parse(rest),
                        io.lrok.internal.agent.RelayResolver.fromSystem().configFile(), out);
                case "demo" -> TunnelDemo.run(parseDemo(rest), out, stopOnCtrlC());
                case "mux-demo" -> MuxDemo.run(MuxDemo.Options.parse(rest), out);
                case "version", "--version" -> {
                    if (rest.length > 0) throw new IllegalArgumentException("version: unexpected argument '" + rest[0] + "'");
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
