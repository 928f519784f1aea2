package io.lrok.relay;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import io.lrok.internal.http.BodyFraming;
import io.lrok.http.HttpLimits;
import io.lrok.internal.http.HttpReader;
import io.lrok.internal.http.RequestHead;
import io.lrok.internal.wire.ControlCodec;
import io.lrok.internal.wire.ControlMessage;
import io.lrok.internal.wire.ControlMessage.Bind;
import io.lrok.internal.wire.ControlMessage.Bound;
import io.lrok.internal.wire.ControlMessage.Hello;
import io.lrok.internal.wire.ControlMessage.Welcome;
import io.lrok.internal.wire.Proto;
import io.lrok.internal.wire.Protocol;
import io.lrok.internal.wire.StreamHeader;
import io.lrok.mux.MuxSession;
import io.lrok.mux.MuxStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An agent written for the tests, straight on the wire codec: dials the relay, says hello, binds, and answers the
 * relay's exchange streams with a {@link Handler}. Every request it reads is recorded for {@link #takeRequest()}.
 */
final class FakeAgent implements AutoCloseable {
    /** How long a test waits for something the agent should see. */
    static final Duration WAIT = Duration.ofSeconds(10);

    /** Answers one exchange. */
    interface Handler {
        void handle(Exchange exchange) throws Exception;
    }

    /** A request as the agent received it, and the stream it came on. */
    record Recorded(StreamHeader header, RequestHead head, byte[] body, int streamId) {
        String bodyText() {
            return new String(body, ISO_8859_1);
        }
    }

    /** One exchange on a stream, agent side. */
    static final class Exchange {
        final StreamHeader header;
        final RequestHead head;
        final HttpReader reader;
        final MuxStream stream;
        /** 0 for the stream's first exchange, 1 for the next one on the same stream, ... */
        final int indexOnStream;
        private final FakeAgent agent;

        Exchange(FakeAgent agent, StreamHeader header, RequestHead head, HttpReader reader, MuxStream stream,
                int indexOnStream) {
            this.agent = agent;
            this.header = header;
            this.head = head;
            this.reader = reader;
            this.stream = stream;
            this.indexOnStream = indexOnStream;
        }

        /** Reads the body as it came, framing and all, to its end; records the request. */
        byte[] readBody() throws IOException {
            byte[] body = reader.rawBody(BodyFraming.forRequest(head), HttpLimits.defaults()).readAllBytes();
            agent.requests.add(new Recorded(header, head, body, stream.id()));
            return body;
        }

        /** Writes and flushes text (ISO-8859-1). */
        void send(String text) throws IOException {
            stream.getOutputStream().write(text.getBytes(ISO_8859_1));
            stream.getOutputStream().flush();
        }

        /** FIN: the end of the response. */
        void end() throws IOException {
            stream.shutdownOutput();
        }
    }

    final MuxSession mux;
    final MuxStream control;
    final ControlMessage reply;
    /** Whether it offered {@link Protocol#FEATURE_HTTP_STREAM_REUSE}: then it reads request after request on a
     *  stream, until the relay ends it. */
    private final boolean reusesStreams;
    private final BlockingQueue<Recorded> requests = new LinkedBlockingQueue<>();
    private final BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
    /** Streams the relay ended between two requests (an agent that reuses streams only). */
    final BlockingQueue<Integer> endedStreams = new LinkedBlockingQueue<>();
    private final AtomicLong bindIds = new AtomicLong();

    private FakeAgent(MuxSession mux, MuxStream control, ControlMessage reply, boolean reusesStreams) {
        this.mux = mux;
        this.control = control;
        this.reply = reply;
        this.reusesStreams = reusesStreams;
    }

    /** Connects as an agent that takes successive requests on one stream, and expects a welcome. */
    static FakeAgent connectReusingStreams(EmbeddedRelay relay) throws IOException {
        FakeAgent agent = connect(dial(relay), Hello.create(relay.authToken().orElse(null), "fake-agent/1")
                .withFeatures(java.util.List.of(Protocol.FEATURE_HTTP_STREAM_REUSE)));
        if (!(agent.reply instanceof Welcome)) throw new AssertionError("expected welcome, got " + agent.reply);
        return agent;
    }

    /** Connects and expects a welcome; presents the relay's token. */
    static FakeAgent connect(EmbeddedRelay relay) throws IOException {
        FakeAgent agent = connect(relay, Hello.create(relay.authToken().orElse(null), "fake-agent/1"));
        if (!(agent.reply instanceof Welcome)) throw new AssertionError("expected welcome, got " + agent.reply);
        return agent;
    }

    /** Connects, sends {@code hello} (or anything else first), and keeps the first answer (welcome, error, or null) in {@link #reply}. */
    static FakeAgent connect(EmbeddedRelay relay, ControlMessage hello) throws IOException {
        return connect(dial(relay), hello);
    }

    /** Connects over TLS with this trust and server name (a relay serving configured certificate files). */
    static FakeAgent connect(EmbeddedRelay relay, javax.net.ssl.SSLContext trust, String serverName)
            throws IOException {
        FakeAgent agent = connect(dial(relay, trust, serverName),
                Hello.create(relay.authToken().orElse(null), "fake-agent/1"));
        if (!(agent.reply instanceof Welcome)) throw new AssertionError("expected welcome, got " + agent.reply);
        return agent;
    }

