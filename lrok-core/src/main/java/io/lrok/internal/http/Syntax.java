package io.lrok.internal.http;

/**
 * The character classes of RFC 9110 §5.6 and RFC 9112, as lookup tables over a byte (or an ISO-8859-1 char).
 * Pure; shared by the parser and by the checks on heads built in code.
 */
final class Syntax {
    static final byte CR = '\r';
    static final byte LF = '\n';
    static final byte SP = ' ';
    static final byte HTAB = '\t';

    /** tchar: the characters of a token (method, field name, transfer coding). */
    private static final boolean[] TCHAR = new boolean[256];
    /** field-vchar, SP and HTAB: what a field value may hold; obs-text (0x80-0xFF) included, CTLs and DEL not. */
    private static final boolean[] FIELD_VALUE = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) TCHAR[c] = true;
        for (int c = 'a'; c <= 'z'; c++) TCHAR[c] = true;
        for (int c = 'A'; c <= 'Z'; c++) TCHAR[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TCHAR[c] = true;
        for (int c = 0x20; c < 256; c++) FIELD_VALUE[c] = c != 0x7f;
        FIELD_VALUE[HTAB] = true;
    }

    private Syntax() {
    }

    static boolean isTchar(int c) {
        return c < 256 && TCHAR[c];
    }

    static boolean isFieldValueChar(int c) {
        return c < 256 && FIELD_VALUE[c];
    }

    static boolean isWhitespace(int c) {
        return c == SP || c == HTAB;
    }

    /** A request target's characters: visible, no SP; obs-text passes through (some clients send raw UTF-8). */
    static boolean isTargetChar(int c) {
        return c > SP && c != 0x7f && c < 256;
    }

    static boolean isToken(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            if (!isTchar(s.charAt(i))) return false;
        }
        return true;
    }

    static int hexValue(int c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    /** Names a byte in an error message: printable ones as themselves, others in hex. */
    static String describe(int c) {
        if (c == CR) return "CR";
        if (c == LF) return "LF";
        if (c > SP && c < 0x7f) return "'" + (char) c + "'";
        return String.format("0x%02x", c);
    }
}
