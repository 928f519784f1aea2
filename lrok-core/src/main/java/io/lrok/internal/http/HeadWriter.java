package io.lrok.internal.http;

import java.util.Arrays;

/**
 * Assembles a head into one byte array, so that it goes out in one write (one mux frame). Chars are written as
 * ISO-8859-1 bytes; callers pass only strings that were checked to be in that range. A writer given the head's exact
 * size (as {@link RequestHead#toBytes()} computes it) fills one array and hands it out without a copy; one that
 * grows copies once at the end.
 */
final class HeadWriter {
    private static final int INITIAL_SIZE = 256;
    /** The bytes of {@code ": "} and CRLF around a field's name and value. */
    static final int FIELD_OVERHEAD = 4;

    private byte[] buf;
    private int len;

    HeadWriter() {
        this(INITIAL_SIZE);
    }

    /** @param size the head's size, if known (then {@link #toBytes()} does not copy) */
    HeadWriter(int size) {
        buf = new byte[size];
    }

    /**
     * Appends a string's chars as bytes. String.getBytes(int, int, byte[], int) is the one JDK call that copies a
     * Latin-1 string's bytes into an array as they are (an arraycopy), without a charset or a new array; for any char
     * above 0xFF it keeps the low byte, as a cast would, but checked strings hold none.
     */
    @SuppressWarnings("deprecation")
    HeadWriter append(String s) {
        int n = s.length();
        ensure(n);
        s.getBytes(0, n, buf, len);
        len += n;
        return this;
    }

    HeadWriter append(char c) {
        ensure(1);
        buf[len++] = (byte) c;
        return this;
    }

    /** Appends a status code, 100 to 599: three digits. */
    HeadWriter appendStatus(int status) {
        ensure(3);
        buf[len++] = (byte) ('0' + status / 100);
        buf[len++] = (byte) ('0' + status / 10 % 10);
        buf[len++] = (byte) ('0' + status % 10);
        return this;
    }

    /** Appends {@code name: value CRLF}. */
    HeadWriter field(String name, String value) {
        ensure(name.length() + value.length() + FIELD_OVERHEAD);
        append(name);
        buf[len++] = ':';
        buf[len++] = Syntax.SP;
        append(value);
        buf[len++] = Syntax.CR;
        buf[len++] = Syntax.LF;
        return this;
    }

    HeadWriter crlf() {
        ensure(2);
        buf[len++] = Syntax.CR;
        buf[len++] = Syntax.LF;
        return this;
    }

    /** Appends bytes as they are (a body that goes out with its head). */
    HeadWriter append(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
        return this;
    }

    /** @return what was written: the array itself if it is exactly full, else a copy */
    byte[] toBytes() {
        return len == buf.length ? buf : Arrays.copyOf(buf, len);
    }

    private void ensure(int more) {
        if (len + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
}
