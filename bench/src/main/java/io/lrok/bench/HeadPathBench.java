package io.lrok.bench;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import io.lrok.http.HttpLimits;
import io.lrok.internal.agent.AgentHeadSteps;
import io.lrok.internal.agent.HeaderEdits;
import io.lrok.internal.agent.HttpTunnelSpec;
import io.lrok.internal.agent.LocalTarget;
import io.lrok.internal.http.BodyFraming;
import io.lrok.internal.http.HttpReader;
import io.lrok.internal.http.RequestHead;
import io.lrok.internal.http.ResponseHead;
import io.lrok.internal.inspect.InspectSettings;
import io.lrok.internal.relay.RelayHeadSteps;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The per-request head work of an HTTP tunnel, without sockets, threads or TLS (bench/head-path; docs/benchmarks.md,
 * "Where the HTTP tunnel's time goes"): what the relay and the agent do to the heads of one wrk request and a small
 * 200 response on a kept stream, one thread, in a loop. Prints, for each step and for the whole path, nanoseconds
 * and allocated bytes per request (the median of the rounds; allocation from
 * {@link com.sun.management.ThreadMXBean#getThreadAllocatedBytes(long)}).
 *
 * <p>Steps, in the order of an exchange: the relay parses the public request (and looks up what the edge asks of
 * it), writes the forwarded head; the agent parses that, writes the head for the local app, parses the app's
 * response (body taken with it), writes it to the stream; the relay parses that and writes the client's head. Each
 * reader is one per connection, as in the tunnel, fed the bytes of one message at a time. The isolated steps reuse
 * the same parsed input each time; the whole path chains them, each step reading what the one before wrote.
 *
 * <p>Options: {@code --warmup-ms N} (2000), {@code --step-ms N} (300), {@code --rounds N} (5).
 */
public final class HeadPathBench {
    /** The request wrk sends: only a Host. */
    static final String WRK_REQUEST = "GET / HTTP/1.1\r\nHost: bench.lrok.localhost:8080\r\n\r\n";
    /** What the JDK's HttpServer (bench/compare's app) answers: 13 bytes of text. */
    static final String APP_RESPONSE = "HTTP/1.1 200 OK\r\nDate: Tue, 25 Nov 2026 02:22:00 GMT\r\n"
            + "Content-type: text/plain\r\nContent-length: 13\r\n\r\nHello, world!";
    static final String CLIENT_IP = "127.0.0.1";
    /** The largest body taken with its head (the relay's Pipe.BUFFER_SIZE, the agent's copy buffer). */
    static final int MAX_TAKEN_BODY = 16 * 1024;

    /** Where results go, so that the JIT cannot drop the work. */
    static long sink;

    /** One step of the head work; returns something to sink. */
    @FunctionalInterface
    interface Step {
        long run() throws IOException;
    }

    record Named(String name, Step step) {
    }

    /** An input that hands out the one message it was given, in one read; a reader waiting for more is a bug. */
    static final class Feed extends InputStream {
        private byte[] data = new byte[0];
        private int pos;

        void set(byte[] message) {
            if (pos < data.length) throw new IllegalStateException("previous message not read whole");
            data = message;
            pos = 0;
        }

        @Override
        public int read() {
            throw new IllegalStateException("single-byte read");
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos == data.length) throw new IllegalStateException("the reader wants more than one message");
            int n = Math.min(len, data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    /** A connection's reader and the feed behind it. */
    record Conn(Feed feed, HttpReader reader) {
        static Conn open() {
            Feed feed = new Feed();
            return new Conn(feed, new HttpReader(feed));
        }

        RequestHead request(byte[] bytes, HttpLimits limits) throws IOException {
            feed.set(bytes);
            return reader.readRequestHead(limits);
        }

        ResponseHead response(byte[] bytes, HttpLimits limits) throws IOException {
            feed.set(bytes);
            return reader.readResponseHead(limits);
        }
    }

    private final HttpLimits limits = HttpLimits.defaults();
    private final HttpTunnelSpec spec = new HttpTunnelSpec(new LocalTarget("http", LocalTarget.DEFAULT_HOST, 3000,
            null, LocalTarget.DEFAULT_FALLBACK_HOST), null, null, HeaderEdits.NONE, HeaderEdits.NONE,
            InspectSettings.defaults(), null);

    private final Conn publicClient = Conn.open();
    private final Conn relayStream = Conn.open();
    private final Conn agentStream = Conn.open();
    private final Conn localApp = Conn.open();

    // The messages of one exchange, as the steps write them (computed once, for the isolated steps).
    private final byte[] wrkRequest = WRK_REQUEST.getBytes(ISO_8859_1);
    private final byte[] appResponse = APP_RESPONSE.getBytes(ISO_8859_1);
    private final RequestHead publicRequest;
    private final byte[] forwarded;
    private final RequestHead agentRequest;
    private final ResponseHead appHead;
    private final byte[] appBody;
    private final byte[] streamResponse;
    private final ResponseHead agentResponse;

    HeadPathBench() throws IOException {
        publicRequest = relayParseRequest(publicClient, wrkRequest);
        forwarded = relayForward(publicRequest);
        agentRequest = agentParseRequest(agentStream, forwarded);
        localApp.feed().set(appResponse);
        appHead = localApp.reader().readResponseHead(limits);
        appBody = localApp.reader().takeBufferedBody(BodyFraming.forResponse("GET", appHead), MAX_TAKEN_BODY);
        streamResponse = AgentHeadSteps.publicResponse(spec, appHead, appBody);
        agentResponse = relayStream.response(streamResponse, limits);
        relayStream.reader().takeBufferedBody(BodyFraming.forResponse("GET", agentResponse), MAX_TAKEN_BODY);
    }

    // ---- the steps, as the relay and the agent do them ----

    /** EdgeConnection.serveOne and the Exchange's constructor: the head, and what they ask of it. */
    private RequestHead relayParseRequest(Conn conn, byte[] bytes) throws IOException {
        RequestHead head = conn.request(bytes, limits);
        String accept = head.headers().get("Accept");
        String authority = RelayHeadSteps.absoluteAuthority(head.target());
        String host = head.headers().get("Host");
        boolean upgrade = RelayHeadSteps.isUpgrade(head);
        boolean http10 = head.version().equals(RequestHead.HTTP_1_0);
        BodyFraming framing = BodyFraming.forRequest(head);
        sink += (accept == null ? 0 : 1) + (authority == null ? 0 : 2) + host.length() + (upgrade ? 4 : 0)
                + (http10 ? 8 : 0) + framing.hashCode();
        return head;
    }

    private byte[] relayForward(RequestHead head) {
        return RelayHeadSteps.forwardedRequest(head, head.headers().get("Host"), CLIENT_IP, "https", false, true);
    }

    /** HttpExchange.forward: the head, its framing, and whether it keeps the stream. */
    private RequestHead agentParseRequest(Conn conn, byte[] bytes) throws IOException {
        RequestHead head = conn.request(bytes, limits);
        BodyFraming framing = BodyFraming.forRequest(head);
        boolean upgrade = BodyFraming.isUpgrade(head);
        boolean kept = !upgrade && BodyFraming.isKeepAlive(head.version(), head.headers());
        sink += framing.hashCode() + (kept ? 1 : 0) + (head.isIdempotent() ? 2 : 0);
        return head;
    }

    /** HttpExchange.respond: the head, its framing, keep-alive, and the body that came with it. */
    private long agentParseResponse(Conn conn, byte[] bytes, RequestHead request) throws IOException {
        ResponseHead head = conn.response(bytes, limits);
        BodyFraming framing = BodyFraming.forResponse(request.method(), head);
        boolean keepAlive = HttpTunnelSpec.keepsAlive(request) && !(framing instanceof BodyFraming.UntilClose)
                && BodyFraming.isKeepAlive(head.version(), head.headers());
        byte[] body = conn.reader().takeBufferedBody(framing, MAX_TAKEN_BODY);
        return head.status() + (keepAlive ? 1 : 0) + body.length;
    }

    /** Exchange.relayResponse: the head, its framing, keep-alive, and the body that came with it. */
    private long relayParseResponse(Conn conn, byte[] bytes, RequestHead request) throws IOException {
        ResponseHead head = conn.response(bytes, limits);
        BodyFraming framing = BodyFraming.forResponse(request.method(), head);
        boolean keepAlive = BodyFraming.isKeepAlive(request.version(), request.headers())
                && !(framing instanceof BodyFraming.UntilClose);
        byte[] body = conn.reader().takeBufferedBody(framing, MAX_TAKEN_BODY);
        return head.status() + (keepAlive ? 1 : 0) + body.length;
    }

    /** One exchange's head work from end to end, each step reading what the one before wrote. */
    private long wholePath() throws IOException {
        RequestHead request = relayParseRequest(publicClient, wrkRequest);
        RequestHead atAgent = agentParseRequest(agentStream, relayForward(request));
        byte[] toApp = AgentHeadSteps.localRequest(spec, atAgent);
        localApp.feed().set(appResponse);
        ResponseHead fromApp = localApp.reader().readResponseHead(limits);
        byte[] body = localApp.reader().takeBufferedBody(BodyFraming.forResponse(atAgent.method(), fromApp),
                MAX_TAKEN_BODY);
        byte[] toRelay = AgentHeadSteps.publicResponse(spec, fromApp, body);
        ResponseHead atRelay = relayStream.response(toRelay, limits);
        BodyFraming framing = BodyFraming.forResponse(request.method(), atRelay);
        byte[] relayBody = relayStream.reader().takeBufferedBody(framing, MAX_TAKEN_BODY);
        byte[] toClient = RelayHeadSteps.clientResponse(atRelay, true, false, relayBody);
        return toApp.length + toClient.length;
    }

    private List<Named> steps() {
        return List.of(
                new Named("relay: parse the public request", () -> relayParseRequest(publicClient, wrkRequest)
                        .headers().size()),
                new Named("relay: write the forwarded head", () -> relayForward(publicRequest).length),
                new Named("agent: parse the forwarded request", () -> agentParseRequest(agentStream, forwarded)
                        .headers().size()),
                new Named("agent: write the local app's head", () -> AgentHeadSteps.localRequest(spec, agentRequest)
                        .length),
                new Named("agent: parse the app's response", () -> agentParseResponse(localApp, appResponse,
                        agentRequest)),
                new Named("agent: write the response to the stream", () -> AgentHeadSteps.publicResponse(spec, appHead,
                        appBody).length),
                new Named("relay: parse the agent's response", () -> relayParseResponse(relayStream, streamResponse,
                        publicRequest)),
                new Named("relay: write the client's response", () -> RelayHeadSteps.clientResponse(agentResponse,
                        true, false, appBody).length),
                new Named("whole path (one exchange)", this::wholePath));
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** ns and bytes per call of a step run for about {@code millis}. */
    record Measure(double nanos, double bytes) {
    }

    static Measure measure(Step step, long millis) throws IOException {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        long deadline = System.nanoTime() + millis * 1_000_000L;
        long calls = 0;
        long s = 0;
        long bytes0 = threads.getThreadAllocatedBytes(thread);
        long t0 = System.nanoTime();
        long now;
        do {
            for (int i = 0; i < 256; i++) s += step.run();
            calls += 256;
            now = System.nanoTime();
        } while (now < deadline);
        long bytes = threads.getThreadAllocatedBytes(thread) - bytes0;
        sink += s;
        return new Measure((double) (now - t0) / calls, (double) bytes / calls);
    }

    public static void main(String[] args) throws IOException {
        long warmupMs = 2000;
        long stepMs = 300;
        int rounds = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--warmup-ms" -> warmupMs = Long.parseLong(args[++i]);
                case "--step-ms" -> stepMs = Long.parseLong(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--help" -> {
                    System.out.println("bench/head-path [--warmup-ms 2000] [--step-ms 300] [--rounds 5]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option: " + args[i]);
            }
        }
        HeadPathBench bench = new HeadPathBench();
        List<Named> steps = bench.steps();
        // Warm up every step, the whole path most (it is what the tunnel runs).
        measure(bench::wholePath, warmupMs / 2);
        for (Named n : steps) measure(n.step(), warmupMs / 2 / steps.size());
        List<List<Measure>> results = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) results.add(new ArrayList<>());
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < steps.size(); i++) results.get(i).add(measure(steps.get(i).step(), stepMs));
        }
        System.out.printf(Locale.ROOT, "head path, one thread: %d rounds of %d ms per step, median (min-max)%n",
                rounds, stepMs);
        System.out.printf(Locale.ROOT, "%-42s %26s %16s%n", "step", "ns per request", "bytes allocated");
        for (int i = 0; i < steps.size(); i++) {
            List<Measure> r = results.get(i);
            double[] ns = r.stream().mapToDouble(Measure::nanos).sorted().toArray();
            double[] b = r.stream().mapToDouble(Measure::bytes).sorted().toArray();
            System.out.printf(Locale.ROOT, "%-42s %10.0f (%5.0f-%5.0f) %16.0f%n", steps.get(i).name(),
                    ns[ns.length / 2], ns[0], ns[ns.length - 1], b[b.length / 2]);
        }
        if (sink == 42) System.out.println(); // keeps sink alive
    }
}
