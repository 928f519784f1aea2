package io.lrok.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded fuzzing of the control decoder: whatever the bytes, reading gives messages, null at the end, or a
 * {@link WireException}; never another exception, never a hang. Every message that decodes encodes back to itself.
 */
@Timeout(60)
class ControlCodecFuzzTest {

    private static final long SEED = 0x1a0c_0001L;
    private static final int ROUNDS = 20_000;
    private static final String[] FIELDS = {"type", "version", "token", "client", "resumeSession", "resumeSecret",
        "sessionId", "relay", "domain", "id", "proto", "subdomain", "port", "tunnelId", "publicUrl", "reason",
        "graceMillis", "code", "message"};
    private static final String[] TYPES = {"hello", "welcome", "bind", "bound", "unbind", "shutdown", "error", "x"};

    @Test
    void mutatedStreamsFailOnlyWithWireException() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (ControlMessage m : ControlCodecTest.everyMessage().toList()) ControlCodec.write(all, m);
        byte[] original = all.toByteArray();
        Random rng = new Random(SEED);
        int decoded = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] bytes = original.clone();
            for (int m = 1 + rng.nextInt(3); m > 0; m--) {
                int at = rng.nextInt(bytes.length);
                switch (rng.nextInt(4)) {
                    case 0 -> bytes[at] = (byte) rng.nextInt();
                    case 1 -> bytes[at] ^= (byte) (1 << rng.nextInt(8));
                    case 2 -> bytes[at] = (byte) "{}[]\":,0-9aeflnrstu\\".charAt(rng.nextInt(20));
                    default -> bytes = Arrays.copyOf(bytes, at);
                }
                if (bytes.length == 0) break;
            }
            decoded += readAll(bytes, round);
        }
        assertThat(decoded).as("most messages survive a few mutations elsewhere").isGreaterThan(ROUNDS);
    }

    @Test
    void wellFormedJsonOfTheWrongShapeFailsOnlyWithWireException() throws IOException {
        Random rng = new Random(SEED + 1);
        int valid = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("type", rng.nextInt(10) == 0 ? randomValue(rng) : TYPES[rng.nextInt(TYPES.length)]);
            for (String field : FIELDS) {
                if (!field.equals("type") && rng.nextInt(3) > 0) json.put(field, randomValue(rng));
            }
            byte[] body = io.lrok.internal.json.Json.write(json).getBytes(StandardCharsets.UTF_8);
            try {
                ControlMessage m = ControlCodec.decode(body);
                byte[] again = ControlCodec.encode(m);
                assertThat(ControlCodec.decode(Arrays.copyOfRange(again, 4, again.length))).isEqualTo(m);
                valid++;
            } catch (WireException expected) {
                assertThat(expected).hasMessageNotContaining("null");
            } catch (RuntimeException e) {
                throw new AssertionError("round " + round + ": " + new String(body, StandardCharsets.UTF_8), e);
            }
        }
        assertThat(valid).isPositive();
    }

    private static int readAll(byte[] bytes, int round) {
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        int n = 0;
        try {
            for (ControlMessage m; (m = ControlCodec.read(in)) != null; n++) {
                byte[] frame = ControlCodec.encode(m);
                assertThat(ControlCodec.decode(Arrays.copyOfRange(frame, 4, frame.length))).isEqualTo(m);
            }
        } catch (WireException expected) {
            // the point: a clear protocol error
        } catch (IOException | RuntimeException e) {
            throw new AssertionError("round " + round + ": " + Arrays.toString(bytes), e);
        }
        return n;
    }

    private static Object randomValue(Random rng) {
        return switch (rng.nextInt(9)) {
            case 0 -> null;
            case 1 -> rng.nextBoolean();
            case 2 -> (long) rng.nextInt(70_000) - 2;
            case 3 -> rng.nextLong();
            case 4 -> rng.nextDouble();
            case 5 -> List.of("http");
            case 6 -> Map.of("k", 1L);
            case 7 -> List.of("http", "tcp", "https", "tcp://h:1", "a b", "", "unauthorized").get(rng.nextInt(7));
            default -> "s" + rng.nextInt(3);
        };
    }
}
