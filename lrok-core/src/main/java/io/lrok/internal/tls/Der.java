package io.lrok.internal.tls;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * A tiny DER writer (ITU-T X.690): each method returns one complete TLV, so values nest by passing the result of one
 * call to another, as in {@code sequence(integer(0), oid(RSA))}. Only what PKCS#8 wrapping and X.509 certificate
 * building need; {@link DerReader} reads the same subset.
 */
public final class Der {

    /** Universal tags (class universal, primitive unless noted). */
    public static final int BOOLEAN = 0x01, INTEGER = 0x02, BIT_STRING = 0x03, OCTET_STRING = 0x04, NULL = 0x05,
            OID = 0x06, UTF8_STRING = 0x0c, PRINTABLE_STRING = 0x13, IA5_STRING = 0x16, UTC_TIME = 0x17,
            GENERALIZED_TIME = 0x18, SEQUENCE = 0x30, SET = 0x31;

    /** The class bits of a context-specific tag, and the bit that marks a constructed encoding. */
    public static final int CONTEXT = 0x80, CONSTRUCTED = 0x20;

    // RFC 5280 §4.1.2.5: UTCTime for 1950 through 2049, GeneralizedTime from 2050 on.
    private static final Instant UTC_TIME_END = Instant.parse("2050-01-01T00:00:00Z");
    private static final DateTimeFormatter UTC_TIME_FORMAT =
            DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter GENERALIZED_TIME_FORMAT =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

    private Der() {}

    /** @return a TLV with the given one-byte tag and content */
    public static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            // Long form: 0x80 | count of length bytes, then the length big-endian in as few bytes as possible.
            int bytes = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) out.write(length >>> (8 * i));
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    /** @return a SEQUENCE of the given encoded elements, in order */
    public static byte[] sequence(byte[]... elements) {
        return tlv(SEQUENCE, concat(elements));
    }

    /** @return a SET of the given encoded elements; callers pass one element or elements already in DER order */
    public static byte[] set(byte[]... elements) {
        return tlv(SET, concat(elements));
    }

    /** @return an INTEGER, two's complement, minimal length */
    public static byte[] integer(BigInteger value) {
        return tlv(INTEGER, value.toByteArray());
    }

    /** @return an INTEGER */
    public static byte[] integer(long value) {
        return integer(BigInteger.valueOf(value));
    }

    /** @return a BOOLEAN: DER encodes true as 0xff */
    public static byte[] bool(boolean value) {
        return tlv(BOOLEAN, new byte[] {(byte) (value ? 0xff : 0)});
    }

    /** @return NULL */
    public static byte[] nul() {
        return tlv(NULL, new byte[0]);
    }

    /**
     * @param dotted an OBJECT IDENTIFIER in dotted form, e.g. {@code 1.2.840.10045.2.1}
     * @return its encoding
     */
    public static byte[] oid(String dotted) {
        String[] arcs = dotted.split("\\.");
        if (arcs.length < 2) throw new IllegalArgumentException("an OID has at least two arcs: " + dotted);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // The first two arcs share one subidentifier: 40 * first + second.
        writeBase128(out, new BigInteger(arcs[0]).multiply(BigInteger.valueOf(40)).add(new BigInteger(arcs[1])));
        for (int i = 2; i < arcs.length; i++) writeBase128(out, new BigInteger(arcs[i]));
        return tlv(OID, out.toByteArray());
    }

    /** @return a BIT STRING holding whole bytes (no unused bits), as for keys and signatures */
    public static byte[] bitString(byte[] bytes) {
        byte[] content = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, content, 1, bytes.length);
        return tlv(BIT_STRING, content);
    }

    /**
     * A named-bit BIT STRING (such as keyUsage): DER drops trailing zero bits.
     *
     * @param bits the numbers of the bits that are set, bit 0 being the most significant bit of the first byte
     * @return its encoding
     */
    public static byte[] namedBits(int... bits) {
        int highest = -1;
        for (int bit : bits) highest = Math.max(highest, bit);
        byte[] content = new byte[1 + (highest + 8) / 8];
        for (int bit : bits) content[1 + bit / 8] |= (byte) (0x80 >>> (bit % 8));
        content[0] = (byte) (highest < 0 ? 0 : 7 - highest % 8);
        return tlv(BIT_STRING, highest < 0 ? new byte[] {0} : content);
    }

    /** @return an OCTET STRING */
    public static byte[] octetString(byte[] bytes) {
        return tlv(OCTET_STRING, bytes);
    }

    /** @return a UTF8String */
    public static byte[] utf8String(String value) {
        return tlv(UTF8_STRING, value.getBytes(StandardCharsets.UTF_8));
    }

    /** @return a PrintableString; the caller keeps to its characters: letters, digits, space, {@code '()+,-./:=?} */
    public static byte[] printableString(String value) {
        return tlv(PRINTABLE_STRING, value.getBytes(StandardCharsets.US_ASCII));
    }

    /** @return an X.509 Time: UTCTime before 2050, GeneralizedTime after, to the second (RFC 5280 §4.1.2.5) */
    public static byte[] time(Instant instant) {
        Instant seconds = instant.truncatedTo(ChronoUnit.SECONDS);
        boolean utc = seconds.isBefore(UTC_TIME_END) && !seconds.isBefore(Instant.parse("1950-01-01T00:00:00Z"));
        String text = (utc ? UTC_TIME_FORMAT : GENERALIZED_TIME_FORMAT).format(seconds);
        return tlv(utc ? UTC_TIME : GENERALIZED_TIME, text.getBytes(StandardCharsets.US_ASCII));
    }

    /** @return {@code [number] EXPLICIT}: a constructed context-specific tag wrapping one whole TLV */
    public static byte[] explicit(int number, byte[] encoded) {
        return tlv(CONTEXT | CONSTRUCTED | number, encoded);
    }

    /** @return {@code [number] IMPLICIT} for a primitive type: a context-specific tag over the raw content */
    public static byte[] implicit(int number, byte[] content) {
        return tlv(CONTEXT | number, content);
    }

    private static void writeBase128(ByteArrayOutputStream out, BigInteger value) {
        if (value.signum() < 0) throw new IllegalArgumentException("negative OID arc");
        int groups = Math.max(1, (value.bitLength() + 6) / 7);
        for (int i = groups - 1; i >= 0; i--) {
            int group = value.shiftRight(7 * i).intValue() & 0x7f;
            out.write(i == 0 ? group : group | 0x80);
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) out.writeBytes(part);
        return out.toByteArray();
    }
}
