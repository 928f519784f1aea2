package io.lrok.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.internal.wire.ControlCodec;
import io.lrok.internal.wire.ControlMessage;
import io.lrok.internal.wire.ControlMessage.ErrorMessage;
import io.lrok.internal.wire.ControlMessage.Hello;
import io.lrok.internal.wire.ControlMessage.Welcome;
import io.lrok.internal.wire.ErrorCode;
import io.lrok.internal.wire.Proto;
import io.lrok.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token file (docs/relay.md, "Tokens"): reloaded on change without a restart, new tokens in force at once,
 * revoked ones' sessions ended with {@code unauthorized}, a broken file keeping the tokens before it, and tokens
 * never in the log.
 */
@Timeout(60)
class TokenFileTest {
    /** Short, so that the tests do not wait for a change to be seen; they await it, never sleep. */
    private static final Duration CHECK = Duration.ofMillis(20);
    private static final String ALICE = "alice-Vd3kq0dK9yQn3xw1";
    private static final String BOB = "bob-r2GZ0A5f2c9a01b3d4";

    @TempDir
    Path dir;

    private EmbeddedRelay start(Path file) throws IOException {
        return EmbeddedRelay.builder().tokenFile(file).tokenFileCheckInterval(CHECK).start();
    }

    /** Replaces the file's content the way an operator should: a new file moved into place. */
    private void write(Path file, String content) throws IOException {
        Path next = Files.writeString(dir.resolve(file.getFileName() + ".new"), content);
        Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** @return whether an agent with this token is welcomed now */
    private static boolean welcomed(EmbeddedRelay relay, String token) {
        try (FakeAgent agent = FakeAgent.connect(relay, Hello.create(token, "fake"))) {
            return agent.reply instanceof Welcome;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anAddedTokenIsAcceptedWithoutARestart() throws Exception {
        Path file = Files.writeString(dir.resolve("tokens"), ALICE + "\n");
        try (EmbeddedRelay relay = start(file)) {
            assertThat(relay.authToken()).contains(ALICE);
            try (FakeAgent bob = FakeAgent.connect(relay, Hello.create(BOB, "fake"))) {
                assertThat(bob.reply).isEqualTo(new ErrorMessage(ErrorCode.UNAUTHORIZED, "unknown token", null));
            }
            write(file, ALICE + "\n" + BOB + " account=bob reserve=bob-app\n");
            Await.until("bob's token is accepted", () -> welcomed(relay, BOB));
            assertThat(welcomed(relay, ALICE)).isTrue();
        }
    }

    @Test
    void aRevokedTokensSessionIsEndedWithUnauthorized() throws Exception {
        Path file = Files.writeString(dir.resolve("tokens"), ALICE + " account=alice\n" + BOB + " account=bob\n");
        try (EmbeddedRelay relay = start(file);
                FakeAgent alice = FakeAgent.connect(relay, Hello.create(ALICE, "fake"));
                FakeAgent bob = FakeAgent.connect(relay, Hello.create(BOB, "fake"))) {
            alice.bindHttp(null);
            bob.bindHttp(null);
            alice.control.setReadTimeout(Duration.ofSeconds(30));

            write(file, BOB + " account=bob\n");

            ControlMessage notice = ControlCodec.read(alice.control.getInputStream());
            assertThat(notice).isEqualTo(new ErrorMessage(ErrorCode.UNAUTHORIZED, "the token was revoked", null));
            alice.mux.whenClosed().get(30, TimeUnit.SECONDS);
            Await.until("alice's session and tunnel are gone", () -> relay.server().sessionCount() == 1
                    && relay.server().tunnelCount() == 1);
            assertThat(bob.bindHttp(null)).as("bob's session goes on").isNotNull();
            assertThat(welcomed(relay, ALICE)).isFalse();
        }
    }

    @Test
    void aReloadChangesReservedNamesAndLimits() throws Exception {
        Path file = Files.writeString(dir.resolve("tokens"), ALICE + " account=alice tunnels=1\n" + BOB
                + " account=bob\n");
        try (EmbeddedRelay relay = start(file);
                FakeAgent alice = FakeAgent.connect(relay, Hello.create(ALICE, "fake"));
                FakeAgent bob = FakeAgent.connect(relay, Hello.create(BOB, "fake"))) {
            alice.bindHttp(null);
            assertThat(((ErrorMessage) alice.bind(Proto.HTTP, null, null)).code()).isEqualTo(ErrorCode.LIMIT_REACHED);

            write(file, ALICE + " account=alice tunnels=5 reserve=shop\n" + BOB + " account=bob\n");
            Await.until("shop is reserved for alice", () -> relay.server().config().verifier().reservedBy("shop")
                    .isPresent());
            assertThat(((ErrorMessage) bob.bind(Proto.HTTP, "shop", null)).code())
                    .isEqualTo(ErrorCode.SUBDOMAIN_RESERVED);
            Await.until("alice's session has her new limit", () -> {
                try {
                    return alice.bind(Proto.HTTP, null, null) instanceof ControlMessage.Bound;
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            assertThat(alice.bindHttp("shop")).isNotNull();
        }
    }

    @Test
    void aBrokenFileKeepsThePreviousTokensAndIsLoggedAsAnError() throws Exception {
        Path file = Files.writeString(dir.resolve("tokens"), ALICE + "\n");
        try (LogCapture log = new LogCapture(); EmbeddedRelay relay = start(file)) {
            write(file, BOB + "\n" + ALICE + " sessions=many\n");
            Await.until("the broken file is reported", () -> log.contains("was not reloaded: line 2: sessions="));
            assertThat(log.lines()).filteredOn(line -> line.contains("was not reloaded"))
                    .allMatch(line -> line.contains("SEVERE") || line.contains("ERROR"));
            assertThat(welcomed(relay, ALICE)).as("the tokens before stay").isTrue();
            assertThat(welcomed(relay, BOB)).as("nothing of the broken file is in force").isFalse();

            Files.delete(file);
            Await.until("the missing file is reported", () -> log.contains("cannot read the token file"));
            assertThat(welcomed(relay, ALICE)).isTrue();

            write(file, BOB + "\n");
            Await.until("the fixed file is in force", () -> welcomed(relay, BOB));
            assertThat(welcomed(relay, ALICE)).isFalse();
        }
    }

    @Test
    void aTokenNeverAppearsInTheLog() throws Exception {
        String spaced = "carol-first-half carol-second-half"; // a token with a space: not a valid line any more
        Path file = Files.writeString(dir.resolve("tokens"), ALICE + " account=alice\n" + BOB + "\n");
        List<String> secrets = List.of(ALICE, BOB, "carol-first-half", "carol-second-half", "wrong-Vd3kq0dK9yQn");
        try (LogCapture log = new LogCapture()) {
            try (EmbeddedRelay relay = start(file)) {
                try (FakeAgent alice = FakeAgent.connect(relay, Hello.create(ALICE, "fake"));
                        FakeAgent bob = FakeAgent.connect(relay, Hello.create(BOB, "fake"));
                        FakeAgent wrong = FakeAgent.connect(relay, Hello.create("wrong-Vd3kq0dK9yQn", "fake"))) {
                    alice.bindHttp(null);
                    bob.bindHttp(null);
                    assertThat(((ErrorMessage) wrong.reply).code()).isEqualTo(ErrorCode.UNAUTHORIZED);

                    write(file, ALICE + " account=alice\n" + spaced + "\n");
                    Await.until("the broken file is reported", () -> log.contains("was not reloaded"));
                    write(file, ALICE + " account=alice\n");
                    bob.control.setReadTimeout(Duration.ofSeconds(30));
                    assertThat(((ErrorMessage) ControlCodec.read(bob.control.getInputStream())).code())
                            .isEqualTo(ErrorCode.UNAUTHORIZED);
                    Await.until("only alice's session is left", () -> relay.server().sessionCount() == 1);
                }
            }
            assertThat(log.lines()).as("the relay logged what happened").isNotEmpty();
            assertThat(log.contains("account alice")).isTrue();
            for (String line : log.lines()) {
                for (String secret : secrets) assertThat(line).doesNotContain(secret);
            }
        }
    }

    @Test
    void aBadFileIsRefusedAtStart() throws Exception {
        Path file = Files.writeString(dir.resolve("tokens"), ALICE + " tunnels=0\n");
        assertThatThrownBy(() -> EmbeddedRelay.builder().tokenFile(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the token file " + file + ": line 1: tunnels= takes a whole number, 1 or more");
        assertThatThrownBy(() -> EmbeddedRelay.builder().tokenFileCheckInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
