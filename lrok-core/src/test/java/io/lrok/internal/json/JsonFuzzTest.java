package io.lrok.internal.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded fuzzing: mutated documents either parse or fail with {@link JsonException} (never another exception, never
 * a hang), and whatever parses writes back to text that parses to the same value.
 */
@Timeout(60)
class JsonFuzzTest {

    private static final long SEED = 0x10c0_2025L;
    private static final int ROUNDS = 30_000;
    private static final int MAX = 64 * 1024;
    private static final byte[] INTERESTING = "{}[]\",:\\/-+.eE0123456789 \t\n\r tfnaluseu\u0000"
            .getBytes(StandardCharsets.ISO_8859_1);

    private static final String[] SEEDS = {
        "{\"type\":\"hello\",\"version\":1,\"token\":\"t0k\",\"client\":\"lrok-java/0.1.0\"}",
        "[1,-2.5e-3,true,false,null,\"\\u00e9\\ud83d\\ude00\\n\",{\"a\":[[]]}]",
        "{\"k\":{\"k\":{\"k\":[0,1e9,\"é😀\"]}},\"z\":\"\\\"\\\\\"}",
        "-0.0",
        "\"plain\"",
    };

    @Test
    void mutatedDocumentsFailOnlyWithJsonException() {
        Random rng = new Random(SEED);
        int parsed = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] doc = SEEDS[rng.nextInt(SEEDS.length)].getBytes(StandardCharsets.UTF_8);
            int mutations = 1 + rng.nextInt(4);
            for (int m = 0; m < mutations; m++) doc = mutate(doc, rng);
            if (check(doc, round)) parsed++;
        }
        assertThat(parsed).as("some mutants stay valid").isPositive();
    }

    @Test
    void randomBytesFailOnlyWithJsonException() {
        Random rng = new Random(SEED + 1);
        for (int round = 0; round < ROUNDS; round++) {
            byte[] doc = new byte[rng.nextInt(64)];
            for (int i = 0; i < doc.length; i++) {
                doc[i] = rng.nextBoolean() ? INTERESTING[rng.nextInt(INTERESTING.length)] : (byte) rng.nextInt();
            }
            check(doc, round);
        }
    }

    @Test
    void randomValuesRoundTrip() throws Exception {
        Random rng = new Random(SEED + 2);
        for (int round = 0; round < 5_000; round++) {
            Object value = randomValue(rng, 0);
            String json = Json.write(value);
            assertThat(Json.parse(json, Integer.MAX_VALUE)).as(json).isEqualTo(value);
            assertThat(Json.parse(json.getBytes(StandardCharsets.UTF_8), Integer.MAX_VALUE)).isEqualTo(value);
        }
    }

    /** Parses as bytes and as a string; returns whether it parsed. */
    private static boolean check(byte[] doc, int round) {
        Object value;
        try {
            value = Json.parse(doc, MAX);
        } catch (JsonException expected) {
            assertThat(expected.offset()).isBetween(0, doc.length);
            return false;
        } catch (RuntimeException | Error e) {
            throw new AssertionError("round " + round + ": " + Arrays.toString(doc), e);
        }
        try {
            String text = Json.write(value);
            assertThat(Json.parse(text, MAX)).isEqualTo(value);
            assertThat(Json.parse(new String(doc, StandardCharsets.UTF_8), MAX)).isEqualTo(value);
        } catch (JsonException e) {
            fail("round " + round + ": parsed once but not again: " + Arrays.toString(doc), e);
        }
        return true;
    }

    private static byte[] mutate(byte[] doc, Random rng) {
        if (doc.length == 0) return new byte[] {INTERESTING[rng.nextInt(INTERESTING.length)]};
        int at = rng.nextInt(doc.length);
        return switch (rng.nextInt(6)) {
            case 0 -> { // overwrite with an interesting byte
                byte[] copy = doc.clone();
                copy[at] = INTERESTING[rng.nextInt(INTERESTING.length)];
                yield copy;
            }
            case 1 -> { // flip a bit
                byte[] copy = doc.clone();
                copy[at] ^= (byte) (1 << rng.nextInt(8));
                yield copy;
            }
            case 2 -> { // delete a byte
                byte[] copy = new byte[doc.length - 1];
                System.arraycopy(doc, 0, copy, 0, at);
                System.arraycopy(doc, at + 1, copy, at, doc.length - at - 1);
                yield copy;
            }
            case 3 -> { // insert an interesting byte
                byte[] copy = new byte[doc.length + 1];
                System.arraycopy(doc, 0, copy, 0, at);
                copy[at] = INTERESTING[rng.nextInt(INTERESTING.length)];
                System.arraycopy(doc, at, copy, at + 1, doc.length - at);
                yield copy;
            }
            case 4 -> Arrays.copyOf(doc, at); // truncate
            default -> { // duplicate a slice: deepens nesting, repeats keys
                int len = 1 + rng.nextInt(doc.length - at);
                byte[] copy = new byte[doc.length + len];
                System.arraycopy(doc, 0, copy, 0, at + len);
                System.arraycopy(doc, at, copy, at + len, doc.length - at);
                yield copy;
            }
        };
    }

    private static Object randomValue(Random rng, int depth) {
        int kind = rng.nextInt(depth >= Json.MAX_DEPTH - 1 ? 5 : 7);
        return switch (kind) {
            case 0 -> null;
            case 1 -> rng.nextBoolean();
            case 2 -> rng.nextLong() >> rng.nextInt(64);
            case 3 -> {
                double d = Double.longBitsToDouble(rng.nextLong());
                yield Double.isFinite(d) ? d : rng.nextGaussian();
            }
            case 4 -> randomString(rng);
            case 5 -> {
                List<Object> list = new ArrayList<>();
                for (int i = rng.nextInt(4); i > 0; i--) list.add(randomValue(rng, depth + 1));
                yield list;
            }
            default -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = rng.nextInt(4); i > 0; i--) map.put(randomString(rng), randomValue(rng, depth + 1));
                yield map;
            }
        };
    }

    /** Any chars at all, lone surrogates included: write must escape whatever UTF-8 cannot carry. */
    private static String randomString(Random rng) {
        char[] chars = new char[rng.nextInt(8)];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = switch (rng.nextInt(4)) {
                case 0 -> (char) rng.nextInt(0x80);
                case 1 -> (char) (0xd800 + rng.nextInt(0x800));
                default -> (char) rng.nextInt(0x10000);
            };
        }
        return new String(chars);
    }
}
