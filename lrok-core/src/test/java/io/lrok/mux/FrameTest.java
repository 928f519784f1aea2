package io.lrok.mux;

import static io.lrok.mux.Frame.FLAG_ACK;
import static io.lrok.mux.Frame.FLAG_FIN;
import static io.lrok.mux.Frame.FLAG_RST;
import static io.lrok.mux.Frame.FLAG_SYN;
import static io.lrok.mux.Frame.TYPE_DATA;
import static io.lrok.mux.Frame.TYPE_GO_AWAY;
import static io.lrok.mux.Frame.TYPE_PING;
import static io.lrok.mux.Frame.TYPE_WINDOW_UPDATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The frame header codec, on byte arrays: layout, round trips, unsigned fields, rejection, trace lines. */
class FrameTest {

    @Test
    void everyTypeAndFlagCombinationRoundTrips() throws Exception {
        int[] values = {0, 1, 2, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF};
        for (int type = TYPE_DATA; type <= TYPE_GO_AWAY; type++) {
            for (int flags = 0; flags <= (FLAG_SYN | FLAG_ACK | FLAG_FIN | FLAG_RST); flags++) {
                for (int value : values) {
                    Frame frame = new Frame(type, flags, value, ~value);
                    assertThat(Frame.decode(frame.encode(), 0)).isEqualTo(frame);
                }
            }
        }
    }

    @Test
    void windowUpdateLayoutIsBigEndian() throws Exception {
        Frame frame = new Frame(TYPE_WINDOW_UPDATE, FLAG_SYN | FLAG_ACK, 0x0102_0304, 0x0A0B_0C0D);
        byte[] expected = {0, 1, 0, 3, 1, 2, 3, 4, 10, 11, 12, 13};
        assertThat(frame.encode()).containsExactly(expected);
        assertThat(Frame.decode(expected, 0)).isEqualTo(frame);
    }

    @Test
    void handWrittenFramesOfEachType() throws Exception {
        // Data, FIN, stream 5, 1024 payload bytes follow.
        assertThat(Frame.decode(bytes(0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 4, 0), 0))
                .isEqualTo(new Frame(TYPE_DATA, FLAG_FIN, 5, 1024));
        // WindowUpdate, RST, stream 2, delta 0.
        assertThat(Frame.decode(bytes(0, 1, 0, 8, 0, 0, 0, 2, 0, 0, 0, 0), 0))
                .isEqualTo(new Frame(TYPE_WINDOW_UPDATE, FLAG_RST, 2, 0));
        // Ping, SYN, session, value 0xDEADBEEF.
        Frame ping = Frame.decode(bytes(0, 2, 0, 1, 0, 0, 0, 0, 0xDE, 0xAD, 0xBE, 0xEF), 0);
        assertThat(ping).isEqualTo(new Frame(TYPE_PING, FLAG_SYN, 0, 0xDEAD_BEEF));
        assertThat(ping.unsignedLength()).isEqualTo(0xDEAD_BEEFL);
        // GoAway, no flags, session, code 2 (internal error).
        assertThat(Frame.decode(bytes(0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2), 0))
                .isEqualTo(new Frame(TYPE_GO_AWAY, 0, 0, Frame.GO_AWAY_INTERNAL_ERROR));
    }

    @Test
    void flagsAreSixteenBitsHighByteFirst() throws Exception {
        Frame frame = new Frame(TYPE_DATA, 0x8102, 1, 0);
        assertThat(frame.encode()).containsExactly(bytes(0, 0, 0x81, 0x02, 0, 0, 0, 1, 0, 0, 0, 0));
        assertThat(Frame.decode(frame.encode(), 0).flags()).isEqualTo(0x8102);
        assertThat(frame.has(FLAG_ACK)).isTrue();
        assertThat(frame.has(FLAG_SYN)).isFalse();
    }

    @Test
    void idsAndLengthsAreUnsigned() throws Exception {
        byte[] allOnes = bytes(0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
        Frame frame = Frame.decode(allOnes, 0);
        assertThat(Integer.toUnsignedLong(frame.streamId())).isEqualTo(0xFFFF_FFFFL);
        assertThat(frame.unsignedLength()).isEqualTo(0xFFFF_FFFFL);
        assertThat(new Frame(TYPE_DATA, 0, 0xFFFF_FFFF, 0xFFFF_FFFF).encode()).containsExactly(allOnes);
        assertThat(frame.trace(false)).endsWith("stream=4294967295 length=4294967295");
    }

    @Test
    void encodesAndDecodesAtAnOffsetWithoutTouchingNeighbours() throws Exception {
        byte[] buf = new byte[Frame.HEADER_SIZE + 6];
        Arrays.fill(buf, (byte) 0x55);
        new Frame(TYPE_PING, FLAG_ACK, 0, 7).encode(buf, 3);
        assertThat(buf).containsExactly(bytes(0x55, 0x55, 0x55, 0, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 7, 0x55, 0x55, 0x55));
        assertThat(Frame.decode(buf, 3)).isEqualTo(new Frame(TYPE_PING, FLAG_ACK, 0, 7));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 0x7F, 0xFF})
    void unknownVersionIsRejected(int version) {
        byte[] header = bytes(version, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0);
        assertThatThrownBy(() -> Frame.decode(header, 0))
                .isInstanceOf(Frame.MalformedFrameException.class)
                .hasMessage("unsupported yamux version " + version);
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 5, 0x80, 0xFF})
    void unknownTypeIsRejected(int type) {
        byte[] header = bytes(0, type, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0);
        assertThatThrownBy(() -> Frame.decode(header, 0))
                .isInstanceOf(Frame.MalformedFrameException.class)
                .hasMessage("unknown yamux frame type " + type);
    }

    @Test
    void traceLinesHaveFixedWidthColumns() {
        assertThat(new Frame(TYPE_DATA, FLAG_SYN | FLAG_FIN, 5, 1024).trace(true))
                .isEqualTo(">> DATA          SYN|FIN         stream=5          length=1024");
        assertThat(new Frame(TYPE_WINDOW_UPDATE, 0, 12, 262144).trace(false))
                .isEqualTo("<< WINDOW_UPDATE -               stream=12         length=262144");
        assertThat(new Frame(TYPE_GO_AWAY, 0, 0, 1).trace(true))
                .isEqualTo(">> GO_AWAY       -               stream=0          length=1");
        assertThat(new Frame(TYPE_PING, FLAG_SYN | FLAG_ACK | FLAG_FIN | FLAG_RST, 0, 9).trace(false))
                .isEqualTo("<< PING          SYN|ACK|FIN|RST stream=0          length=9");
    }

    @Test
    void traceNamesUnknownTypesAndFlags() {
        assertThat(Frame.typeName(9)).isEqualTo("TYPE_9");
        assertThat(Frame.flagNames(FLAG_RST | 0x10 | 0x8000)).isEqualTo("RST|0x10|0x8000");
        assertThat(Frame.flagNames(0)).isEqualTo("-");
    }

    /** Bytes from ints, so that hand-written headers can use 0xFF without casts. */
    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) out[i] = (byte) values[i];
        return out;
    }
}
