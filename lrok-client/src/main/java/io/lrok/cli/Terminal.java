package io.lrok.cli;

import java.io.Console;
import java.lang.reflect.Method;

/** Whether standard output is a terminal, for the live status screen; plain lines otherwise. */
final class Terminal {
    private Terminal() {
    }

    /**
     * @return whether the process runs at a terminal: {@link System#console()} is there and, on a JDK that can tell
     *         (22 and later, where a console exists even with redirected output), it is a terminal
     */
    static boolean isTerminal() {
        Console console = System.console();
        if (console == null) return false;
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true; // JDK 21: a console exists only at a terminal
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /** @return the terminal's width from {@code COLUMNS} when the shell exports it, else {@code fallback} */
    static int width(int fallback) {
        String columns = System.getenv("COLUMNS");
        if (columns != null) {
            try {
                int n = Integer.parseInt(columns.strip());
                if (n >= 20 && n <= 1_000) return n;
            } catch (NumberFormatException ignored) {
                // use the fallback
            }
        }
        return fallback;
    }
}
