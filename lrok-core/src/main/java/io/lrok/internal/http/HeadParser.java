package io.lrok.internal.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.util.Arrays;

/**
 * Parses the lines of a head (RFC 9112 §3, §4, §5) from a byte slice that holds one line without its CRLF. Pure:
 * no I/O and no state. Strict: one SP between the parts of a start line, no whitespace before a field's colon, no
 * line folding, no control characters but HTAB in values. Strings are ISO-8859-1, one char per byte.
 */
final class HeadParser {
    /** The length of {@code HTTP/x.y}. */
    private static final int VERSION_LENGTH = 8;
    /** The length of a status code. */
    private static final int STATUS_LENGTH = 3;
    /** How much of an offending line an error message quotes. */
    private static final int MAX_QUOTE = 64;

    /**
     * Field names most heads carry, in their usual case. A parsed name equal to one, byte for byte, is that constant
     * rather than a new string: a lookup by the same constant (string literals are one instance in a JVM) then
     * matches by identity, and the name costs no allocation.
     */
    private static final String[] KNOWN_NAMES = {"Host", "Accept", "User-Agent", "Accept-Encoding",
            "Accept-Language", "Connection", "Content-Length", "Content-Type", "Transfer-Encoding", "Upgrade",
            "Date", "Server", "Cache-Control", "Cookie", "Set-Cookie", "Authorization", "Origin", "Referer",
            "Location", "Vary", "ETag", "Last-Modified", "Keep-Alive", "Forwarded", "X-Forwarded-For",
            "X-Forwarded-Proto", "X-Forwarded-Host", "X-Request-Id", "Content-Encoding",
            // the JDK's HttpServer writes these two so
            "Content-length", "Content-type"};
    /** The methods most requests have, as constants like {@link #KNOWN_NAMES}. */
    private static final String[] KNOWN_METHODS = {"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"};
    /** {@link #KNOWN_NAMES} by length. */
    private static final String[][] KNOWN_BY_LENGTH;
    /** Their bytes, in the same places. */
    private static final byte[][][] KNOWN_BYTES_BY_LENGTH;

    static {
        int longest = 0;
        for (String name : KNOWN_NAMES) longest = Math.max(longest, name.length());
        KNOWN_BY_LENGTH = new String[longest + 1][0];
        KNOWN_BYTES_BY_LENGTH = new byte[longest + 1][0][];
        for (String name : KNOWN_NAMES) {
            int n = name.length();
            String[] same = Arrays.copyOf(KNOWN_BY_LENGTH[n], KNOWN_BY_LENGTH[n].length + 1);
            same[same.length - 1] = name;
            KNOWN_BY_LENGTH[n] = same;
            byte[][] bytes = Arrays.copyOf(KNOWN_BYTES_BY_LENGTH[n], same.length);
            bytes[bytes.length - 1] = name.getBytes(ISO_8859_1);
            KNOWN_BYTES_BY_LENGTH[n] = bytes;
        }
    }

    /**
     * A request line's parts, checked.
     *
     * @param method  the method
     * @param target  the request target
     * @param version {@link RequestHead#HTTP_1_1} or {@link RequestHead#HTTP_1_0}
     */
    record RequestLine(String method, String target, String version) {
    }

    /**
     * A status line's parts, checked.
     *
     * @param version {@link RequestHead#HTTP_1_1} or {@link RequestHead#HTTP_1_0}
     * @param status  the status code
     * @param reason  the reason phrase
     */
    record StatusLine(String version, int status, String reason) {
    }

    /** Field lines as they are parsed; becomes an {@link HttpHeaders} without a copy. */
    static final class Fields {
        private static final int INITIAL_FIELDS = 16;
        private String[] namesAndValues = new String[2 * INITIAL_FIELDS];
        private int size;

        void add(String name, String value) {
            if (2 * size == namesAndValues.length) namesAndValues = Arrays.copyOf(namesAndValues, 4 * size);
            namesAndValues[2 * size] = name;
            namesAndValues[2 * size + 1] = value;
            size++;
        }

        int size() {
            return size;
        }

