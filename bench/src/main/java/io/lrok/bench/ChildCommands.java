package io.lrok.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * The command loop of the harness's child JVMs (CompareApp, LrokRelayChild, LrokAgentChild): one command a line on
 * standard input, one answer a line on standard output. {@code heap} answers {@code HEAP <used after GC> <committed>};
 * other commands go to the child's handler. End of input ends the process.
 */
final class ChildCommands {
    private ChildCommands() {
    }

    /** Announces readiness with {@code ready}, then serves commands until standard input ends; then exits. */
    static void serve(String ready, Function<String[], String> handler) throws Exception {
        System.out.println(ready);
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] cmd = line.trim().split("\\s+");
            String answer;
            try {
                if (cmd[0].equals("heap")) {
                    long used = IdleStreams.heapUsedAfterGc();
                    answer = "HEAP " + used + " " + Runtime.getRuntime().totalMemory();
                } else {
                    answer = handler.apply(cmd);
                }
            } catch (Exception e) {
                answer = "ERROR " + e;
            }
            System.out.println(answer == null ? "ERROR unknown command " + cmd[0] : answer);
            System.out.flush();
        }
        System.exit(0);
    }
}
