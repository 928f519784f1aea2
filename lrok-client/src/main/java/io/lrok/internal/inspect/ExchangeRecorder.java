package io.lrok.internal.inspect;

import io.lrok.inspect.ExchangeState;
import io.lrok.inspect.ExchangeTimings;
import io.lrok.inspect.Header;
import io.lrok.inspect.RecordedBody;
import io.lrok.inspect.RecordedExchange;
import io.lrok.inspect.RecordedRequest;
import io.lrok.inspect.RecordedResponse;
import io.lrok.internal.http.HttpHeaders;
import io.lrok.internal.http.RequestHead;
import io.lrok.internal.http.ResponseHead;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Records one exchange as the forwarder runs it: the forwarder and the request pump call it at each step, and the
 * body tees copy bytes into bounded {@link BodyCapture}s after they have been written on. {@link #snapshot()}
 * gives the immutable public view at any moment.
 *
 * <p>The exchange becomes visible to {@code takeRequest} and {@code requests()} once its request is complete:
 * when the request body has been passed to the local app in full (at once for a request without a body), or when
 * the exchange ends without that happening (then {@link RecordedRequest#bodyComplete()} is false).
 *
 * <p>{@link #lock} guards every mutable field below it; it is held only to copy bytes or fields, never while
 * calling the store (the store's lock is taken first when both are needed). The fields marked "store's lock" are
 * the {@link ExchangeStore}'s to read and write.
 */
public final class ExchangeRecorder {
    private final ExchangeStore store;
    private final long id;
    private final Instant start;
    private final long startNanos;
    private final String method;
    private final String target;
    private final String httpVersion;
    private final List<Header> requestHeaders;
    private final boolean requestChunked;
    private final String clientAddress;
    private final String scheme;
    private final String host;
    private final OptionalLong replayOf;

    private final ReentrantLock lock = new ReentrantLock();
    private final BodyCapture requestBody;
    private boolean requestEnded;
    private boolean requestBodyComplete;
    private long requestEndNanos = -1;
    private RecordedRequest requestSnapshot;
    private ResponseHead response;
    private boolean responseChunked;
    private boolean fromAgent;
    private long firstByteNanos = -1;
    private BodyCapture responseBody;
    private boolean upgraded;
    private ExchangeState state = ExchangeState.IN_PROGRESS;
    private String error;
    private long endNanos = -1;
    /** Bumped at every change of state, so that a reader of events can drop one older than what it has. */
    private long revision;

    /** Store's lock: the order in which requests became complete, from 1; 0 while not visible yet. */
    long visibleSeq;
    /** Store's lock: handed out by takeRequest already. */
    boolean taken;
    /** Store's lock: evicted from the ring or cleared; no more events for it. */
    boolean removed;

    ExchangeRecorder(ExchangeStore store, long id, RequestHead request, boolean chunked, String clientAddress,
            String scheme, String host, OptionalLong replayOf, Instant start, long startNanos, int bodyLimit) {
        this.store = store;
        this.id = id;
        this.start = start;
        this.startNanos = startNanos;
        this.method = request.method();
        this.target = request.target();
        this.httpVersion = request.version();
        this.requestHeaders = headers(request.headers());
        this.requestChunked = chunked;
        this.clientAddress = clientAddress;
        this.scheme = scheme;
        this.host = host;
        this.replayOf = replayOf;
        this.requestBody = new BodyCapture(bodyLimit, chunked);
    }

    /** @return the exchange's id in its tunnel */
    public long id() {
        return id;
    }

    /** @return whether the request came with an Upgrade (a WebSocket handshake) */
    boolean upgradeRequest() {
        return requestHeaders.stream().anyMatch(h -> h.name().equalsIgnoreCase("Upgrade"));
    }

    /**
     * @param out where the request body is written on (the local app)
     * @return a stream that writes to {@code out} and then copies what it wrote into the capture
     */
    public OutputStream teeRequestBody(OutputStream out) {
        return new Tee(out, true);
    }

    /**
     * The request body has ended, or will not be read further: the exchange becomes visible to takeRequest.
     *
     * @param complete whether the whole body reached the local app
     */
    public void requestEnded(boolean complete) {
        lock.lock();
        try {
            if (requestEnded) return;
            requestEnded = true;
            requestBodyComplete = complete;
            requestEndNanos = System.nanoTime();
            requestSnapshot = requestLocked();
            revision++;
        } finally {
            lock.unlock();
        }
        store.visible(this);
    }

    /**
     * The final response head, as sent to the public client (101 included).
     *
     * @param head    the head
     * @param chunked whether its body is chunked (then the tee decodes it)
     */
    public void response(ResponseHead head, boolean chunked) {
        response(head, chunked, false);
    }

    /**
     * A complete response lrok wrote itself because the local app could not answer.
     *
     * @param head    its head
     * @param body    its body
     * @param message why, for {@link RecordedExchange#error()}
     */
    public void agentResponse(ResponseHead head, byte[] body, String message) {
        lock.lock();
        try {
            error = message;
        } finally {
            lock.unlock();
        }
        response(head, false, true);
        lock.lock();
        try {
            responseBody.write(body, 0, body.length);
        } finally {
            lock.unlock();
        }
    }

    private void response(ResponseHead head, boolean chunked, boolean agent) {
        lock.lock();
        try {
            if (response != null) return;
            response = head;
            responseChunked = chunked;
            fromAgent = agent;
            firstByteNanos = System.nanoTime();
            responseBody = new BodyCapture(store.bodyLimit(), chunked);
            upgraded = head.status() == 101;
            revision++;
        } finally {
            lock.unlock();
        }
        store.changed(this);
    }

    /**
     * @param out where the response body is written on (the relay)
     * @return a stream that writes to {@code out} and then copies what it wrote into the capture
     */
    public OutputStream teeResponseBody(OutputStream out) {
        return new Tee(out, false);
    }

    /**
     * The exchange failed (aborted); the first reason is kept.
     *
     * @param reason why, in a few words
     */
    public void failed(String reason) {
        lock.lock();
        try {
            if (state != ExchangeState.IN_PROGRESS) return;
            state = ExchangeState.FAILED;
            if (error == null) error = reason;
            endNanos = System.nanoTime();
            revision++;
        } finally {
            lock.unlock();
        }
        requestEnded(false);
        store.changed(this);
    }

    /** The forwarder is done with the exchange: it ends as complete unless it failed. Idempotent. */
    public void finished() {
        boolean changed = false;
        lock.lock();
        try {
            if (state == ExchangeState.IN_PROGRESS) {
                state = response != null ? ExchangeState.COMPLETE : ExchangeState.FAILED;
                if (response == null && error == null) error = "no response";
                endNanos = System.nanoTime();
                revision++;
                changed = true;
            }
        } finally {
            lock.unlock();
        }
        requestEnded(false); // a no-op if the request ended already
        if (changed) store.changed(this);
    }

    /** @return the request as recorded now (final once the request has ended) */
    public RecordedRequest request() {
        lock.lock();
        try {
            return requestSnapshot != null ? requestSnapshot : requestLocked();
        } finally {
            lock.unlock();
        }
    }

    /** @return the exchange as recorded now */
    public RecordedExchange snapshot() {
        return versioned().exchange();
    }

    /**
     * A snapshot with its revision, for events.
     *
     * @param exchange the snapshot
     * @param revision how many changes of state led to it
     */
    public record Versioned(RecordedExchange exchange, long revision) {
    }

    /** @return the exchange as recorded now, with its revision */
    public Versioned versioned() {
        lock.lock();
        try {
            RecordedRequest request = requestSnapshot != null ? requestSnapshot : requestLocked();
            Optional<RecordedResponse> recordedResponse = Optional.empty();
            if (response != null) {
                List<Header> headers = headers(response.headers());
                RecordedBody body = responseBody.snapshot(response.headers().get("Content-Type"),
                        response.headers().get("Content-Encoding"));
                boolean complete = state == ExchangeState.COMPLETE && !upgraded;
                recordedResponse = Optional.of(new RecordedResponse(response.status(), response.reason(),
                        response.version(), headers, body, complete, responseChunked, fromAgent));
            }
            ExchangeTimings timings = new ExchangeTimings(start, since(requestEndNanos), since(firstByteNanos),
                    since(endNanos));
            return new Versioned(new RecordedExchange(request, recordedResponse, state, upgraded, timings,
                    Optional.ofNullable(error)), revision);
        } finally {
            lock.unlock();
        }
    }

    private Optional<Duration> since(long nanos) {
        return nanos < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(nanos - startNanos));
    }

    private RecordedRequest requestLocked() {
        RecordedBody body = requestBody.snapshot(first("Content-Type"), first("Content-Encoding"));
        return new RecordedRequest(id, method, target, httpVersion, requestHeaders, body,
                requestEnded && requestBodyComplete, requestChunked, clientAddress, scheme, host, start, replayOf);
    }

    private String first(String name) {
        for (Header h : requestHeaders) if (h.name().equalsIgnoreCase(name)) return h.value();
        return null;
    }

    private static List<Header> headers(HttpHeaders headers) {
        List<Header> list = new ArrayList<>(headers.size());
        for (HttpHeaders.Field f : headers) list.add(new Header(f.name(), f.value()));
        return List.copyOf(list);
    }

    /** Writes on, then copies what was written into the request or response capture. */
    private final class Tee extends FilterOutputStream {
        private final boolean request;

        Tee(OutputStream out, boolean request) {
            super(out);
            this.request = request;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            lock.lock();
            try {
                BodyCapture capture = request ? requestBody : responseBody;
                if (capture != null) capture.write(b, off, len);
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public String toString() {
        return "ExchangeRecorder[#" + id + " " + method + " " + target + "]";
    }
}