        HttpHeaders build() {
            return HttpHeaders.trusted(namesAndValues, size);
        }
    }

    private HeadParser() {
    }

    /** Parses {@code method SP request-target SP HTTP-version}. */
    static RequestLine parseRequestLine(byte[] a, int off, int len) throws HttpException {
        int end = off + len;
        int sp1 = indexOf(a, off, end, Syntax.SP);
        if (sp1 < 0) throw notThreeParts(a, off, len);
        if (sp1 == off) throw HttpException.badRequest("request line starts with whitespace");
        for (int i = off; i < sp1; i++) {
            if (!Syntax.isTchar(a[i] & 0xff)) {
                throw HttpException.badRequest("invalid character " + Syntax.describe(a[i] & 0xff) + " in method");
            }
        }
        int sp2 = indexOf(a, sp1 + 1, end, Syntax.SP);
        if (sp2 < 0) throw notThreeParts(a, off, len);
        if (sp2 == sp1 + 1) throw HttpException.badRequest("empty request target, or two SPs after the method");
        for (int i = sp1 + 1; i < sp2; i++) {
            if (!Syntax.isTargetChar(a[i] & 0xff)) {
                throw HttpException.badRequest("invalid character " + Syntax.describe(a[i] & 0xff)
                        + " in request target");
            }
        }
        String version = parseVersion(a, sp2 + 1, end - sp2 - 1);
        return new RequestLine(method(a, off, sp1 - off), string(a, sp1 + 1, sp2 - sp1 - 1), version);
    }

    /**
     * Parses {@code HTTP-version SP status-code SP [reason-phrase]}. Lenient in one point: the SP after the status
     * code may be missing when the reason is empty (many servers omit it).
     */
    static StatusLine parseStatusLine(byte[] a, int off, int len) throws HttpException {
        int codeAt = off + VERSION_LENGTH + 1;
        if (len < VERSION_LENGTH + 1 + STATUS_LENGTH || a[off + VERSION_LENGTH] != Syntax.SP) {
            throw HttpException.badRequest("status line is not 'version SP status SP reason': " + quote(a, off, len));
        }
        String version = parseVersion(a, off, VERSION_LENGTH);
        int status = 0;
        for (int i = codeAt; i < codeAt + STATUS_LENGTH; i++) {
            int c = a[i];
            if (c < '0' || c > '9') throw badStatusCode(a, off, len);
            status = status * 10 + c - '0';
        }
        if (status < ResponseHead.MIN_STATUS || status > ResponseHead.MAX_STATUS) {
            throw HttpException.badRequest("status code out of range: " + status);
        }
        int reasonAt = codeAt + STATUS_LENGTH;
        int end = off + len;
        if (reasonAt < end && a[reasonAt++] != Syntax.SP) {
            throw badStatusCode(a, off, len);
        }
        for (int i = reasonAt; i < end; i++) checkValueChar(a[i] & 0xff, "the reason phrase");
        String reason = reasonAt >= end ? "" : end - reasonAt == 2 && equals(a, reasonAt, "OK") ? "OK"
                : string(a, reasonAt, end - reasonAt);
        return new StatusLine(version, status, reason);
    }

    /** Parses {@code field-name ":" OWS field-value OWS} into {@code out}; the line is not empty. */
    static void parseField(byte[] a, int off, int len, Fields out) throws HttpException {
        if (Syntax.isWhitespace(a[off])) {
            throw HttpException.badRequest("field line starts with whitespace (obs-fold is not allowed)");
        }
        int end = off + len;
        int colon = off;
        while (colon < end && a[colon] != ':') {
            int c = a[colon] & 0xff;
            if (Syntax.isWhitespace(c) && indexOf(a, colon, end, (byte) ':') >= 0) {
                throw HttpException.badRequest("whitespace between field name and colon");
            }
            if (!Syntax.isTchar(c)) {
                throw HttpException.badRequest("invalid character " + Syntax.describe(c) + " in field name");
            }
            colon++;
        }
        if (colon == end) throw HttpException.badRequest("field line without a colon: " + quote(a, off, len));
        if (colon == off) throw HttpException.badRequest("empty field name");
        String name = name(a, off, colon - off);
        int start = colon + 1;
        while (start < end && Syntax.isWhitespace(a[start])) start++;
        while (end > start && Syntax.isWhitespace(a[end - 1])) end--;
        for (int i = start; i < end; i++) checkValueChar(a[i] & 0xff, name);
        out.add(name, string(a, start, end - start));
    }

