package io.lrok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every command answers {@code --help} with its usage and exit status 0, without doing anything else. */
class HelpTest {
    @ParameterizedTest
    @CsvSource({"http, Usage: lrok http <port>, --inspector-port", "tcp, Usage: lrok tcp <port>, --remote-port",
            "login, Usage: lrok login <token>, --relay", "demo, Usage: lrok demo, --check",
            "mux-demo, Usage: lrok mux-demo, --streams", "version, Usage: lrok version, version",
            "help, Usage: lrok <command>, relay"})
    void eachCommandHasHelp(String command, String usage, String mentions) {
        for (String flag : new String[] {"--help", "-h"}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = Main.run(new String[] {command, flag}, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(status).as(command + " " + flag).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains(usage).contains(mentions);
            assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        }
    }
}
