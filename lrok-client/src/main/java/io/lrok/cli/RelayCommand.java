package io.lrok.cli;

import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * {@code lrok relay [options]}: runs the standalone relay, {@code io.lrok.relay.RelayMain} of lrok-relay-embedded,
 * found by name, so that the command line does not depend on the relay module: the {@code ./lrok} script puts its jar
 * on the class path. The relay runs until the process is stopped (Ctrl-C), and handles its own options and help.
 */
final class RelayCommand {
    /** The relay's entry point in lrok-relay-embedded. */
    static final String RELAY_MAIN = "io.lrok.relay.RelayMain";

    static final String USAGE = """
            Usage: lrok relay [options]

            Runs a relay: agents (lrok http, Tunnel.open) dial it, and it gives their tunnels public URLs.
            On a server: lrok relay --domain tunnels.example.com --bind 0.0.0.0, with a wildcard DNS record
            *.tunnels.example.com pointing at it; docs/relay.md explains TLS, tokens and ports.

            """;

    private RelayCommand() {
    }

    /** Runs the relay's main until the process is stopped; with {@code --help}, prints both usages. */
    static int run(String[] args, PrintStream out) throws Exception {
        Method main;
        try {
            main = Class.forName(RELAY_MAIN).getMethod("main", String[].class);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("lrok relay needs lrok-relay-embedded on the class path (./lrok puts it "
                    + "there; with java -cp, add lrok-relay-embedded-<version>.jar)", e);
        }
        boolean help = java.util.Arrays.asList(args).contains("--help") || java.util.Arrays.asList(args).contains("-h");
        if (help) {
            out.print(USAGE);
            out.flush();
        }
        try {
            main.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception cause) throw cause;
            throw e;
        }
        return 0;
    }
}