    /** Says hello over a connection the test made (such as TLS to a shared HTTPS port) and expects a welcome. */
    static FakeAgent over(Socket socket, EmbeddedRelay relay) throws IOException {
        FakeAgent agent = connect(socket, Hello.create(relay.authToken().orElse(null), "fake-agent/1"));
        if (!(agent.reply instanceof Welcome)) throw new AssertionError("expected welcome, got " + agent.reply);
        return agent;
    }

    private static FakeAgent connect(Socket socket, ControlMessage hello) throws IOException {
        MuxSession mux = MuxSession.client(socket);
        MuxStream control = mux.openStream();
        control.setReadTimeout(WAIT);
        ControlCodec.write(control.getOutputStream(), hello);
        ControlMessage reply = ControlCodec.read(control.getInputStream());
        return new FakeAgent(mux, control, reply,
                hello instanceof Hello h && h.supports(Protocol.FEATURE_HTTP_STREAM_REUSE));
    }

    /** @return a connection to the relay's agent port: TLS 1.3 trusting the relay's CA, unless it is plaintext */
    static Socket dial(EmbeddedRelay relay) throws IOException {
        if (!relay.tls()) return new Socket(InetAddress.getLoopbackAddress(), relay.agentPort());
        return dial(relay, relay.sslContext().orElseThrow(), relay.host());
    }

    private static Socket dial(EmbeddedRelay relay, javax.net.ssl.SSLContext context, String serverName)
            throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), relay.agentPort());
        javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) context.getSocketFactory().createSocket(socket,
                serverName, relay.agentPort(), true);
        tls.setSSLParameters(io.lrok.internal.tls.TlsContexts.clientParameters(context));
        tls.startHandshake();
        return tls;
    }

    Welcome welcome() {
        return (Welcome) reply;
    }

    /** Sends a bind and returns the answer (bound or error). */
    ControlMessage bind(Proto proto, String subdomain, Integer port) throws IOException {
        long id = bindIds.incrementAndGet();
        ControlCodec.write(control.getOutputStream(), new Bind(id, proto, subdomain, port));
        return ControlCodec.read(control.getInputStream());
    }

    /** Binds an HTTP tunnel and expects it bound. */
    Bound bindHttp(String subdomain) throws IOException {
        ControlMessage answer = bind(Proto.HTTP, subdomain, null);
        if (!(answer instanceof Bound bound)) throw new AssertionError("expected bound, got " + answer);
        return bound;
    }

    void send(ControlMessage message) throws IOException {
        ControlCodec.write(control.getOutputStream(), message);
    }

    /** Answers every exchange stream with {@code handler}, each on a virtual thread. */
    FakeAgent serve(Handler handler) {
        Thread.ofVirtual().name("fake-agent-accept").start(() -> {
            try {
                while (true) {
                    MuxStream stream = mux.acceptStream();
                    Thread.ofVirtual().name("fake-agent-" + stream.id()).start(() -> answer(stream, handler));
                }
            } catch (IOException sessionOver) {
                // closed
            }
        });
        return this;
    }

    private void answer(MuxStream stream, Handler handler) {
        try {
            StreamHeader header = StreamHeader.read(stream.getInputStream());
            if (header.kind() != Proto.HTTP) throw new AssertionError("not http: " + header);
            HttpReader reader = new HttpReader(stream.getInputStream());
            RequestHead head = reader.readRequestHead(HttpLimits.defaults());
            handler.handle(new Exchange(this, header, head, reader, stream, 0));
            // An agent that reuses streams reads the next request once the handler is done (it must have read the
            // body), until the relay ends the stream.
            for (int i = 1; reusesStreams && (head = reader.readRequestHead(HttpLimits.defaults())) != null; i++) {
                handler.handle(new Exchange(this, header, head, reader, stream, i));
            }
            if (reusesStreams) endedStreams.add(stream.id()); // the relay ended it between requests
        } catch (Throwable t) {
            failures.add(t);
            stream.reset();
        }
    }

    /** @return the next request the agent read, waiting at most {@link #WAIT} */
    Recorded takeRequest() throws InterruptedException {
        Recorded r = requests.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) throw new AssertionError("the agent received no request within " + WAIT);
        return r;
    }

    /** @return the next failure of a handler, waiting at most {@link #WAIT} */
    Throwable takeFailure() throws InterruptedException {
        Throwable t = failures.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (t == null) throw new AssertionError("no handler failed within " + WAIT);
        return t;
    }

    /** @return handler failures so far, none expected */
    BlockingQueue<Throwable> failures() {
        return failures;
    }

    /**
     * Closes as an agent closing on purpose does: shutdown and the control stream's end first, then waits (bounded)
     * for the relay to close, so that it has read the notice and releases the names at once.
     */
    @Override
    public void close() {
        if (!mux.isClosed()) {
            try {
                send(new ControlMessage.Shutdown("fake agent closing", 0));
                control.shutdownOutput();
                mux.whenClosed().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // the session is gone already, or the relay did not close: close here
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        mux.close();
    }

    /** Loses the connection, as a crash or a network cut does: no shutdown, so the relay keeps the names. */
    void drop() {
        mux.close();
    }
}
