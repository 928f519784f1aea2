package io.lrok.internal.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    private static final int MAX = 1 << 20;

    private static Object parse(String text) throws JsonException {
        return Json.parse(text, MAX);
    }

    @Test
    void parsesEveryKindOfValueIntoPlainJavaTypes() throws Exception {
        Object value = parse(" {\"s\":\"x\",\"i\":-42,\"d\":1.5e3,\"t\":true,\"f\":false,\"n\":null,"
                + "\"a\":[1,[],{}],\"o\":{\"k\":0}} ");
        assertThat(value).isInstanceOf(LinkedHashMap.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) value;
        assertThat(map.keySet()).containsExactly("s", "i", "d", "t", "f", "n", "a", "o");
        assertThat(map.get("s")).isEqualTo("x");
        assertThat(map.get("i")).isEqualTo(-42L);
        assertThat(map.get("d")).isEqualTo(1500.0);
        assertThat(map.get("t")).isEqualTo(true);
        assertThat(map.get("f")).isEqualTo(false);
        assertThat(map.containsKey("n")).isTrue();
        assertThat(map.get("n")).isNull();
        assertThat(map.get("a")).isInstanceOf(ArrayList.class).isEqualTo(List.of(1L, List.of(), Map.of()));
        assertThat(map.get("o")).isEqualTo(Map.of("k", 0L));
    }

    @Test
    void scalarsAtTheTopLevelAreValues() throws Exception {
        assertThat(parse("\"x\"")).isEqualTo("x");
        assertThat(parse("7")).isEqualTo(7L);
        assertThat(parse("null")).isNull();
        assertThat(parse("\t\r\ntrue ")).isEqualTo(true);
    }

    @Test
    void numbersAreLongsWhenIntegralAndInRangeOtherwiseDoubles() throws Exception {
        assertThat(parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(parse("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        assertThat(parse("9223372036854775808")).isEqualTo(9.223372036854775808e18);
        assertThat(parse("1.0")).isEqualTo(1.0);
        assertThat(parse("1E2")).isEqualTo(100.0);
        assertThat(parse("-0")).isEqualTo(0L);
        assertThat(parse("-0.0")).isEqualTo(-0.0);
        assertThat(parse("1e-400")).isEqualTo(0.0);
    }

    @Test
    void escapesDecode() throws Exception {
        assertThat(parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"")).isEqualTo("\"\\/\b\f\n\r\t");
        assertThat(parse("\"\\u00e9\\u00C9\"")).isEqualTo("éÉ");
        assertThat(parse("\"\\ud83d\\ude00\"")).isEqualTo("😀");
        assertThat(parse("\"\\ud800\"")).isEqualTo("\ud800"); // the grammar allows it; we keep it
        assertThat(parse("\"😀é\"")).isEqualTo("😀é");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "01", "-01", "1.", ".1", "+1", "1e", "1e+", "-", "0x10", "NaN", "Infinity",
        "1e400", "-1e400", "[1,]", "[,1]", "[1 2]", "{\"a\":1,}", "{a:1}", "{\"a\" 1}", "{\"a\":}", "{,}", "'a'",
        "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"\\U0041\"", "tru", "True", "nul", "nulll", "1 2", "[", "]", "{",
        "\"abc", "\"a\u0001\"", "\"a\nb\"", "\"\ud800\"", "\"\udc00x\"", "\ufeff{}", "\u00a01", "/**/1", "[1]//",
        "{\"a\":1,\"a\":2}", "\"\\u0\""})
    void rejectsWhatRfc8259Rejects(String text) {
        assertThatThrownBy(() -> parse(text)).isInstanceOf(JsonException.class);
    }

    @Test
    void errorsSayWhereInCharsOrBytes() {
        assertThatThrownBy(() -> parse("[\"é\",x]")).isInstanceOfSatisfying(JsonException.class,
                e -> assertThat(e.offset()).isEqualTo(5));
        assertThatThrownBy(() -> Json.parse("[\"é\",x]".getBytes(StandardCharsets.UTF_8), MAX))
                .isInstanceOfSatisfying(JsonException.class, e -> {
                    assertThat(e.offset()).isEqualTo(6);
                    assertThat(e).hasMessage("unexpected 'x' at offset 6");
                });
        assertThatThrownBy(() -> parse("{\"a\":1,\"a\":2}"))
                .hasMessage("duplicate member name \"a\" at offset 7");
    }

    @Test
    void rejectsMalformedUtf8WithItsByteOffset() {
        byte[][] bad = {
            {'"', (byte) 0xc3, '(', '"'},                    // a lead byte without its continuation
            {'"', (byte) 0xc0, (byte) 0xaf, '"'},           // overlong '/'
            {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'}, // a surrogate encoded in UTF-8
            {'"', (byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"'}, // beyond U+10FFFF
            {'"', (byte) 0xe2, (byte) 0x82},                 // truncated at the end
        };
        for (byte[] b : bad) {
            assertThatThrownBy(() -> Json.parse(b, MAX)).isInstanceOfSatisfying(JsonException.class,
                    e -> assertThat(e.offset()).isEqualTo(1));
        }
    }

    @Test
    void enforcesTheCallersSizeLimit() throws Exception {
        assertThat(Json.parse("[1]", 3)).isEqualTo(List.of(1L));
        assertThatThrownBy(() -> Json.parse("[1] ", 3)).isInstanceOf(JsonException.class)
                .hasMessageContaining("exceeds the limit of 3");
        assertThatThrownBy(() -> Json.parse(new byte[4], 3)).isInstanceOf(JsonException.class);
    }

    @Test
    void nestingStopsAtMaxDepth() throws Exception {
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertThat(parse(ok)).isInstanceOf(List.class);
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        assertThatThrownBy(() -> parse(deep)).hasMessageContaining("nesting deeper than 32");
        String objects = "{\"a\":".repeat(Json.MAX_DEPTH + 1);
        assertThatThrownBy(() -> parse(objects)).hasMessageContaining("nesting deeper than 32");
        assertThatThrownBy(() -> parse("[".repeat(100_000))).isInstanceOf(JsonException.class);
    }

    @Test
    void writesCompactText() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("a", List.of(1, 2L, (short) 3, (byte) 4));
        map.put("b", null);
        map.put("c", Map.of());
        map.put("d", 1.5);
        map.put("e", true);
        map.put("f", new BigInteger("123456789012345678901234567890"));
        map.put("g", new BigDecimal("1.25"));
        map.put("h", 0.5f);
        assertThat(Json.write(map))
                .isEqualTo("{\"a\":[1,2,3,4],\"b\":null,\"c\":{},\"d\":1.5,\"e\":true,"
                        + "\"f\":123456789012345678901234567890,\"g\":1.25,\"h\":0.5}");
    }

    @Test
    void writesDoublesThatParseBackExactly() throws Exception {
        for (double d : new double[] {1e20, 1e-7, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, 0.1 + 0.2}) {
            assertThat(parse(Json.write(d))).isEqualTo(d);
        }
    }

    @Test
    void escapesOnlyWhatMustBeEscaped() {
        assertThat(Json.write("q\"b\\/\n\r\t\b\f\u0000\u001f\u007f é😀"))
                .isEqualTo("\"q\\\"b\\\\/\\n\\r\\t\\b\\f\\u0000\\u001f\u007f é😀\"");
    }

    @Test
    void escapesLoneSurrogatesSoTheTextStaysValidUtf8() throws Exception {
        String s = "a\ud83d" + "b\ude00" + "\ude00\ud83d" + "\ud83d";
        String json = Json.write(s);
        assertThat(json).isEqualTo("\"a\\ud83db\\ude00\\ude00\\ud83d\\ud83d\"");
        assertThat(Json.parse(json.getBytes(StandardCharsets.UTF_8), MAX)).isEqualTo(s);
    }

    @Test
    void refusesWhatJsonCannotHold() {
        assertThatThrownBy(() -> Json.write(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.write(Float.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.write(Map.of(1, "x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.write(new Object())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.write(new java.util.concurrent.atomic.AtomicLong()))
                .isInstanceOf(IllegalArgumentException.class);
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        assertThatThrownBy(() -> Json.write(cycle)).hasMessageContaining("nesting deeper than 32");
    }

    @Test
    void writesAsDeepAsItParses() throws Exception {
        Object nested = List.of();
        for (int i = 1; i < Json.MAX_DEPTH; i++) nested = List.of(nested);
        assertThat(parse(Json.write(nested))).isEqualTo(nested);
        Object tooDeep = List.of(nested);
        assertThatThrownBy(() -> Json.write(tooDeep)).isInstanceOf(IllegalArgumentException.class);
    }
}
