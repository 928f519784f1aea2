package io.lrok.mux;

import io.lrok.testing.Await;
import static io.lrok.mux.Frame.FLAG_ACK;
import static io.lrok.mux.Frame.FLAG_SYN;
import static io.lrok.mux.Frame.GO_AWAY_PROTOCOL_ERROR;
import static io.lrok.mux.Frame.HEADER_SIZE;
import static io.lrok.mux.Frame.TYPE_DATA;
import static io.lrok.mux.Frame.TYPE_PING;
import static io.lrok.mux.Frame.TYPE_WINDOW_UPDATE;
import static io.lrok.mux.MuxConfig.INITIAL_STREAM_WINDOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Peers that attack: floods of tiny frames, of pings and of SYNs, and absurd window updates. Each flood is bounded
 * in count, and each test ends with the session closed for a reason that names the attack, memory and streams
 * bounded, and its threads gone.
 */
@Timeout(60)
class HostilePeerTest {
    /** How long a session may take to notice an attack; generous for a loaded two-core machine. */
    private static final Duration BOUND = Duration.ofSeconds(20);
    /** Small socket buffers, so that a peer that does not read makes the session's writes block soon. */
    private static final int SMALL_BUFFERS = 8 * 1024;
    private static final long MIB = 1 << 20;

