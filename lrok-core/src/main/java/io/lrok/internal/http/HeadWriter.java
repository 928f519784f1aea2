package io.lrok.internal.http;

import java.util.Arrays;

/**
 * Assembles a head into one byte array, so that it goes out in one write (one mux frame). Chars are written as
 * ISO-8859-1 bytes; callers pass only strings that were checked to be in that range.
 */
final class HeadWriter {
    private static final int INITIAL_SIZE = 256;

    private byte[] buf = new byte[INITIAL_SIZE];
    private int len;

    HeadWriter append(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) buf[len++] = (byte) s.charAt(i);
        return this;
    }

    HeadWriter append(char c) {
        ensure(1);
        buf[len++] = (byte) c;
        return this;
    }

    HeadWriter crlf() {
        ensure(2);
        buf[len++] = Syntax.CR;
        buf[len++] = Syntax.LF;
        return this;
    }

    byte[] toBytes() {
        return Arrays.copyOf(buf, len);
    }

    private void ensure(int more) {
        if (len + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
}
