package io.lrok.e2e;

import io.lrok.testing.TestData;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Flow;

/** What the end-to-end tests share: bounds, public clients, hashing. */
final class E2e {
    /** The bound on any one wait for an event that should come at once. */
    static final Duration WAIT = Duration.ofSeconds(30);
    /** The bound on a curl run that should finish at once. */
    static final Duration CURL = Duration.ofSeconds(30);
    /** 1 GiB. */
    static final long GIB = 1L << 30;

    private E2e() {
    }

    /** @return a java.net.http client that speaks HTTP/1.1 only (no h2c upgrade attempt) */
    static HttpClient http11() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    /** @return the lower-case hex SHA-256 of everything the stream gives, read with a 64 KiB buffer */
    static String sha256(InputStream in) throws IOException {
        TestData.Sha256Sink sink = new TestData.Sha256Sink();
        in.transferTo(sink);
        return sink.hex();
    }

    /** @return a body subscriber that hashes the body as it arrives (SHA-256, hex) and keeps none of it */
    static BodySubscriber<Hashed> hashing() {
        Hasher hasher = new Hasher();
        return BodySubscribers.fromSubscriber(hasher, Hasher::result);
    }

    /** A body's SHA-256 and length. */
    record Hashed(String sha256, long length) {
    }

    private static final class Hasher implements Flow.Subscriber<List<ByteBuffer>> {
        private final MessageDigest digest = TestData.sha256();
        private long length;
        private Flow.Subscription subscription;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer b : buffers) {
                length += b.remaining();
                digest.update(b);
            }
            subscription.request(1);
        }

        @Override
        public void onError(Throwable t) {
            // the response future completes exceptionally
        }

        @Override
        public void onComplete() {
            // result() is called next
        }

        Hashed result() {
            return new Hashed(HexFormat.of().formatHex(digest.digest()), length);
        }
    }
}
