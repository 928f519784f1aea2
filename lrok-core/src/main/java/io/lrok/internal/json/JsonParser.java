package io.lrok.internal.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recursive-descent parser behind {@link Json#parse}: one instance per call, over decoded text. Recursion is
 * bounded by {@link Json#MAX_DEPTH}, so hostile input cannot overflow the stack.
 */
final class JsonParser {

    private static final int END = -1;

    private final String text;
    private final boolean byteOffsets; // report offsets in UTF-8 bytes: the caller passed bytes
    private int pos;
    private int depth;

    private JsonParser(String text, boolean byteOffsets) {
        this.text = text;
        this.byteOffsets = byteOffsets;
    }

    static Object parse(String text, boolean byteOffsets) throws JsonException {
        JsonParser parser = new JsonParser(text, byteOffsets);
        parser.skipWhitespace();
        Object value = parser.value();
        parser.skipWhitespace();
        if (parser.pos < text.length()) throw parser.error("unexpected " + parser.describe() + " after the value");
        return value;
    }

    private Object value() throws JsonException {
        int c = peek();
        switch (c) {
            case '{': return object();
            case '[': return array();
            case '"': return string();
            case 't': return literal("true", Boolean.TRUE);
            case 'f': return literal("false", Boolean.FALSE);
            case 'n': return literal("null", null);
            default:
                if (c == '-' || isDigit(c)) return number();
                throw error("unexpected " + describe());
        }
    }

    private Map<String, Object> object() throws JsonException {
        enter();
        Map<String, Object> members = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
        } else {
            while (true) {
                skipWhitespace();
                if (peek() != '"') throw error("expected a member name but found " + describe());
                int at = pos;
                String name = string();
                if (members.containsKey(name)) throw error("duplicate member name \"" + name + "\"", at);
                skipWhitespace();
                expect(':');
                skipWhitespace();
                members.put(name, value());
                skipWhitespace();
                if (peek() == '}') break;
                expect(',');
            }
            pos++;
        }
        depth--;
        return members;
    }

    private List<Object> array() throws JsonException {
        enter();
        List<Object> items = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
        } else {
            while (true) {
                skipWhitespace();
                items.add(value());
                skipWhitespace();
                if (peek() == ']') break;
                expect(',');
            }
            pos++;
        }
        depth--;
        return items;
    }

    /** Consumes the opening bracket of a container. */
    private void enter() throws JsonException {
        if (++depth > Json.MAX_DEPTH) throw error("nesting deeper than " + Json.MAX_DEPTH);
        pos++;
    }

    private String string() throws JsonException {
        pos++; // the opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) throw error("unterminated string");
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                return sb.toString();
            } else if (c == '\\') {
                pos++;
                sb.append(escape());
            } else if (c < 0x20) {
                throw error("unescaped control character " + describe() + " in a string");
            } else if (Character.isHighSurrogate(c) && pos + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(pos + 1))) {
                sb.append(c).append(text.charAt(pos + 1));
                pos += 2;
            } else if (Character.isSurrogate(c)) {
                throw error("unpaired surrogate " + describe() + " in a string");
            } else {
                sb.append(c);
                pos++;
            }
        }
    }

    private char escape() throws JsonException {
        int c = peek();
        pos++;
        switch (c) {
            case '"': return '"';
            case '\\': return '\\';
            case '/': return '/';
            case 'b': return '\b';
            case 'f': return '\f';
            case 'n': return '\n';
            case 'r': return '\r';
            case 't': return '\t';
            case 'u':
                int value = 0;
                for (int i = 0; i < 4; i++) {
                    int h = hexValue(peek());
                    if (h < 0) throw error("expected a hex digit but found " + describe());
                    value = value << 4 | h;
                    pos++;
                }
                return (char) value;
            default:
                pos--;
                throw error("invalid escape \\" + describe());
        }
    }

    private Object number() throws JsonException {
        int start = pos;
        boolean integral = true;
        if (peek() == '-') pos++;
        if (peek() == '0') {
            pos++; // a leading zero stands alone: "01" fails on the '1' that follows
        } else {
            digits("a digit");
        }
        if (peek() == '.') {
            integral = false;
            pos++;
            digits("a digit after the decimal point");
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            digits("a digit in the exponent");
        }
        String literal = text.substring(start, pos);
        if (integral) {
            try {
                return Long.parseLong(literal);
            } catch (NumberFormatException beyondLong) {
                // falls through to a double, as documented
            }
        }
        double d = Double.parseDouble(literal); // the grammar above admits only what Java's grammar accepts
        if (Double.isInfinite(d)) throw error("number out of range", start);
        return d;
    }

    private void digits(String what) throws JsonException {
        if (!isDigit(peek())) throw error("expected " + what + " but found " + describe());
        while (isDigit(peek())) pos++;
    }

    private Object literal(String word, Object value) throws JsonException {
        if (!text.startsWith(word, pos)) throw error("unexpected " + describe());
        pos += word.length();
        return value;
    }

    private void expect(char c) throws JsonException {
        if (peek() != c) throw error("expected '" + c + "' but found " + describe());
        pos++;
    }

    private void skipWhitespace() {
        for (int c = peek(); c == ' ' || c == '\t' || c == '\n' || c == '\r'; c = peek()) pos++;
    }

    private int peek() {
        return pos < text.length() ? text.charAt(pos) : END;
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9'; // not Character.isDigit: that accepts other scripts' digits
    }

    private static int hexValue(int c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    private String describe() {
        int c = peek();
        if (c == END) return "end of input";
        if (c > 0x20 && c < 0x7f) return "'" + (char) c + "'";
        return String.format("U+%04X", c);
    }

    private JsonException error(String message) {
        return error(message, pos);
    }

    private JsonException error(String message, int at) {
        return new JsonException(message, byteOffsets ? utf8Length(at) : at);
    }

    /** The UTF-8 length of the text before {@code end}: turns a char index into a byte offset. */
    private int utf8Length(int end) {
        int n = 0;
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3; // a pair is 4 bytes
        }
        return n;
    }
}
