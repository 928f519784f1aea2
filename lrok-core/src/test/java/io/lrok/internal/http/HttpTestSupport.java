package io.lrok.internal.http;

import io.lrok.http.HttpLimits;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Helpers for the codec tests: readers over strings, inputs that trickle or count, reading whole connections. */
final class HttpTestSupport {
    private HttpTestSupport() {
    }

    static byte[] bytes(String s) {
        return s.getBytes(ISO_8859_1);
    }

    static String string(byte[] b) {
        return new String(b, ISO_8859_1);
    }

    static HttpReader reader(String s) {
        return new HttpReader(new ByteArrayInputStream(bytes(s)));
    }

    /** One request read from a connection: its head, its body (decoded or raw) and its trailers. */
    record Message(RequestHead head, byte[] body, HttpHeaders trailers) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Message m && head.equals(m.head) && java.util.Arrays.equals(body, m.body)
                    && java.util.Objects.equals(trailers, m.trailers);
        }

        @Override
        public int hashCode() {
            return head.hashCode();
        }
    }

    /** Every request of a connection until it ends or fails; {@code status} is 0 if it ended cleanly. */
    record Connection(List<Message> messages, int status) {
    }

    /** Reads requests and their bodies until a clean end or an {@link HttpException}; any other failure escapes. */
    static Connection readAll(HttpReader reader, boolean raw) throws IOException {
        HttpLimits limits = HttpLimits.defaults();
        List<Message> messages = new ArrayList<>();
        try {
            RequestHead head;
            while ((head = reader.readRequestHead(limits)) != null) {
                BodyFraming framing = BodyFraming.forRequest(head);
                InputStream body = raw ? reader.rawBody(framing, limits) : reader.body(framing, limits);
                byte[] content = body.readAllBytes();
                HttpHeaders trailers = body instanceof ChunkedInputStream c ? c.trailers() : null;
                messages.add(new Message(head, content, trailers));
            }
            return new Connection(messages, 0);
        } catch (HttpException e) {
            return new Connection(messages, e.status());
        }
    }

    /** Reads one request with its body and returns 0, or the status of the {@link HttpException} it fails with. */
    static int statusOf(String raw) throws IOException {
        Connection c = readAll(reader(raw), false);
        if (c.status() == 0 && c.messages().isEmpty()) throw new AssertionError("no request in " + raw);
        return c.status();
    }

    /** An input that returns at most a few bytes per read, so that lines and bodies straddle buffer refills. */
    static final class TrickleInputStream extends InputStream {
        private final byte[] data;
        private final Random random;
        private final int maxRead;
        private int pos;

        TrickleInputStream(byte[] data, Random random, int maxRead) {
            this.data = data;
            this.random = random;
            this.maxRead = maxRead;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) return 0;
            if (pos == data.length) return -1;
            int n = Math.min(Math.min(len, 1 + random.nextInt(maxRead)), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    /** A prefix, then {@code pattern} repeated up to {@code total} bytes, made on the fly; counts what was read. */
    static final class GeneratedInputStream extends InputStream {
        private final byte[] prefix;
        private final byte[] pattern;
        private final long total;
        private long pos;

        GeneratedInputStream(String prefix, String pattern, long total) {
            this.prefix = bytes(prefix);
            this.pattern = bytes(pattern);
            this.total = total;
        }

        long bytesRead() {
            return pos;
        }

        @Override
        public int read() {
            if (pos == total) return -1;
            return byteAt(pos++);
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos == total) return -1;
            int n = (int) Math.min(len, total - pos);
            for (int i = 0; i < n; i++) b[off + i] = (byte) byteAt(pos++);
            return n;
        }

        private int byteAt(long i) {
            return (i < prefix.length ? prefix[(int) i] : pattern[(int) ((i - prefix.length) % pattern.length)]) & 0xff;
        }
    }

    static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }
}