    /** Parses {@code HTTP/DIGIT.DIGIT}: 1.0 stays, 1.1 to 1.9 become 1.1, other majors are 505. */
    private static String parseVersion(byte[] a, int off, int len) throws HttpException {
        if (len != VERSION_LENGTH || a[off] != 'H' || a[off + 1] != 'T' || a[off + 2] != 'T' || a[off + 3] != 'P'
                || a[off + 4] != '/' || !isDigit(a[off + 5]) || a[off + 6] != '.' || !isDigit(a[off + 7])) {
            if (indexOf(a, off, off + len, Syntax.CR) >= 0) throw HttpException.badRequest("bare CR in the start line");
            throw HttpException.badRequest("malformed HTTP version: " + quote(a, off, len));
        }
        if (a[off + 5] != '1') {
            throw new HttpException(HttpException.VERSION_NOT_SUPPORTED,
                    "HTTP version " + string(a, off, len) + " is not supported, only HTTP/1.x");
        }
        return a[off + 7] == '0' ? RequestHead.HTTP_1_0 : RequestHead.HTTP_1_1;
    }

    private static HttpException notThreeParts(byte[] a, int off, int len) {
        return HttpException.badRequest("request line is not 'method SP target SP version': " + quote(a, off, len));
    }

    private static HttpException badStatusCode(byte[] a, int off, int len) {
        return HttpException.badRequest("status code is not 3 digits followed by SP: " + quote(a, off, len));
    }

    private static void checkValueChar(int c, String where) throws HttpException {
        if (Syntax.isFieldValueChar(c)) return;
        String what = c == Syntax.CR ? "bare CR" : "control character " + Syntax.describe(c);
        throw HttpException.badRequest(what + " in " + (where.startsWith("the ") ? where : "the value of " + where));
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    static int indexOf(byte[] a, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (a[i] == b) return i;
        }
        return -1;
    }

    /** A method: the constant for the usual ones, else a new string. */
    private static String method(byte[] a, int off, int len) {
        for (String known : KNOWN_METHODS) {
            if (known.length() == len && equals(a, off, known)) return known;
        }
        return string(a, off, len);
    }

    /** A field name: the constant of {@link #KNOWN_NAMES} if it is one, else a new string. */
    private static String name(byte[] a, int off, int len) {
        if (len < KNOWN_BY_LENGTH.length) {
            byte[][] candidates = KNOWN_BYTES_BY_LENGTH[len];
            int last = off + len - 1;
            for (int i = 0; i < candidates.length; i++) {
                byte[] known = candidates[i];
                // first and last byte tell most apart at once (Content-Type and Content-type both end in e)
                if (a[off] == known[0] && a[last] == known[len - 1]
                        && Arrays.equals(a, off, off + len, known, 0, len)) {
                    return KNOWN_BY_LENGTH[len][i];
                }
            }
        }
        return string(a, off, len);
    }

    /** Whether the bytes at {@code off} are the chars of {@code s}; the caller checked the length. */
    private static boolean equals(byte[] a, int off, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (a[off + i] != s.charAt(i)) return false;
        }
        return true;
    }

    static String string(byte[] a, int off, int len) {
        return new String(a, off, len, ISO_8859_1);
    }

    /** The start of a line for an error message, with non-printable bytes escaped. */
    static String quote(byte[] a, int off, int len) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = off; i < off + Math.min(len, MAX_QUOTE); i++) {
            int c = a[i] & 0xff;
            if (c >= Syntax.SP && c < 0x7f && c != '"' && c != '\\') sb.append((char) c);
            else sb.append(String.format("\\x%02x", c));
        }
        return sb.append(len > MAX_QUOTE ? "\"..." : "\"").toString();
    }
}
