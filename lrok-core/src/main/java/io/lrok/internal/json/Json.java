package io.lrok.internal.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A tiny, strict JSON codec (RFC 8259) for messages of a few kilobytes. Pure: no I/O and no state.
 *
 * <p>{@code parse} maps JSON to plain Java values: object → {@link java.util.LinkedHashMap}{@code <String, Object>}
 * (member order kept), array → {@link java.util.ArrayList}, string → {@link String}, true/false → {@link Boolean},
 * null → {@code null}, number → {@link Long} when it is written without fraction or exponent and fits in 64 bits,
 * otherwise {@link Double} (so larger integers lose precision; numbers beyond the range of a double are rejected).
 * Strict: exactly one value with only JSON whitespace around it; no comments, trailing commas, byte order mark,
 * leading zeros, raw control characters or unpaired surrogates; byte input must be well-formed UTF-8; duplicate
 * member names are rejected (RFC 8259 leaves them undefined, and two readers could pick different ones);
 * containers nest at most {@link #MAX_DEPTH} deep. An <em>escaped</em> lone surrogate ({@code "\ud800"}) is
 * accepted, as the RFC's grammar allows, and becomes a lone surrogate char.
 *
 * <p>{@code write} produces compact text (no whitespace) from the same types, plus any {@link Map} with string
 * keys, any {@link Iterable}, and {@link Integer}, {@link Short}, {@link Byte}, {@link Float}, {@link BigInteger},
 * {@link BigDecimal}. Strings keep non-ASCII characters and surrogate pairs as they are; quote, backslash and
 * control characters are escaped, and so are unpaired surrogates, so the text always encodes to valid UTF-8 and
 * parses back to the same string.
 */
public final class Json {

    /** The deepest nesting of arrays and objects that {@code parse} accepts and {@code write} produces. */
    public static final int MAX_DEPTH = 32;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Json() {
    }

    /**
     * Parses JSON text.
     *
     * @param text     the text
     * @param maxChars the longest text accepted
     * @return the value, as described in the class comment
     * @throws JsonException if the text is not valid JSON or passes a limit; the offset counts chars
     */
    public static Object parse(String text, int maxChars) throws JsonException {
        if (text.length() > maxChars) {
            throw new JsonException("input of " + text.length() + " chars exceeds the limit of " + maxChars, maxChars);
        }
        return JsonParser.parse(text, false);
    }

    /**
     * Parses JSON text encoded in UTF-8.
     *
     * @param utf8     the bytes
     * @param maxBytes the longest input accepted
     * @return the value, as described in the class comment
     * @throws JsonException if the bytes are not valid UTF-8 or JSON or pass a limit; the offset counts bytes
     */
    public static Object parse(byte[] utf8, int maxBytes) throws JsonException {
        if (utf8.length > maxBytes) {
            throw new JsonException("input of " + utf8.length + " bytes exceeds the limit of " + maxBytes, maxBytes);
        }
        ByteBuffer in = ByteBuffer.wrap(utf8);
        CharBuffer out = CharBuffer.allocate(utf8.length); // UTF-8 never yields more chars than bytes
        var decoder = StandardCharsets.UTF_8.newDecoder(); // reports malformed input: no silent U+FFFD
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) result = decoder.flush(out);
        if (result.isError()) throw new JsonException("invalid UTF-8", in.position());
        return JsonParser.parse(out.flip().toString(), true);
    }

    /**
     * Writes a value as compact JSON.
     *
     * @param value a value of one of the types listed in the class comment
     * @return the JSON text
     * @throws IllegalArgumentException for another type, a non-string map key, a NaN or infinite number, or
     *                                  nesting deeper than {@link #MAX_DEPTH} (a cycle, say)
     */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object value, int depth) {
        switch (value) {
            case null -> sb.append("null");
            case String s -> writeString(sb, s);
            case Boolean b -> sb.append(b.booleanValue());
            case Number n -> writeNumber(sb, n);
            case Map<?, ?> map -> {
                checkDepth(depth);
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!(e.getKey() instanceof String key)) {
                        throw new IllegalArgumentException("JSON object keys must be strings: " + e.getKey());
                    }
                    if (!first) sb.append(',');
                    first = false;
                    writeString(sb, key);
                    sb.append(':');
                    write(sb, e.getValue(), depth + 1);
                }
                sb.append('}');
            }
            case Iterable<?> items -> {
                checkDepth(depth);
                sb.append('[');
                boolean first = true;
                for (Object item : items) {
                    if (!first) sb.append(',');
                    first = false;
                    write(sb, item, depth + 1);
                }
                sb.append(']');
            }
            default -> throw new IllegalArgumentException("cannot write a " + value.getClass().getName() + " as JSON");
        }
    }

    private static void checkDepth(int depth) {
        if (depth >= MAX_DEPTH) throw new IllegalArgumentException("JSON nesting deeper than " + MAX_DEPTH);
    }

    private static void writeNumber(StringBuilder sb, Number n) {
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (!Double.isFinite(d)) throw new IllegalArgumentException("JSON has no " + d);
            sb.append(n); // Double.toString's forms ("1.0", "1.0E-5") are all valid JSON numbers
        } else if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte
                || n instanceof BigInteger || n instanceof BigDecimal) {
            sb.append(n);
        } else {
            throw new IllegalArgumentException("cannot write a " + n.getClass().getName() + " as JSON");
        }
    }

    private static void writeString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        escape(sb, c);
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        sb.append(c).append(s.charAt(++i)); // a pair: one code point, kept as it is
                    } else if (Character.isSurrogate(c)) {
                        escape(sb, c); // unpaired: has no UTF-8 encoding, so only an escape survives
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static void escape(StringBuilder sb, char c) {
        sb.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf])
                .append(HEX[c & 0xf]);
    }
}