    @Test
    void endlessOneByteDataFramesEndInWindowExceededWithBoundedHeap() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.withServerSession()) {
            long baseline = Leaks.usedHeapAfterGc();
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0);
            byte[] batch = oneByteDataFrames(1, 4096);
            for (int sent = 0; sent < INITIAL_STREAM_WINDOW; sent += 4096) peer.writeRaw(batch);
            peer.pingRoundTrip(); // 262,144 frames of one byte: the whole window, buffered
            long grown = Leaks.usedHeapAfterGc() - baseline;
            // About 256 KiB of bytes; an array per frame would be over 12 MiB.
            assertThat(grown).as("heap growth in bytes").isLessThan(4 * MIB);

            AppThread<Long> flood = AppThread.start("data-flood", () -> flood(peer, batch, 4096, 16 * INITIAL_STREAM_WINDOW));
            peer.expectGoAway(GO_AWAY_PROTOCOL_ERROR);
            assertThat(peer.awaitSessionEnd()).hasMessageContaining("exceeds the receive window");
            flood.await(BOUND);
            peer.drainToEof();
        }
    }

    @Test
    void aPingFloodFromAPeerThatDoesNotReadEndsTheSession() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.start(false, MuxConfig.defaults(), SMALL_BUFFERS)) {
            long baseline = Leaks.usedHeapAfterGc();
            byte[] batch = new byte[1024 * HEADER_SIZE];
            for (int i = 0; i < 1024; i++) Frame.encode(batch, i * HEADER_SIZE, TYPE_PING, FLAG_SYN, 0, i);
            AppThread<Long> flood = AppThread.start("ping-flood", () -> flood(peer, batch, 1024, 2_000_000));

            MuxException reason = peer.awaitSessionEnd();
            assertThat(reason).hasMessageContaining("peer is not reading");
            assertThat(flood.await(BOUND)).as("pings sent").isLessThan(2_000_000);
            // The session is still referenced here, with whatever answers it had queued.
            assertThat(Leaks.usedHeapAfterGc() - baseline).as("heap growth in bytes").isLessThan(16 * MIB);
            peer.drainToEof();
        }
    }

    @Test
    void windowUpdatesPastThirtyTwoBitsAreAProtocolError() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.withClientSession(MuxConfig.defaults())) {
            MuxStream stream = openAcknowledged(peer);
            peer.writeFrame(TYPE_WINDOW_UPDATE, 0, 1, 0xFFFF_FFFF);
            peer.writeFrame(TYPE_WINDOW_UPDATE, 0, 1, 0xFFFF_FFFF);
            peer.expectGoAway(GO_AWAY_PROTOCOL_ERROR);
            peer.awaitEof();
            assertThat(peer.awaitSessionEnd()).hasMessageContaining("overflows the 32-bit send window");
            assertThatThrownBy(() -> stream.getOutputStream().write(1)).isInstanceOf(MuxException.class);
        }
    }

    @Test
    void theLargestWindowIsAcceptedAndOneMoreByteIsNot() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.withClientSession(MuxConfig.defaults())) {
            openAcknowledged(peer);
            peer.writeFrame(TYPE_WINDOW_UPDATE, 0, 1, (int) (0xFFFF_FFFFL - INITIAL_STREAM_WINDOW));
            peer.pingRoundTrip();
            assertThat(peer.session().isClosed()).isFalse();
            peer.writeFrame(TYPE_WINDOW_UPDATE, 0, 1, 1);
            peer.expectGoAway(GO_AWAY_PROTOCOL_ERROR);
            peer.awaitEof();
            assertThat(peer.awaitSessionEnd()).hasMessageContaining("overflows the 32-bit send window");
        }
    }

    @Test
    void aSynFloodFromAPeerThatDoesNotReadEndsTheSession() throws Exception {
        // No limit on refusals: what stops this flood is the peer not reading our RSTs.
        MuxConfig config = MuxConfig.defaults().withMaxRefusedStreams(Integer.MAX_VALUE);
        try (ScriptedPeer peer = ScriptedPeer.start(false, config, SMALL_BUFFERS)) {
            AppThread<Long> flood = AppThread.start("syn-flood", () -> synFlood(peer, 100_000));
            int mostStreams = awaitClosedWatchingStreams(peer.session());
            assertThat(peer.awaitSessionEnd()).hasMessageContaining("peer is not reading");
            assertThat(mostStreams).as("streams held at once").isLessThanOrEqualTo(config.acceptBacklog());
            flood.await(BOUND);
            peer.drainToEof();
        }
    }

    @Test
    void aSynFloodPastMaxRefusedStreamsEndsTheSession() throws Exception {
        MuxConfig config = MuxConfig.defaults().withMaxRefusedStreams(100);
        try (ScriptedPeer peer = ScriptedPeer.start(false, config, SMALL_BUFFERS)) {
            AppThread<Long> flood = AppThread.start("syn-flood", () -> synFlood(peer, 100_000));
            int mostStreams = awaitClosedWatchingStreams(peer.session());
            assertThat(peer.awaitSessionEnd()).hasMessageContaining("SYN flood: 101 streams opened past the accept backlog of 256");
            assertThat(mostStreams).as("streams held at once").isLessThanOrEqualTo(config.acceptBacklog());
            assertThat(flood.await(BOUND)).as("SYNs sent").isLessThan(100_000);
            peer.drainToEof();
        }
    }

    @Test
    void refusalsCountOnlySinceTheApplicationLastAccepted() throws Exception {
        // A burst of refusals followed by an accept is load, not a flood: the count starts again.
        MuxConfig config = MuxConfig.defaults().withAcceptBacklog(1).withMaxRefusedStreams(3);
        try (ScriptedPeer peer = ScriptedPeer.withClientSession(config)) {
            int id = 2;
            for (int round = 0; round < 3; round++) {
                int queued = id;
                peer.writeFrame(Frame.TYPE_WINDOW_UPDATE, Frame.FLAG_SYN, queued, 0);
                for (int i = 1; i <= 3; i++) {
                    peer.writeFrame(Frame.TYPE_WINDOW_UPDATE, Frame.FLAG_SYN, queued + 2 * i, 0);
                    peer.expectFrame(Frame.TYPE_WINDOW_UPDATE, Frame.FLAG_RST, queued + 2 * i);
                }
                assertThat(peer.session().acceptStream(BOUND).id()).isEqualTo(queued);
                peer.expectFrame(Frame.TYPE_WINDOW_UPDATE, Frame.FLAG_ACK, queued);
                id += 8;
            }
            peer.pingRoundTrip();
            assertThat(peer.session().isClosed()).isFalse();

            // Now the application accepts nothing: the fourth refusal in a row ends the session.
            peer.writeFrame(Frame.TYPE_WINDOW_UPDATE, Frame.FLAG_SYN, id, 0);
            for (int i = 1; i <= 4; i++) peer.writeFrame(Frame.TYPE_WINDOW_UPDATE, Frame.FLAG_SYN, id + 2 * i, 0);
            assertThat(peer.awaitSessionEnd()).hasMessageContaining("SYN flood: 4 streams")
                    .hasMessageContaining("while the application accepted none");
            peer.drainToEof();
        }
    }

    @Test
    void closeDoesNotHangOnAConnectionThatTakesNoMoreBytes() throws Exception {
        StalledConnection connection = new StalledConnection();
        MuxSession session = MuxSession.client(connection.in(), connection.out(), connection, MuxConfig.defaults());
        // close() sends GoAway first; the write blocks as a socket's does when the peer stopped reading.
        AppThread<Void> closer = AppThread.start("closer", () -> {
            session.close();
            return null;
        });
        closer.await(BOUND);
        Await.until("the session closed the connection", BOUND, connection::isClosed);
        assertThat(session.whenClosed().get()).hasMessageContaining("closed");
        Leaks.awaitSessionThreadsGone(session, BOUND);
    }

    @Test
    void aProtocolErrorOnAConnectionThatTakesNoMoreBytesStillClosesIt() throws Exception {
        StalledConnection connection = new StalledConnection();
        MuxSession session = MuxSession.client(connection.in(), connection.out(), connection, MuxConfig.defaults());
        connection.feed(new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}); // version 1
        Await.until("the session closed the connection", BOUND, connection::isClosed);
        assertThat(session.whenClosed().get()).hasMessageContaining("unsupported yamux version 1");
        Leaks.awaitSessionThreadsGone(session, BOUND);
    }

    @Test
    void aConnectionThatEndsOrSendsGarbageBeforeTheSessionIsBuiltStillEndsIt() throws Exception {
        // Regression (found by FrameFuzzTest): the reader started before the constructor had scheduled the
        // session's timer, so a reader that failed at once hit a null there, and whenClosed() never completed.
        // Which thread wins is up to the scheduler: repeat, with the reader's work as small as it gets.
        for (int i = 0; i < 200; i++) {
            byte[] input = i % 2 == 0 ? new byte[0] : new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
            MuxSession session = MuxSession.server(new java.io.ByteArrayInputStream(input),
                    java.io.OutputStream.nullOutputStream(), () -> { }, MuxConfig.defaults());
            MuxException reason = session.whenClosed().get(BOUND.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            assertThat(reason).hasMessage(i % 2 == 0 ? "connection closed by the peer"
                    : "protocol error from the peer: unsupported yamux version 1");
            Leaks.awaitSessionThreadsGone(session, BOUND);
        }
    }

    @Test
    void framesAfterAGoAwayThatEndsTheSessionAreNotRead() throws Exception {
        // Regression (found by FrameFuzzTest): after a GoAway with an error code ended the session, the reader went
        // on with the frames behind it, and registered their streams in the closed session: acceptStream() could
        // hand out a stream no one would ever fail.
        byte[] input = new byte[3 * HEADER_SIZE];
        Frame.encode(input, 0, Frame.TYPE_GO_AWAY, 0, 0, Frame.GO_AWAY_INTERNAL_ERROR);
        Frame.encode(input, HEADER_SIZE, TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0);
        Frame.encode(input, 2 * HEADER_SIZE, TYPE_DATA, FLAG_SYN, 3, 0);
        MuxSession session = MuxSession.server(new java.io.ByteArrayInputStream(input),
                java.io.OutputStream.nullOutputStream(), () -> { }, MuxConfig.defaults());
        assertThat(session.whenClosed().get(BOUND.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
                .hasMessage("the peer ended the session: GoAway (internal error)");
        Leaks.awaitSessionThreadsGone(session, BOUND);
        assertThat(session.streamCount()).isZero();
        assertThatThrownBy(() -> session.acceptStream(Duration.ofMillis(1))).isInstanceOf(MuxException.class)
                .hasMessageContaining("GoAway (internal error)");
    }

    /** Opens stream 1 from the session and acknowledges it. */
    private static MuxStream openAcknowledged(ScriptedPeer peer) throws IOException {
        MuxStream stream = peer.session().openStream();
        peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1);
        peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_ACK, 1, 0);
        return stream;
    }

    private static byte[] oneByteDataFrames(int streamId, int count) {
        byte[] batch = new byte[count * (HEADER_SIZE + 1)];
        for (int i = 0; i < count; i++) {
            Frame.encode(batch, i * (HEADER_SIZE + 1), TYPE_DATA, 0, streamId, 1);
            batch[i * (HEADER_SIZE + 1) + HEADER_SIZE] = (byte) i;
        }
        return batch;
    }

    /** SYNs for odd ids from 1, in batches; returns how many were sent before the connection failed. */
    private static long synFlood(ScriptedPeer peer, int count) {
        int perBatch = 1000;
        byte[] batch = new byte[perBatch * HEADER_SIZE];
        long sent = 0;
        try {
            while (sent < count) {
                for (int i = 0; i < perBatch; i++) {
                    Frame.encode(batch, i * HEADER_SIZE, TYPE_WINDOW_UPDATE, FLAG_SYN, (int) (2 * (sent + i) + 1), 0);
                }
                peer.writeRaw(batch);
                sent += perBatch;
            }
        } catch (IOException e) {
            // The session closed the connection: the flood is over.
        }
        return sent;
    }

    /** Writes {@code batch} (of {@code framesPerBatch} frames) until {@code limit} frames or the connection fails. */
    private static long flood(ScriptedPeer peer, byte[] batch, int framesPerBatch, long limit) {
        long sent = 0;
        try {
            while (sent < limit && !peer.session().isClosed()) {
                peer.writeRaw(batch);
                sent += framesPerBatch;
            }
        } catch (IOException e) {
            // The session closed the connection: the flood is over.
        }
        return sent;
    }

    /** Waits for the session to end; returns the most streams it held at any one check meanwhile. */
    private static int awaitClosedWatchingStreams(MuxSession session) {
        int[] most = {0};
        Await.until(session + " is closed", BOUND, () -> {
            most[0] = Math.max(most[0], session.streamCount());
            return session.isClosed();
        });
        return most[0];
    }
}
