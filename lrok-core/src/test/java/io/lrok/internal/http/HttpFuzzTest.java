package io.lrok.internal.http;

import static io.lrok.internal.http.HttpTestSupport.bytes;
import static io.lrok.internal.http.HttpTestSupport.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.internal.http.HttpTestSupport.Connection;
import io.lrok.internal.http.HttpTestSupport.Message;
import io.lrok.internal.http.HttpTestSupport.TrickleInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded, reproducible mutation fuzzing of the request reader. For every mutated input: only clean results or
 * {@link HttpException} come out; the decoded and the raw (pass-through) readings end the same way; and when the
 * input is valid, re-reading what a relay would forward (each head re-written, each body raw) gives the same
 * requests back. Reads arrive in random small pieces and the buffer is small, so lines straddle refills.
 */
@Timeout(120)
class HttpFuzzTest {
    private static final long SEED = 0x1A0C_2025L;
    private static final int ITERATIONS = 20_000;
    private static final int MAX_MUTATIONS = 4;

    private static final String[] SEEDS = {
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST /p?q=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhello",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;x=y\r\nhello\r\n6;q=\"a b\"\r\n world\r\n0\r\nTrailer-One: 1\r\n\r\n",
        "GET /one HTTP/1.1\r\nHost: a\r\n\r\nPUT /two HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                + "POST /three HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n",
        "GET http://h/ HTTP/1.0\r\nUser-Agent: x\r\n\r\n",
        "\r\nOPTIONS * HTTP/1.1\r\nHost: h:80\r\nAccept: */*\r\nX-Tab:\tv\r\n\r\n",
    };

    /** Fragments that tend to matter to an HTTP parser. */
    private static final String[] TOKENS = {
        "\r\n", "\n", "\r", " ", "\t", ":", ",", ";", "=", "\"", "\\", "0", "1", "f", "F", "x", "-", "+", "\u0000",
        "\u007f", "\u00ff", "Host: b\r\n", "Content-Length: 3\r\n", "Content-Length: 99999999999999999999\r\n",
        "Transfer-Encoding: chunked\r\n", "Transfer-Encoding: identity\r\n", "0\r\n\r\n", "HTTP/1.0", "HTTP/2.0",
        "\r\n\r\n", " \r\n",
    };

    @Test
    void mutatedRequestsFailOnlyWithHttpExceptionAndForwardFaithfully() throws Exception {
        Random random = new Random(SEED);
        int valid = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] input = mutate(bytes(SEEDS[random.nextInt(SEEDS.length)]), random);
            int bufferSize = HttpReader.MIN_BUFFER_SIZE + random.nextInt(64);
            long readSeed = random.nextLong();
            try {
                if (check(input, bufferSize, readSeed)) valid++;
            } catch (Throwable e) {
                throw new AssertionError("iteration " + i + ", buffer " + bufferSize + ", input "
                        + escape(input), e);
            }
        }
        // Not a correctness claim: a sanity check that the mutations leave enough inputs valid to test forwarding.
        assertThat(valid).isGreaterThan(ITERATIONS / 20);
    }

    /** @return whether the input was a valid sequence of requests */
    private static boolean check(byte[] input, int bufferSize, long readSeed) throws Exception {
        Connection decoded = readAll(new HttpReader(new TrickleInputStream(input, new Random(readSeed), 7),
                bufferSize), false);
        Connection raw = readAll(new HttpReader(new TrickleInputStream(input, new Random(readSeed), 7),
                bufferSize), true);
        assertThat(raw.status()).as("raw status").isEqualTo(decoded.status());
        assertThat(raw.messages()).as("raw messages").hasSameSizeAs(decoded.messages());
        if (decoded.status() != 0) return false;

        ByteArrayOutputStream forwarded = new ByteArrayOutputStream();
        for (Message m : raw.messages()) {
            m.head().writeTo(forwarded);
            forwarded.writeBytes(m.body());
        }
        Connection again = readAll(new HttpReader(new ByteArrayInputStream(forwarded.toByteArray())), false);
        assertThat(again.status()).as("status of the forwarded bytes").isZero();
        assertThat(again.messages()).as("forwarded requests").isEqualTo(decoded.messages());
        return true;
    }

    private static byte[] mutate(byte[] data, Random random) {
        List<Byte> bytes = new ArrayList<>(data.length + 64);
        for (byte b : data) bytes.add(b);
        int mutations = 1 + random.nextInt(MAX_MUTATIONS);
        for (int m = 0; m < mutations; m++) {
            int at = random.nextInt(bytes.size() + 1);
            switch (random.nextInt(6)) {
                case 0 -> { // replace a byte
                    if (at < bytes.size()) bytes.set(at, (byte) random.nextInt(256));
                }
                case 1 -> insert(bytes, at, bytes(TOKENS[random.nextInt(TOKENS.length)]));
                case 2 -> { // delete a run
                    int n = Math.min(1 + random.nextInt(8), bytes.size() - at);
                    bytes.subList(at, at + n).clear();
                }
                case 3 -> { // duplicate a run
                    int n = Math.min(1 + random.nextInt(32), bytes.size() - at);
                    insert(bytes, at, toArray(bytes.subList(at, at + n)));
                }
                case 4 -> bytes.subList(at, bytes.size()).clear(); // truncate
                default -> { // a long run of one byte, sometimes past a limit
                    byte[] run = new byte[random.nextBoolean() ? random.nextInt(64) : random.nextInt(20_000)];
                    Arrays.fill(run, (byte) "a0 \t:;".charAt(random.nextInt(6)));
                    insert(bytes, at, run);
                }
            }
        }
        return toArray(bytes);
    }

    /** The input as a Java string literal's content, to paste into a test; long runs shortened. */
    private static String escape(byte[] input) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(input.length, 4096); i++) {
            int c = input[i] & 0xff;
            if (c == '\r') sb.append("\\r");
            else if (c == '\n') sb.append("\\n");
            else if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') sb.append((char) c);
            else sb.append(String.format("\\u%04x", c));
        }
        return sb.append(input.length > 4096 ? "... (" + input.length + " bytes)" : "").toString();
    }

    private static void insert(List<Byte> bytes, int at, byte[] insert) {
        List<Byte> list = new ArrayList<>(insert.length);
        for (byte b : insert) list.add(b);
        bytes.addAll(at, list);
    }

    private static byte[] toArray(List<Byte> bytes) {
        byte[] out = new byte[bytes.size()];
        for (int i = 0; i < out.length; i++) out[i] = bytes.get(i);
        return out;
    }
}
