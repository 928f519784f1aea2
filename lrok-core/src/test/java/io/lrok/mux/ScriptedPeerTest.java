package io.lrok.mux;

import io.lrok.testing.Await;
import static io.lrok.mux.Frame.FLAG_ACK;
import static io.lrok.mux.Frame.FLAG_FIN;
import static io.lrok.mux.Frame.FLAG_RST;
import static io.lrok.mux.Frame.FLAG_SYN;
import static io.lrok.mux.Frame.GO_AWAY_NORMAL;
import static io.lrok.mux.Frame.GO_AWAY_PROTOCOL_ERROR;
import static io.lrok.mux.Frame.TYPE_DATA;
import static io.lrok.mux.Frame.TYPE_GO_AWAY;
import static io.lrok.mux.Frame.TYPE_PING;
import static io.lrok.mux.Frame.TYPE_WINDOW_UPDATE;
import static io.lrok.mux.MuxConfig.INITIAL_STREAM_WINDOW;
import static io.lrok.mux.ScriptedPeer.TIMEOUT;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One test per rule of /work/shared/yamux-notes.md, against a peer that sends exactly the frames a test scripts,
 * including the ones real peers never send. Each test ends in what the rule requires: a frame, a GoAway and EOF,
 * an exception in the application; {@link ScriptedPeer#close()} checks that the session's threads are gone.
 */
@Timeout(60)
class ScriptedPeerTest {
    private static final int ONE_MIB = 1 << 20;

    // ---- stream ids (rule 3) -------------------------------------------------------------------------------

    @Test
    void duplicateSynIsAProtocolError() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.withServerSession()) {
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0);
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0);
            peer.expectGoAway(GO_AWAY_PROTOCOL_ERROR);
            peer.awaitEof();
            assertThat(peer.awaitSessionEnd()).hasMessageContaining("duplicate SYN for stream 1");
        }
    }

    @ParameterizedTest(name = "{0} session, SYN for stream {1}")
    @CsvSource({"server, 0", "server, 2", "client, 0", "client, 1"})
    void synForAnIdThePeerMayNotOpenIsAProtocolError(String role, int id) throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.start(role.equals("client"), MuxConfig.defaults(), 0)) {
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, id, 0);
            peer.expectGoAway(GO_AWAY_PROTOCOL_ERROR);
            peer.awaitEof();
            assertThat(peer.awaitSessionEnd()).hasMessageContaining("SYN with stream id " + id);
        }
    }

    @ParameterizedTest(name = "{0} session")
    @ValueSource(strings = {"client", "server"})
    void streamIdExhaustionFailsCleanly(String role) throws Exception {
        boolean client = role.equals("client");
        try (ScriptedPeer peer = ScriptedPeer.start(client, MuxConfig.defaults(), 0)) {
            MuxSession session = peer.session();
            session.setNextStreamIdForTest(client ? 0xFFFF_FFFDL : 0xFFFF_FFFCL);
            MuxStream beforeLast = session.openStream();
            MuxStream last = session.openStream();
            assertThat(Integer.toUnsignedLong(last.id())).isEqualTo(client ? 0xFFFF_FFFFL : 0xFFFF_FFFEL);
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, beforeLast.id());
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, last.id());

            assertThatThrownBy(session::openStream).isInstanceOf(MuxException.class)
                    .hasMessageContaining("stream ids exhausted");
            assertThatThrownBy(session::openStream).as("stays exhausted").hasMessageContaining("stream ids exhausted");

            // Nothing else is affected: the session, its streams, the peer's new streams.
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_ACK, last.id(), 0);
            last.getOutputStream().write('x');
            peer.expectFrame(TYPE_DATA, 0, last.id());
            int peerId = client ? 2 : 1;
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, peerId, 0);
            assertThat(session.acceptStream(TIMEOUT).id()).isEqualTo(peerId);
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_ACK, peerId);
            peer.pingRoundTrip();
            assertThat(session.isClosed()).isFalse();
        }
    }

    // ---- malformed frames (rules 1, 2) -------------------------------------------------------------------------

    @Test
    void unknownVersionEndsTheSession() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.withServerSession()) {
            peer.writeRaw(new byte[] {1, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}); // a version 1 Ping
            peer.expectGoAway(GO_AWAY_PROTOCOL_ERROR);
            peer.awaitEof();
            assertThat(peer.awaitSessionEnd()).hasMessageContaining("unsupported yamux version 1");
        }
    }

    @Test
    void unknownTypeEndsTheSession() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.withServerSession()) {
            peer.writeRaw(new byte[] {0, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0});
            peer.expectGoAway(GO_AWAY_PROTOCOL_ERROR);
            peer.awaitEof();
            assertThat(peer.awaitSessionEnd()).hasMessageContaining("unknown yamux frame type 4");
        }
    }

    // ---- opening, accepting, closing (rules 4, 8, 11) ------------------------------------------------------------

    @Test
    void openSendsSynAloneThenDataBeforeTheAckThenFinAndRstAlone() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.withClientSession(MuxConfig.defaults())) {
            MuxStream stream = peer.session().openStream();
            assertThat(peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1).length()).isZero();
            stream.getOutputStream().write("early".getBytes(UTF_8));
            assertThat(peer.expectFrame(TYPE_DATA, 0, 1).payload()).asString(UTF_8).isEqualTo("early");
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_ACK, 1, 0);

            stream.shutdownOutput();
            stream.shutdownOutput(); // FIN goes out once
            assertThat(peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_FIN, 1).length()).isZero();

            MuxStream second = peer.session().openStream();
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 3);
            second.reset();
            assertThat(peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_RST, 3).length()).isZero();
            peer.pingRoundTrip(); // and nothing more
        }
    }

    @Test
    void acceptSendsAckAloneAndCloseSendsFinAlone() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.withServerSession()) {
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0);
            peer.pingRoundTrip(); // no ACK before the application accepts
            MuxStream stream = peer.session().acceptStream(TIMEOUT);
            assertThat(peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_ACK, 1).length()).isZero();
            stream.getOutputStream().write("reply".getBytes(UTF_8));
            peer.expectFrame(TYPE_DATA, 0, 1);

            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_FIN, 1, 0);
            stream.close();
            assertThat(peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_FIN, 1).length()).isZero();
            peer.pingRoundTrip();
            Await.until("the closed stream is forgotten", TIMEOUT, () -> peer.session().streamCount() == 0);
        }
    }

    @Test
    void duplicateFinIsAProtocolError() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.withServerSession()) {
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0);
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_FIN, 1, 0);
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_FIN, 1, 0);
            peer.expectGoAway(GO_AWAY_PROTOCOL_ERROR);
            peer.awaitEof();
            assertThat(peer.awaitSessionEnd()).hasMessageContaining("duplicate FIN on MuxStream[1]");
        }
    }

    @Test
    void anUnacknowledgedStreamIsResetAfterTheOpenTimeout() throws Exception {
        MuxConfig config = MuxConfig.defaults().withStreamOpenTimeout(Duration.ofMillis(300)).withAcceptBacklog(1);
        try (ScriptedPeer peer = ScriptedPeer.withClientSession(config)) {
            MuxStream stream = peer.session().openStream();
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1);
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_RST, 1);
            assertThatThrownBy(() -> stream.getInputStream().read()).isInstanceOf(MuxTimeoutException.class)
                    .hasMessageContaining("did not acknowledge");
            assertThatThrownBy(() -> stream.getOutputStream().write(1)).isInstanceOf(MuxTimeoutException.class);

            // The reset stream gave its open permit back: with a backlog of 1, the next open does not wait.
            MuxStream next = peer.session().openStream();
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 3);
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_ACK, 3, 0);
            peer.pingRoundTrip();
            assertThat(next.id()).isEqualTo(3);
            assertThat(peer.session().streamCount()).isEqualTo(1);
        }
    }

    @Test
    void aStreamClosedByUsIsResetWhenThePeerDoesNotFinishWithinTheCloseTimeout() throws Exception {
        MuxConfig config = MuxConfig.defaults().withStreamCloseTimeout(Duration.ofMillis(300));
        try (ScriptedPeer peer = ScriptedPeer.withClientSession(config)) {
            MuxStream stream = peer.session().openStream();
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1);
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_ACK, 1, 0);
            stream.close();
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_FIN, 1);
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_RST, 1); // the peer never sent its FIN
            Await.until("the reset stream is forgotten", TIMEOUT, () -> peer.session().streamCount() == 0);
        }
    }

    @Test
    void aHalfCloseAloneIsNeverTimedOutBecauseTheApplicationIsStillReading() throws Exception {
        // A relay half-closes after the request and reads a response that may take hours (server-sent events).
        Duration closeTimeout = Duration.ofMillis(200);
        MuxConfig config = MuxConfig.defaults().withStreamCloseTimeout(closeTimeout);
        try (ScriptedPeer peer = ScriptedPeer.withClientSession(config)) {
            MuxStream stream = peer.session().openStream();
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1);
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_ACK, 1, 0);
            stream.shutdownOutput();
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_FIN, 1);
            long halfClosedAt = System.nanoTime();
            // The subject of this test is time passing: let three close timeouts elapse.
            Await.until("three close timeouts have passed", TIMEOUT,
                    () -> System.nanoTime() - halfClosedAt > 3 * closeTimeout.toNanos());
            peer.writeData(1, FLAG_FIN, "late answer".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertThat(new String(stream.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII))
                    .isEqualTo("late answer");
            peer.pingRoundTrip(); // no RST came before the answer to our ping
        }
    }

    // ---- accept backlog (rule 4) -------------------------------------------------------------------------------

    @Test
    void synsBeyondTheAcceptBacklogAreRefusedAndTheRestAcceptedLater() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.withServerSession(MuxConfig.defaults().withAcceptBacklog(4))) {
            for (int id = 1; id <= 9; id += 2) peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, id, 0);
            peer.writeData(11, FLAG_SYN, new byte[5000]); // refused too: its payload must be skipped
            assertThat(peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_RST, 9).length()).isZero();
            assertThat(peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_RST, 11).length()).isZero();
            peer.pingRoundTrip();
            assertThat(peer.session().streamCount()).isEqualTo(4);

            for (int id = 1; id <= 7; id += 2) {
                assertThat(peer.session().acceptStream(TIMEOUT).id()).isEqualTo(id);
                peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_ACK, id);
            }
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 13, 0); // the backlog has room again
            assertThat(peer.session().acceptStream(TIMEOUT).id()).isEqualTo(13);
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_ACK, 13);
        }
    }

    @Test
    void openWaitsWhileAcceptBacklogStreamsAreUnacknowledged() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.withClientSession(MuxConfig.defaults().withAcceptBacklog(2))) {
            MuxSession session = peer.session();
            session.openStream();
            session.openStream();
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1);
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 3);

            AppThread<MuxStream> third = AppThread.start("third-open", session::openStream);
            third.awaitState(Thread.State.TIMED_WAITING, TIMEOUT); // bounded by the 75 s open timeout
            peer.pingRoundTrip(); // no third SYN
            assertThat(third.isDone()).isFalse();

            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_ACK, 1, 0);
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 5);
            assertThat(third.await(TIMEOUT).id()).isEqualTo(5);
        }
    }

    // ---- flow control (rule 5) ---------------------------------------------------------------------------------

    @Test
    void dataBeyondTheWindowIsAProtocolError() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.withServerSession()) {
            peer.writeData(1, FLAG_SYN, new byte[INITIAL_STREAM_WINDOW]); // one frame as large as the window
            peer.pingRoundTrip();
            peer.writeData(1, 0, new byte[1]);
            peer.expectGoAway(GO_AWAY_PROTOCOL_ERROR);
            peer.awaitEof();
            assertThat(peer.awaitSessionEnd()).hasMessageContaining("exceeds the receive window");
        }
    }

    @ParameterizedTest(name = "stream {0}")
    @CsvSource({"1, exceeds the receive window", "99, exceeds any window"})
    void anOversizedDataFrameIsRejectedBeforeItsPayloadIsRead(int streamId, String message) throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.withServerSession()) {
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0);
            // Only the header of a 1 GiB frame: a session that allocated or read the payload first would wait.
            peer.writeFrame(TYPE_DATA, 0, streamId, 1 << 30);
            peer.expectGoAway(GO_AWAY_PROTOCOL_ERROR);
            peer.awaitEof();
            assertThat(peer.awaitSessionEnd()).hasMessageContaining(message);
        }
    }

    @Test
    void windowUpdateIsSentOnceTheApplicationConsumedHalfTheWindow() throws Exception {
        int half = INITIAL_STREAM_WINDOW / 2;
        try (ScriptedPeer peer = ScriptedPeer.withServerSession()) {
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0);
            MuxStream stream = peer.session().acceptStream(TIMEOUT);
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_ACK, 1);
            for (int i = 0; i < 4; i++) peer.writeData(1, 0, new byte[INITIAL_STREAM_WINDOW / 4]);
            peer.pingRoundTrip(); // the whole window arrived, nothing read: no update

            assertThat(read(stream, half - 1)).hasSize(half - 1);
            peer.pingRoundTrip(); // one byte short of half: still no update

            read(stream, 1);
            assertThat(peer.expectFrame(TYPE_WINDOW_UPDATE, 0, 1).length()).isEqualTo(half);
            peer.writeData(1, 0, new byte[half]); // exactly the window given back
            peer.pingRoundTrip();
            assertThat(peer.session().isClosed()).isFalse();
        }
    }

    @Test
    void aLargerWindowIsGrantedWithTheSynAndHonoured() throws Exception {
        MuxConfig config = MuxConfig.defaults().withMaxStreamWindow(ONE_MIB);
        try (ScriptedPeer peer = ScriptedPeer.withClientSession(config)) {
            MuxStream stream = peer.session().openStream();
            assertThat(peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1).length()).isEqualTo(ONE_MIB - INITIAL_STREAM_WINDOW);
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_ACK, 1, 0);
            for (int i = 0; i < 16; i++) peer.writeData(1, 0, new byte[ONE_MIB / 16]);
            peer.pingRoundTrip(); // all of the larger window was accepted

            assertThat(read(stream, ONE_MIB)).hasSize(ONE_MIB);
            long granted = 0;
            while (granted < ONE_MIB) {
                long delta = peer.expectFrame(TYPE_WINDOW_UPDATE, 0, 1).header().unsignedLength();
                assertThat(delta).as("updates wait for half the larger window").isGreaterThanOrEqualTo(ONE_MIB / 2);
                granted += delta;
            }
            assertThat(granted).isEqualTo(ONE_MIB);
        }
    }

    @Test
    void aLargerWindowIsGrantedWithTheAck() throws Exception {
        MuxConfig config = MuxConfig.defaults().withMaxStreamWindow(ONE_MIB);
        try (ScriptedPeer peer = ScriptedPeer.withServerSession(config)) {
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0);
            peer.session().acceptStream(TIMEOUT);
            assertThat(peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_ACK, 1).length()).isEqualTo(ONE_MIB - INITIAL_STREAM_WINDOW);
        }
    }

    @Test
    void aPeerThatGrantsALargerWindowReceivesMoreBeforeWeWait() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.withServerSession()) {
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, ONE_MIB - INITIAL_STREAM_WINDOW);
            MuxStream stream = peer.session().acceptStream(TIMEOUT);
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_ACK, 1);
            AppThread<Void> writer = AppThread.start("writer", () -> {
                stream.getOutputStream().write(new byte[ONE_MIB]);
                return null;
            });
            assertThat(readData(peer, 1, ONE_MIB)).isEqualTo(ONE_MIB); // no window update sent
            writer.await(TIMEOUT);
            peer.pingRoundTrip();
        }
    }

    @Test
    void aWriterStallsAfterExactlyTheInitialWindow() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.withServerSession()) {
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0);
            MuxStream stream = peer.session().acceptStream(TIMEOUT);
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_ACK, 1);
            AppThread<Void> writer = AppThread.start("writer", () -> {
                stream.getOutputStream().write(new byte[ONE_MIB]);
                return null;
            });
            long received = readData(peer, 1, INITIAL_STREAM_WINDOW);
            writer.awaitState(Thread.State.WAITING, TIMEOUT);
            peer.pingRoundTrip(); // nothing more was sent
            assertThat(received).isEqualTo(262_144);

            peer.writeFrame(TYPE_WINDOW_UPDATE, 0, 1, ONE_MIB - INITIAL_STREAM_WINDOW);
            assertThat(readData(peer, 1, ONE_MIB - INITIAL_STREAM_WINDOW)).isEqualTo(ONE_MIB - INITIAL_STREAM_WINDOW);
            writer.await(TIMEOUT);
        }
    }

    // ---- unknown streams and resets (rules 6, 9) ---------------------------------------------------------------

    @Test
    void framesForUnknownStreamsAreSkipped() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.withServerSession()) {
            peer.writeData(7, 0, new byte[1000]); // never opened
            peer.writeFrame(TYPE_WINDOW_UPDATE, 0, 9, 1000);
            peer.pingRoundTrip();

            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0);
            MuxStream stream = peer.session().acceptStream(TIMEOUT);
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_ACK, 1);
            stream.reset();
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_RST, 1);
            peer.writeData(1, 0, new byte[5000]); // sent before the peer saw our RST
            peer.writeFrame(TYPE_WINDOW_UPDATE, 0, 1, 5000);
            peer.pingRoundTrip();
            assertThat(peer.session().isClosed()).isFalse();
            assertThat(peer.session().streamCount()).isZero();
        }
    }

    @Test
    void rstWithAPayloadResetsTheStreamAndTheNextFrameStillParses() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.withServerSession()) {
            peer.writeData(1, FLAG_SYN, "hello".getBytes(UTF_8));
            MuxStream stream = peer.session().acceptStream(TIMEOUT);
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_ACK, 1);
            assertThat(read(stream, 5)).asString(UTF_8).isEqualTo("hello");

            peer.writeData(1, 0, "never read".getBytes(UTF_8));
            peer.writeData(1, FLAG_RST, "the payload of the RST frame".getBytes(UTF_8));
            peer.writeData(3, FLAG_SYN, "next".getBytes(UTF_8)); // parses only if the payload above was consumed
            MuxStream next = peer.session().acceptStream(TIMEOUT);
            assertThat(read(next, 4)).asString(UTF_8).isEqualTo("next");
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_ACK, 3);

            assertThatThrownBy(() -> stream.getInputStream().read()).isInstanceOf(StreamResetException.class);
            assertThatThrownBy(() -> stream.getOutputStream().write(1)).isInstanceOf(StreamResetException.class);
            peer.pingRoundTrip(); // no RST echoed back
        }
    }

    // ---- GoAway (rule 10) --------------------------------------------------------------------------------------

    @Test
    void goAwayNormalStopsNewStreamsButKeepsExistingOnes() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.withClientSession(MuxConfig.defaults())) {
            MuxSession session = peer.session();
            MuxStream stream = session.openStream();
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1);
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_ACK, 1, 0);
            peer.writeFrame(TYPE_GO_AWAY, 0, 0, GO_AWAY_NORMAL);
            peer.pingRoundTrip();

            assertThat(session.isRemoteGoAway()).isTrue();
            assertThatThrownBy(session::openStream).isInstanceOf(MuxException.class)
                    .hasMessage("the peer sent GoAway: it accepts no new streams on this session");
            stream.getOutputStream().write("still".getBytes(UTF_8));
            assertThat(peer.expectFrame(TYPE_DATA, 0, 1).payload()).asString(UTF_8).isEqualTo("still");
            peer.writeData(1, 0, "works".getBytes(UTF_8));
            assertThat(read(stream, 5)).asString(UTF_8).isEqualTo("works");
            assertThat(session.isClosed()).isFalse();
        }
    }

    @ParameterizedTest(name = "GoAway {0}")
    @CsvSource({"1, protocol error", "2, internal error", "7, code 7"})
    void goAwayWithAnErrorEndsTheSession(int code, String named) throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.withServerSession()) {
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0);
            MuxStream stream = peer.session().acceptStream(TIMEOUT);
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_ACK, 1);
            peer.writeFrame(TYPE_GO_AWAY, 0, 0, code);
            peer.awaitEof(); // no GoAway back
            MuxException reason = peer.awaitSessionEnd();
            assertThat(reason).hasMessage("the peer ended the session: GoAway (" + named + ")");
            assertThatThrownBy(() -> stream.getInputStream().read()).isSameAs(reason);
        }
    }

    // ---- ping and keepalive (rule 7) ---------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 0xCAFE_BABE, 0xFFFF_FFFF})
    void pingIsAnsweredWithTheSameValue(int value) throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.withServerSession()) {
            peer.writeFrame(TYPE_PING, FLAG_SYN, 0, value);
            assertThat(peer.expectFrame(TYPE_PING, FLAG_ACK, 0).length()).isEqualTo(value);
        }
    }

    @Test
    void pingAnswersAreNotStuckBehindBulkData() throws Exception {
        // Small socket buffers hold less than one 64 KiB frame, so a peer that stops reading stops the writer
        // inside a data frame, and the peer reads frames in the order the session wrote them.
        try (ScriptedPeer peer = ScriptedPeer.start(true, MuxConfig.defaults(), 8 * 1024)) {
            MuxSession session = peer.session();
            MuxStream stream = session.openStream();
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1);
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_ACK, 1, 1 << 30); // a window the writer never exhausts
            peer.skip(frame -> frame.type() == TYPE_WINDOW_UPDATE && frame.flags() == FLAG_ACK);
            AppThread<Void> writer = AppThread.start("bulk-writer", () -> {
                OutputStream out = stream.getOutputStream();
                byte[] chunk = new byte[ONE_MIB];
                for (int i = 0; i < 512; i++) out.write(chunk);
                return null;
            });
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < 4; i++) peer.expectFrame(TYPE_DATA, 0, 1); // bulk data is flowing
                peer.writeFrame(TYPE_PING, FLAG_SYN, 0, round);
                // A barrier that needs no reading: the session handles frames in order, so once the stream opened
                // after the ping can be accepted, the ping's answer is queued.
                peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 2 + 2 * round, 0);
                assertThat(session.acceptStream(TIMEOUT).id()).isEqualTo(2 + 2 * round);

                int dataAhead = 0;
                ScriptedPeer.Received frame;
                while ((frame = peer.readFrame()).type() == TYPE_DATA) dataAhead++;
                assertThat(frame.header()).isEqualTo(new Frame(TYPE_PING, FLAG_ACK, 0, round));
                assertThat(dataAhead).as("data frames ahead of the ping answer").isLessThanOrEqualTo(1);
            }
            session.close();
            assertThat(writer.awaitFailure(TIMEOUT)).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aSilentPeerIsDeclaredDeadByKeepalive() throws Exception {
        MuxConfig config = MuxConfig.defaults().withKeepAliveInterval(Duration.ofMillis(100))
                .withKeepAliveTimeout(Duration.ofMillis(300));
        try (ScriptedPeer peer = ScriptedPeer.withServerSession(config)) {
            long start = System.nanoTime();
            peer.expectFrame(TYPE_PING, FLAG_SYN, 0); // never answered
            MuxException reason = peer.awaitSessionEnd();
            assertThat(reason).isInstanceOf(MuxTimeoutException.class).hasMessageContaining("keepalive timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            peer.awaitEof();
        }
    }

    @Test
    void aPeerThatSendsDataButNeverAnswersPingsIsNotKilled() throws Exception {
        MuxConfig config = MuxConfig.defaults().withKeepAliveInterval(Duration.ofMillis(100))
                .withKeepAliveTimeout(Duration.ofMillis(500));
        try (ScriptedPeer peer = ScriptedPeer.withServerSession(config)) {
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0);
            long start = System.nanoTime();
            for (int i = 0; i < 25; i++) {
                peer.expectFrame(TYPE_PING, FLAG_SYN, 0);
                peer.writeData(1, 0, new byte[] {(byte) i}); // a sign of life, but no answer
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("several keepalive timeouts long")
                    .isGreaterThan(Duration.ofSeconds(2));
            assertThat(peer.session().isClosed()).isFalse();
            MuxStream stream = peer.session().acceptStream(TIMEOUT);
            assertThat(read(stream, 25)).hasSize(25).startsWith(0, 1, 2).endsWith(23, 24);
        }
    }

    // ---- writes (FrameWriter) ----------------------------------------------------------------------------------

    @Test
    void aPeerThatStopsReadingEndsTheSessionWithAWriteTimeout() throws Exception {
        MuxConfig config = MuxConfig.defaults().withWriteTimeout(Duration.ofMillis(500));
        try (ScriptedPeer peer = ScriptedPeer.start(true, config, 16 * 1024)) {
            MuxStream stream = peer.session().openStream();
            peer.expectFrame(TYPE_WINDOW_UPDATE, FLAG_SYN, 1);
            peer.writeFrame(TYPE_WINDOW_UPDATE, FLAG_ACK, 1, 1 << 30);
            AppThread<Void> writer = AppThread.start("writer", () -> {
                OutputStream out = stream.getOutputStream();
                byte[] chunk = new byte[ONE_MIB];
                for (int i = 0; i < 512; i++) out.write(chunk);
                return null;
            });
            // The peer reads nothing more.
            MuxException reason = peer.awaitSessionEnd();
            assertThat(reason).isInstanceOf(MuxTimeoutException.class).hasMessageContaining("write timeout");
            assertThat(writer.awaitFailure(TIMEOUT)).isInstanceOf(IOException.class);
            peer.drainToEof();
        }
    }

    // ---- the fixture itself ----------------------------------------------------------------------------------

    @Test
    void theThreadCheckSeesTheThreadsOfARunningSession() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.withServerSession()) {
            assertThatThrownBy(() -> Leaks.awaitSessionThreadsGone(peer.session(), Duration.ofMillis(50)))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("the threads of");
        } // close() checks that they are gone
    }

    /** Reads exactly {@code n} bytes from a stream, failing rather than hanging if they do not come. */
    private static byte[] read(MuxStream stream, int n) throws IOException {
        stream.setReadTimeout(TIMEOUT);
        byte[] bytes = stream.getInputStream().readNBytes(n);
        assertThat(bytes).as("bytes read before EOF").hasSize(n);
        return bytes;
    }

    /** Reads Data frames on one stream until {@code total} payload bytes came; returns how many did. */
    private static long readData(ScriptedPeer peer, int streamId, long total) throws IOException {
        long received = 0;
        while (received < total) received += peer.expectFrame(TYPE_DATA, 0, streamId).payload().length;
        return received;
    }
}
