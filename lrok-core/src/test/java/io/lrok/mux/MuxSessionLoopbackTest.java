package io.lrok.mux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import io.lrok.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Java client against Java server over loopback TCP: the basic contract of sessions and streams. */
@Timeout(60)
class MuxSessionLoopbackTest {

    @Test
    void streamEchoesAndHalfCloses() throws Exception {
        try (LoopbackPair pair = LoopbackPair.open()) {
            CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
                try (MuxStream s = pair.server().acceptStream()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                    s.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            MuxStream stream = pair.client().openStream();
            assertThat(stream.id()).isOdd();
            stream.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
            stream.shutdownOutput();
            assertThat(new String(stream.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
            echo.get();
            stream.close();
        }
    }

    @Test
    void bulkTransferArrivesIntactBeyondTheWindow() throws Exception {
        byte[] data = new byte[8 * 1024 * 1024 + 13];
        new Random(42).nextBytes(data);
        try (LoopbackPair pair = LoopbackPair.open()) {
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try (MuxStream s = pair.server().acceptStream()) {
                    return s.getInputStream().readAllBytes();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (MuxStream stream = pair.client().openStream()) {
                OutputStream out = stream.getOutputStream();
                out.write(data);
                stream.shutdownOutput();
            }
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            assertThat(sha.digest(received.get())).isEqualTo(sha.digest(data));
        }
    }

    @Test
    void aStalledStreamAndABlockedReaderHoldUpNoOtherStream() throws Exception {
        try (LoopbackPair pair = LoopbackPair.open()) {
            // Stream A: the server fills A's whole window and nobody on the client ever reads it.
            MuxStream stalledClientSide = pair.client().openStream();
            stalledClientSide.getOutputStream().write('A');
            MuxStream stalledServerSide = pair.server().acceptStream();
            AppThread<Void> filler = AppThread.start("fill-A", () -> {
                stalledServerSide.getOutputStream().write(new byte[MuxConfig.INITIAL_STREAM_WINDOW + 1]);
                return null;
            });
            Await.until("A's window is full", Duration.ofSeconds(20),
                    () -> buffered(stalledClientSide) == MuxConfig.INITIAL_STREAM_WINDOW);
            filler.awaitState(Thread.State.WAITING, Duration.ofSeconds(20)); // for a window update that never comes

            // Stream C: a client thread blocks reading a stream that stays silent.
            MuxStream silent = pair.client().openStream();
            silent.getOutputStream().write('C');
            pair.server().acceptStream();
            AppThread<Integer> blockedReader = AppThread.start("read-C", () -> silent.getInputStream().read());
            blockedReader.awaitState(Thread.State.WAITING, Duration.ofSeconds(20));

            // Stream B still carries 8 MiB each way.
            CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
                try (MuxStream s = pair.server().acceptStream()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                    s.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] data = new byte[8 * 1024 * 1024];
            new Random(7).nextBytes(data);
            try (MuxStream b = pair.client().openStream()) {
                CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> {
                    try {
                        return b.getInputStream().readAllBytes();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                b.getOutputStream().write(data);
                b.shutdownOutput();
                assertThat(back.get()).isEqualTo(data);
            }
            echo.get();
            assertThat(buffered(stalledClientSide)).isEqualTo(MuxConfig.INITIAL_STREAM_WINDOW);
            assertThat(filler.isDone()).isFalse();
            assertThat(blockedReader.isDone()).isFalse();
            stalledClientSide.reset();
            silent.reset();
        }
    }

    @Test
    void pingMeasuresARoundTrip() throws Exception {
        try (LoopbackPair pair = LoopbackPair.open()) {
            assertThat(pair.client().ping()).isPositive().isLessThan(Duration.ofSeconds(10));
            assertThat(pair.server().ping()).isPositive();
        }
    }

    @Test
    void resetFailsBothEnds() throws Exception {
        try (LoopbackPair pair = LoopbackPair.open()) {
            MuxStream opened = pair.client().openStream();
            opened.getOutputStream().write(1);
            MuxStream accepted = pair.server().acceptStream();
            assertThat(accepted.getInputStream().read()).isEqualTo(1);
            opened.reset();
            InputStream in = accepted.getInputStream();
            assertThatThrownBy(in::read).isInstanceOf(StreamResetException.class);
            assertThatThrownBy(() -> opened.getOutputStream().write(2)).isInstanceOf(StreamResetException.class);
        }
    }

    @Test
    void onFailureLearnsOfAResetAtOnceWithoutAReaderAndNotOfACleanEnd() throws Exception {
        try (LoopbackPair pair = LoopbackPair.open()) {
            MuxStream opened = pair.client().openStream();
            opened.getOutputStream().write(1);
            MuxStream accepted = pair.server().acceptStream();
            assertThat(accepted.isOpen()).isTrue();
            CompletableFuture<String> failed = new CompletableFuture<>();
            accepted.onFailure(() -> failed.complete(Thread.currentThread().getName()));
            opened.reset();
            assertThat(failed).succeedsWithin(Duration.ofSeconds(10)); // nobody reads the accepted stream
            assertThat(accepted.isOpen()).isFalse();
            CompletableFuture<Void> late = new CompletableFuture<>();
            accepted.onFailure(() -> late.complete(null)); // already failed: runs at once, on this thread
            assertThat(late).isDone();

            MuxStream clean = pair.client().openStream();
            clean.getOutputStream().write(2);
            MuxStream cleanAccepted = pair.server().acceptStream();
            CompletableFuture<Void> notRun = new CompletableFuture<>();
            cleanAccepted.onFailure(() -> notRun.complete(null));
            clean.shutdownOutput();
            assertThat(cleanAccepted.getInputStream().readAllBytes()).containsExactly(2);
            assertThat(cleanAccepted.isOpen()).as("half-closed by the peer").isFalse();
            cleanAccepted.shutdownOutput();
            assertThat(clean.getInputStream().read()).isEqualTo(-1);
            cleanAccepted.onFailure(null); // removed: the session's end below must not run it
            pair.server().close();
            assertThat(notRun).isNotDone();
        }
    }

    @Test
    void onReadableRunsOnceWhenDataOrTheEndArrivesAndAtOnceIfAlreadyReadable() throws Exception {
        try (LoopbackPair pair = LoopbackPair.open()) {
            MuxStream opened = pair.client().openStream();
            opened.getOutputStream().write(1);
            MuxStream accepted = pair.server().acceptStream();
            assertThat(accepted.getInputStream().read()).isEqualTo(1);

            CompletableFuture<Integer> data = new CompletableFuture<>();
            accepted.onReadable(() -> data.complete(available(accepted)));
            assertThat(data).isNotDone(); // nothing to read: waits, without a thread
            opened.getOutputStream().write(new byte[] {2, 3});
            assertThat(data).succeedsWithin(Duration.ofSeconds(10));
            CompletableFuture<Void> atOnce = new CompletableFuture<>();
            accepted.onReadable(() -> atOnce.complete(null)); // data is there: runs on this thread
            assertThat(atOnce).isDone();
            assertThat(accepted.getInputStream().readNBytes(2)).containsExactly(2, 3);

            CompletableFuture<Void> fin = new CompletableFuture<>();
            accepted.onReadable(() -> fin.complete(null));
            opened.shutdownOutput();
            assertThat(fin).succeedsWithin(Duration.ofSeconds(10));
            assertThat(accepted.getInputStream().read()).isEqualTo(-1);

            MuxStream second = pair.client().openStream();
            second.getOutputStream().write(4);
            MuxStream secondAccepted = pair.server().acceptStream();
            assertThat(secondAccepted.getInputStream().read()).isEqualTo(4);
            CompletableFuture<Void> reset = new CompletableFuture<>();
            secondAccepted.onReadable(() -> reset.complete(null));
            second.reset();
            assertThat(reset).succeedsWithin(Duration.ofSeconds(10)); // a read would fail at once: readable too
        }
    }

    private static int available(MuxStream stream) {
        try {
            return stream.getInputStream().available();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void closingTheSessionFailsPendingAccept() throws Exception {
        LoopbackPair pair = LoopbackPair.open();
        CompletableFuture<Throwable> accept = CompletableFuture.supplyAsync(() -> {
            try {
                pair.server().acceptStream();
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        pair.client().close();
        assertThat(accept.get()).isInstanceOf(MuxException.class);
        assertThat(pair.server().whenClosed().get()).isNotNull();
        pair.close();
    }

    private static int buffered(MuxStream stream) {
        try {
            return stream.getInputStream().available();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
