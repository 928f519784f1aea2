package io.lrok.internal.tls;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * Reads DER (ITU-T X.690) one TLV at a time, strictly: single-byte tags, definite minimal lengths, nothing past the
 * end. A constructed value is read by a new reader over its content ({@link #sequence()}, {@link Tlv#reader()}).
 * Not thread-safe; one reader per parse.
 */
public final class DerReader {

    /**
     * One value.
     *
     * @param tag     its tag byte
     * @param content its content octets
     * @param offset  where its tag is, in the bytes the outermost reader was given
     */
    public record Tlv(int tag, byte[] content, int offset) {
        /** @return a reader over the content, for a constructed value */
        public DerReader reader() {
            // DER lengths are minimal, so the header's size follows from the content's.
            int n = content.length;
            int lengthBytes = n < 0x80 ? 1 : 1 + (Integer.SIZE - Integer.numberOfLeadingZeros(n) + 7) / 8;
            return new DerReader(content, 0, content.length, offset + 1 + lengthBytes);
        }
    }

    private final byte[] der;
    private final int end;
    private final int base; // offset of der[0] in the outermost input, for error messages
    private int pos;

    /** @param der the bytes to read, all of them */
    public DerReader(byte[] der) {
        this(der, 0, der.length, 0);
    }

    private DerReader(byte[] der, int start, int end, int base) {
        this.der = der;
        this.pos = start;
        this.end = end;
        this.base = base;
    }

    /** @return whether a value remains */
    public boolean hasMore() {
        return pos < end;
    }

    /** @return the tag of the next value, or -1 at the end */
    public int peekTag() {
        return pos < end ? der[pos] & 0xff : -1;
    }

    /** @return the next value, whatever its tag @throws DerException if malformed or at the end */
    public Tlv read() throws DerException {
        int start = pos;
        if (end - pos < 2) throw error(pos >= end ? "expected a value, found the end" : "truncated value", start);
        int tag = der[pos++] & 0xff;
        if ((tag & 0x1f) == 0x1f) throw error("multi-byte tags are not supported", start);
        int first = der[pos++] & 0xff;
        long length;
        if (first < 0x80) {
            length = first;
        } else {
            int count = first & 0x7f;
            if (count == 0) throw error("indefinite length is not DER", start);
            if (count > 4 || end - pos < count) throw error("length too long", start);
            length = 0;
            for (int i = 0; i < count; i++) length = (length << 8) | (der[pos++] & 0xff);
            if (length < 0x80 || der[pos - count] == 0) throw error("length not in minimal form", start);
        }
        if (length > end - pos) throw error("value runs past the end of its container", start);
        byte[] content = Arrays.copyOfRange(der, pos, pos + (int) length);
        pos += (int) length;
        return new Tlv(tag, content, base + start);
    }

    /** @return the next value, which must have {@code tag} @throws DerException otherwise */
    public Tlv read(int tag) throws DerException {
        int start = pos;
        Tlv tlv = read();
        if (tlv.tag() != tag) {
            pos = start;
            throw error(String.format("expected tag 0x%02x, found 0x%02x", tag, tlv.tag()), start);
        }
        return tlv;
    }

    /** @return a reader over the next value, a SEQUENCE */
    public DerReader sequence() throws DerException {
        return read(Der.SEQUENCE).reader();
    }

    /** @return the next value, an INTEGER */
    public BigInteger integer() throws DerException {
        Tlv tlv = read(Der.INTEGER);
        if (tlv.content().length == 0) throw new DerException("empty INTEGER", tlv.offset());
        return new BigInteger(tlv.content());
    }

    /** @return the next value, an OBJECT IDENTIFIER, in dotted form */
    public String oid() throws DerException {
        Tlv tlv = read(Der.OID);
        byte[] c = tlv.content();
        if (c.length == 0 || (c[c.length - 1] & 0x80) != 0) {
            throw new DerException("malformed OBJECT IDENTIFIER", tlv.offset());
        }
        StringBuilder dotted = new StringBuilder();
        BigInteger arc = BigInteger.ZERO;
        boolean first = true;
        for (byte b : c) {
            arc = arc.shiftLeft(7).or(BigInteger.valueOf(b & 0x7f));
            if ((b & 0x80) != 0) continue;
            if (first) {
                // The first subidentifier is 40 * first arc + second arc; the first arc is 0, 1 or 2.
                int top = arc.compareTo(BigInteger.valueOf(80)) >= 0 ? 2 : arc.intValue() / 40;
                dotted.append(top).append('.').append(arc.subtract(BigInteger.valueOf(40L * top)));
                first = false;
            } else {
                dotted.append('.').append(arc);
            }
            arc = BigInteger.ZERO;
        }
        return dotted.toString();
    }

    /** @return the content of the next value, an OCTET STRING */
    public byte[] octetString() throws DerException {
        return read(Der.OCTET_STRING).content();
    }

    /** @return the bytes of the next value, a BIT STRING of whole bytes (no unused bits) */
    public byte[] bitString() throws DerException {
        Tlv tlv = read(Der.BIT_STRING);
        byte[] c = tlv.content();
        if (c.length == 0 || c[0] != 0) {
            throw new DerException("expected a BIT STRING of whole bytes", tlv.offset());
        }
        return Arrays.copyOfRange(c, 1, c.length);
    }

    /** @throws DerException if a value remains */
    public void end() throws DerException {
        if (pos < end) throw error("unexpected data after the last value", pos);
    }

    /** An error at {@code at}, an index into {@link #der}. */
    private DerException error(String message, int at) {
        return new DerException(message, base + at);
    }
}
