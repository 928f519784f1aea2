package io.lrok.internal.http;

import static io.lrok.internal.http.HttpTestSupport.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.http.HttpLimits;
import io.lrok.internal.http.HttpTestSupport.TrickleInputStream;
import io.lrok.testing.Fuzz;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded fuzzing of the HTTP reader ({@link HttpReader}, {@link HeadParser}, {@link ChunkedInputStream}) on
 * mutated valid requests, mutated valid responses and random bytes, under default and small limits. Reproducible:
 * a failure names its case seed, and {@code -Dlrok.fuzz.seed=<seed>} with {@code -Dtest=HttpCodecFuzzTest#<method>}
 * runs it alone ({@link io.lrok.testing.Fuzz}). {@link HttpFuzzTest} checks that what is accepted is forwarded
 * faithfully; this test checks how the reader fails and what it costs.
 *
 * <p>What must hold for every input: the reader throws nothing but {@link HttpException}, with one of the statuses
 * the package documents (a response head: 502 only); it returns (the inputs are finite, and the test has a
 * {@code @Timeout}); and the bytes it allocates stay within {@link #allocationBound}: a fixed part plus a
 * multiple of the input, and never more than a multiple of the configured limits per head however long the input.
 */
@Timeout(120)
class HttpCodecFuzzTest {
    private static final long RUN_SEED = 0x4854_5450_F022L;

    /** The statuses a request may fail with (package documentation of io.lrok.internal.http). */
    private static final Set<Integer> REQUEST_STATUSES = Set.of(400, 414, 431, 501, 505);
    /** A response head fails with 502 only; its chunked body, read by the same code as a request's, as a body does. */
    private static final Set<Integer> RESPONSE_BODY_STATUSES = Set.of(400, 431, 502);

    /**
     * Allocation bound: at most {@code FIXED_BYTES} plus the reader's buffer, plus {@code BYTES_PER_BYTE} for each
     * byte the reader may take as head or chunk-size line: the input's length, but never more than the configured
     * limits of one message (request line, header section, trailer section, one chunk-size line) per message read.
     * Strings are one byte a character (compact strings); the factor leaves room for a field's name, value, list
     * entry and lower-cased key, and for the exception of a failure.
     */
    private static final long FIXED_BYTES = 64 * 1024;
    private static final long BYTES_PER_BYTE = 16;

    private static final String[] REQUESTS = {
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST /p?q=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhello",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;x=y\r\nhello\r\n6;q=\"a b\"\r\n world\r\n0\r\nTrailer-One: 1\r\n\r\n",
        "GET /one HTTP/1.1\r\nHost: a\r\n\r\nPUT /two HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
        "GET http://h/ HTTP/1.0\r\nUser-Agent: x\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: h:80\r\nAccept: */*\r\nX-Tab:\tv\r\n\r\n",
    };

    private static final String[] RESPONSES = {
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Trailer: y\r\n\r\n",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nX: y\r\n\r\n",
        "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n",
        "HTTP/1.1 302 \r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n",
    };

    /** Fragments that matter to an HTTP parser, inserted by the mutations. */
    private static final String[] TOKENS = {
        "\r\n", "\n", "\r", " ", "\t", ":", ",", ";", "=", "\"", "0", "1", "f", "x", "-", "+", "\u0000", "\u007f",
        "\u00ff", "Host: b\r\n", "Content-Length: 3\r\n", "Content-Length: 99999999999999999999\r\n",
        "Transfer-Encoding: chunked\r\n", "Transfer-Encoding: gzip\r\n", "0\r\n\r\n", "ffffffffffffffff\r\n",
        "HTTP/1.0", "HTTP/2.0", "\r\n\r\n", " \r\n", "\r\n\t", "-1\r\n",
    };

    /**
     * The first reads load classes and bootstrap string concatenation for the exceptions' messages: a one-time
     * cost, not a cost of an input, so it is paid before measuring.
     */
    @BeforeAll
    static void warmUp() {
        Random random = new Random(0);
        for (int i = 0; i < 2000; i++) {
            try {
                readRequests(mutate(pick(REQUESTS, random), random), random);
                readResponses(mutate(pick(RESPONSES, random), random), random);
            } catch (IOException | AssertionError ignored) {
                // measured for real in the tests
            }
        }
    }

    @Test
    void requestsFailOnlyWithTheirDocumentedStatusesAndBoundedAllocation() {
        long[] worst = {0};
        Fuzz.run("requests", RUN_SEED, 10_000, (random, seed) -> {
            byte[] input = random.nextInt(8) == 0 ? randomBytes(random) : mutate(pick(REQUESTS, random), random);
            worst[0] = Math.max(worst[0], readRequests(input, random));
        });
        System.out.println("fuzz requests: the largest share of its allocation bound a case used: " + worst[0] + "%");
    }

    @Test
    void responsesFailOnlyWith502OrABodyStatusAndBoundedAllocation() {
        long[] worst = {0};
        Fuzz.run("responses", RUN_SEED + 1, 10_000, (random, seed) -> {
            byte[] input = random.nextInt(8) == 0 ? randomBytes(random) : mutate(pick(RESPONSES, random), random);
            worst[0] = Math.max(worst[0], readResponses(input, random));
        });
        System.out.println("fuzz responses: the largest share of its allocation bound a case used: " + worst[0] + "%");
    }

    @Test
    void longRunsCostTheLimitsNotTheInput() {
        // Inputs far past every limit: a request line, a field, a chunk-size line and a trailer section that never
        // end. What the reader allocates must follow the limits, here small, not the megabytes sent.
        Fuzz.run("long runs", RUN_SEED + 2, 40, (random, seed) -> {
            String prefix = switch (random.nextInt(4)) {
                case 0 -> "GET /";
                case 1 -> "GET / HTTP/1.1\r\nHost: a\r\nX: ";
                case 2 -> "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a=";
                default -> "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n";
            };
            String pattern = random.nextBoolean() ? "a" : "X-Many: fields\r\n";
            long total = (1 + random.nextInt(4)) << 20;
            HttpLimits limits = smallLimits(random);
            int bufferSize = HttpReader.MIN_BUFFER_SIZE + random.nextInt(4096);
            long before = Fuzz.allocatedBytes();
            int status = readAll(new HttpReader(new HttpTestSupport.GeneratedInputStream(prefix, pattern, total),
                    bufferSize), limits, new int[1]);
            long allocated = Fuzz.allocatedBytes() - before;
            assertThat(status).isIn(REQUEST_STATUSES);
            assertThat(allocated).as("bytes allocated for %d bytes of input", total)
                    .isLessThanOrEqualTo(allocationBound(Long.MAX_VALUE, 1, limits, bufferSize));
        });
    }

    /** Reads requests until the input ends or fails; returns the share of its allocation bound used, in percent. */
    private static long readRequests(byte[] input, Random random) throws IOException {
        HttpLimits limits = random.nextInt(4) == 0 ? smallLimits(random) : HttpLimits.defaults();
        int bufferSize = HttpReader.MIN_BUFFER_SIZE + random.nextInt(random.nextBoolean() ? 64 : 16 * 1024);
        HttpReader reader = new HttpReader(new TrickleInputStream(input, new Random(random.nextLong()), 1 + random.nextInt(64)),
                bufferSize);
        int[] heads = new int[1];
        long before = Fuzz.allocatedBytes();
        int status = readAll(reader, limits, heads);
        long allocated = Fuzz.allocatedBytes() - before;
        if (status != 0) assertThat(status).as("status").isIn(REQUEST_STATUSES);
        long bound = allocationBound(input.length, heads[0] + 1, limits, bufferSize);
        assertThat(allocated).as("bytes allocated for %d bytes of input, %d heads", input.length, heads[0])
                .isLessThanOrEqualTo(bound);
        return 100 * allocated / bound;
    }

    /**
     * Reads requests and drains their bodies (raw or decoded, at random) through a fixed buffer, so that only the
     * reader allocates; returns 0 at a clean end or the failure's status, and counts the heads read.
     */
    private static int readAll(HttpReader reader, HttpLimits limits, int[] heads) throws IOException {
        byte[] sink = new byte[512];
        try {
            RequestHead head;
            boolean raw = false;
            while ((head = reader.readRequestHead(limits)) != null) {
                heads[0]++;
                BodyFraming framing = BodyFraming.forRequest(head);
                InputStream body = raw ? reader.rawBody(framing, limits) : reader.body(framing, limits);
                while (body.read(sink) >= 0) {
                    // drained
                }
                raw = !raw;
            }
            return 0;
        } catch (HttpException e) {
            return e.status();
        }
    }

    /** Reads responses as the relay does; returns the share of its allocation bound used, in percent. */
    private static long readResponses(byte[] input, Random random) throws IOException {
        HttpLimits limits = random.nextInt(4) == 0 ? smallLimits(random) : HttpLimits.defaults();
        int bufferSize = HttpReader.MIN_BUFFER_SIZE + random.nextInt(random.nextBoolean() ? 64 : 16 * 1024);
        HttpReader reader = new HttpReader(new TrickleInputStream(input, new Random(random.nextLong()), 1 + random.nextInt(64)),
                bufferSize);
        String method = random.nextInt(5) == 0 ? "HEAD" : "GET";
        byte[] sink = new byte[512];
        int heads = 0;
        long before = Fuzz.allocatedBytes();
        try {
            ResponseHead head;
            while (true) {
                try {
                    head = reader.readResponseHead(limits);
                } catch (HttpException e) {
                    assertThat(e.status()).as("status of a bad response head: %s", e.getMessage()).isEqualTo(502);
                    break;
                }
                if (head == null) break;
                heads++;
                if (head.status() / 100 == 1 && head.status() != 101) continue; // interim: the final one follows
                InputStream body;
                try {
                    body = reader.rawBody(BodyFraming.forResponse(method, head), limits);
                } catch (HttpException e) {
                    assertThat(e.status()).as("status of bad response framing: %s", e.getMessage()).isEqualTo(502);
                    break;
                }
                while (body.read(sink) >= 0) {
                    // drained
                }
                if (head.status() == 101) break; // the rest is the upgraded protocol's
            }
        } catch (HttpException e) {
            assertThat(e.status()).as("status of a bad response body: %s", e.getMessage()).isIn(RESPONSE_BODY_STATUSES);
        }
        long allocated = Fuzz.allocatedBytes() - before;
        long bound = allocationBound(input.length, heads + 1, limits, bufferSize);
        assertThat(allocated).as("bytes allocated for %d bytes of input, %d heads", input.length, heads)
                .isLessThanOrEqualTo(bound);
        return 100 * allocated / bound;
    }

    /**
     * The documented allocation bound of reading {@code inputLength} bytes that hold at most {@code messages}
     * messages: {@link #FIXED_BYTES} and the buffer, plus {@link #BYTES_PER_BYTE} per byte of the input, or of the
     * limits of that many messages if that is less.
     */
    static long allocationBound(long inputLength, int messages, HttpLimits limits, int bufferSize) {
        long perMessage = (long) limits.maxRequestLineLength() + limits.maxHeaderSectionSize()
                + limits.maxTrailerSectionSize() + limits.maxChunkSizeLineLength();
        return FIXED_BYTES + bufferSize + BYTES_PER_BYTE * Math.min(inputLength, messages * perMessage);
    }

    /** Limits a few hundred bytes to a few KiB, so that mutations often cross them. */
    private static HttpLimits smallLimits(Random random) {
        return new HttpLimits(64 + random.nextInt(1024), 64 + random.nextInt(4096), 1 + random.nextInt(20),
                32 + random.nextInt(256), 2 + random.nextInt(2048));
    }

    private static byte[] pick(String[] seeds, Random random) {
        return bytes(seeds[random.nextInt(seeds.length)]);
    }

    /** Random bytes, often from a small alphabet of the bytes HTTP syntax hinges on. */
    private static byte[] randomBytes(Random random) {
        byte[] out = new byte[random.nextInt(random.nextBoolean() ? 64 : 8192)];
        byte[] alphabet = bytes("GET HTTP/1.1\r\n:;0a \t\"");
        boolean small = random.nextBoolean();
        for (int i = 0; i < out.length; i++) {
            out[i] = small ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt(256);
        }
        return out;
    }

    /** One to four mutations: replace, insert a token, delete, duplicate, truncate, or a long run. */
    private static byte[] mutate(byte[] data, Random random) {
        byte[] out = data;
        for (int m = 1 + random.nextInt(4); m > 0; m--) {
            int at = random.nextInt(out.length + 1);
            out = switch (random.nextInt(6)) {
                case 0 -> {
                    if (at < out.length) out[at] = (byte) random.nextInt(256);
                    yield out;
                }
                case 1 -> insert(out, at, bytes(TOKENS[random.nextInt(TOKENS.length)]));
                case 2 -> {
                    int n = Math.min(1 + random.nextInt(8), out.length - at);
                    byte[] shorter = new byte[out.length - n];
                    System.arraycopy(out, 0, shorter, 0, at);
                    System.arraycopy(out, at + n, shorter, at, out.length - at - n);
                    yield shorter;
                }
                case 3 -> insert(out, at, Arrays.copyOfRange(out, at, Math.min(out.length, at + 1 + random.nextInt(32))));
                case 4 -> Arrays.copyOf(out, at);
                default -> {
                    byte[] run = new byte[random.nextBoolean() ? random.nextInt(64) : random.nextInt(20_000)];
                    Arrays.fill(run, (byte) "a0 \t:;".charAt(random.nextInt(6)));
                    yield insert(out, at, run);
                }
            };
        }
        return out;
    }

    private static byte[] insert(byte[] data, int at, byte[] insert) {
        byte[] out = new byte[data.length + insert.length];
        System.arraycopy(data, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(data, at, out, at + insert.length, data.length - at);
        return out;
    }
}
