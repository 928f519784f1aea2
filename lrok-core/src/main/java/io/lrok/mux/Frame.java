package io.lrok.mux;

/**
 * The yamux frame header, and its codec: 12 bytes, big-endian, {@code version(8) type(8) flags(16) streamId(32)
 * length(32)}. Pure: no I/O and no state. Only Data frames carry a payload; for the other types {@code length} is
 * a window delta, a ping value or a GoAway code. Stream ids and lengths are unsigned 32-bit values held in ints.
 *
 * @param type     one of the {@code TYPE_} constants
 * @param flags    a combination of the {@code FLAG_} constants
 * @param streamId the stream, 0 for session-level frames (Ping, GoAway)
 * @param length   payload length, window delta, ping value or GoAway code (unsigned)
 */
record Frame(int type, int flags, int streamId, int length) {

    static final int HEADER_SIZE = MuxConfig.FRAME_HEADER_SIZE;
    static final int VERSION = 0;

    static final int TYPE_DATA = 0;
    static final int TYPE_WINDOW_UPDATE = 1;
    static final int TYPE_PING = 2;
    static final int TYPE_GO_AWAY = 3;

    static final int FLAG_SYN = 1;
    static final int FLAG_ACK = 2;
    static final int FLAG_FIN = 4;
    static final int FLAG_RST = 8;

    static final int GO_AWAY_NORMAL = 0;
    static final int GO_AWAY_PROTOCOL_ERROR = 1;
    static final int GO_AWAY_INTERNAL_ERROR = 2;

    /** The header bytes of a frame that could not be decoded. */
    static final class MalformedFrameException extends MuxException {
        MalformedFrameException(String message) {
            super(message);
        }
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    long unsignedLength() {
        return Integer.toUnsignedLong(length);
    }

    /** Writes this header into {@code buf} at {@code off}. */
    void encode(byte[] buf, int off) {
        encode(buf, off, type, flags, streamId, length);
    }

    static void encode(byte[] buf, int off, int type, int flags, int streamId, int length) {
        buf[off] = VERSION;
        buf[off + 1] = (byte) type;
        buf[off + 2] = (byte) (flags >>> 8);
        buf[off + 3] = (byte) flags;
        putInt(buf, off + 4, streamId);
        putInt(buf, off + 8, length);
    }

    byte[] encode() {
        byte[] buf = new byte[HEADER_SIZE];
        encode(buf, 0);
        return buf;
    }

    /**
     * Decodes a header.
     *
     * @throws MalformedFrameException for an unknown version or type
     */
    static Frame decode(byte[] buf, int off) throws MalformedFrameException {
        int version = buf[off] & 0xff;
        int type = buf[off + 1] & 0xff;
        if (version != VERSION) throw new MalformedFrameException("unsupported yamux version " + version);
        if (type > TYPE_GO_AWAY) throw new MalformedFrameException("unknown yamux frame type " + type);
        int flags = ((buf[off + 2] & 0xff) << 8) | (buf[off + 3] & 0xff);
        return new Frame(type, flags, getInt(buf, off + 4), getInt(buf, off + 8));
    }

    static void putInt(byte[] buf, int off, int value) {
        buf[off] = (byte) (value >>> 24);
        buf[off + 1] = (byte) (value >>> 16);
        buf[off + 2] = (byte) (value >>> 8);
        buf[off + 3] = (byte) value;
    }

    static int getInt(byte[] buf, int off) {
        return ((buf[off] & 0xff) << 24) | ((buf[off + 1] & 0xff) << 16) | ((buf[off + 2] & 0xff) << 8)
                | (buf[off + 3] & 0xff);
    }

    /** A fixed-width trace line for debugging: {@code >> DATA  SYN|FIN  stream=5 length=1024}. */
    String trace(boolean outbound) {
        return String.format("%s %-13s %-15s stream=%-10d length=%d", outbound ? ">>" : "<<", typeName(type),
                flagNames(flags), Integer.toUnsignedLong(streamId), unsignedLength());
    }

    static String typeName(int type) {
        return switch (type) {
            case TYPE_DATA -> "DATA";
            case TYPE_WINDOW_UPDATE -> "WINDOW_UPDATE";
            case TYPE_PING -> "PING";
            case TYPE_GO_AWAY -> "GO_AWAY";
            default -> "TYPE_" + type;
        };
    }

    static String flagNames(int flags) {
        if (flags == 0) return "-";
        StringBuilder sb = new StringBuilder();
        String[] names = {"SYN", "ACK", "FIN", "RST"};
        for (int bit = 0; bit < 16; bit++) {
            if ((flags & (1 << bit)) == 0) continue;
            if (!sb.isEmpty()) sb.append('|');
            sb.append(bit < names.length ? names[bit] : "0x" + Integer.toHexString(1 << bit));
        }
        return sb.toString();
    }
}
