package io.lrok.internal.http;

/**
 * Parses a chunk-size line without its CRLF (RFC 9112 §7.1): {@code chunk-size *( BWS ";" BWS ext-name
 * [ BWS "=" BWS ( token / quoted-string ) ] )}. Pure. Strict: hex digits only (no sign, no {@code 0x}, no
 * whitespace before them), a size below 2^63, extensions that follow the grammar exactly. Extensions are
 * checked and ignored; their length is bounded by the line limit.
 */
final class ChunkSizeLine {
    /** The largest size that can take one more hex digit without passing {@link Long#MAX_VALUE}. */
    private static final long MAX_BEFORE_SHIFT = Long.MAX_VALUE >>> 4;

    private ChunkSizeLine() {
    }

    /** @return the chunk size, 0 for the last chunk */
    static long parse(byte[] a, int off, int len) throws HttpException {
        int end = off + len;
        int i = off;
        long size = 0;
        for (int digit; i < end && (digit = Syntax.hexValue(a[i] & 0xff)) >= 0; i++) {
            if (size > MAX_BEFORE_SHIFT) throw HttpException.badRequest("chunk size does not fit in 63 bits");
            size = (size << 4) | digit;
        }
        if (i == off) {
            throw HttpException.badRequest("chunk size is not a hex number: " + HeadParser.quote(a, off, len));
        }
        while (i < end) i = extension(a, i, end);
        return size;
    }

    /** Checks one {@code BWS ";" BWS ext-name [ BWS "=" BWS ext-val ]} starting at {@code i}; returns its end. */
    private static int extension(byte[] a, int i, int end) throws HttpException {
        i = skipWhitespace(a, i, end);
        if (i == end || a[i] != ';') {
            String what = i == end ? "whitespace" : "character " + Syntax.describe(a[i] & 0xff);
            throw HttpException.badRequest("invalid " + what + " after the chunk size");
        }
        i = skipWhitespace(a, i + 1, end);
        int nameStart = i;
        while (i < end && Syntax.isTchar(a[i] & 0xff)) i++;
        if (i == nameStart) throw HttpException.badRequest("chunk extension without a name");
        int afterName = skipWhitespace(a, i, end);
        if (afterName == end || a[afterName] != '=') return i;
        i = skipWhitespace(a, afterName + 1, end);
        if (i < end && a[i] == '"') return quotedString(a, i + 1, end);
        int valueStart = i;
        while (i < end && Syntax.isTchar(a[i] & 0xff)) i++;
        if (i == valueStart) throw HttpException.badRequest("chunk extension without a value after '='");
        return i;
    }

    /** Checks a quoted-string's content from after its opening quote; returns the index after the closing one. */
    private static int quotedString(byte[] a, int i, int end) throws HttpException {
        while (i < end) {
            int c = a[i] & 0xff;
            if (c == '"') return i + 1;
            if (c == '\\') {
                if (++i == end) break;
                c = a[i] & 0xff;
            }
            if (!Syntax.isFieldValueChar(c)) {
                throw HttpException.badRequest("invalid character " + Syntax.describe(c) + " in chunk extension");
            }
            i++;
        }
        throw HttpException.badRequest("unterminated quoted string in chunk extension");
    }

    private static int skipWhitespace(byte[] a, int i, int end) {
        while (i < end && Syntax.isWhitespace(a[i])) i++;
        return i;
    }
}
