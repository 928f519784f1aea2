package io.lrok;

import io.lrok.internal.wire.ControlCodec;
import io.lrok.internal.wire.ControlMessage;
import io.lrok.internal.wire.ControlMessage.Bind;
import io.lrok.internal.wire.ControlMessage.Bound;
import io.lrok.internal.wire.ControlMessage.ErrorMessage;
import io.lrok.internal.wire.ControlMessage.Hello;
import io.lrok.internal.wire.ControlMessage.Welcome;
import io.lrok.internal.wire.Proto;
import io.lrok.internal.wire.StreamHeader;
import io.lrok.mux.MuxSession;
import io.lrok.mux.MuxStream;
import io.lrok.spi.RelayEndpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A scripted relay for the agent's tests, over real loopback TCP and yamux: it answers hello (welcome by default)
 * and binds (bound by default, tunnel id {@code t-<bind id>}, URL {@code http://<subdomain>.lrok.test}), records
 * every control message, and opens exchange streams on demand. Tests change the answers through {@link #onHello}
 * and {@link #onBind}; an answer of null sends nothing.
 */
final class FakeRelay implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);

    private final ServerSocket listener;
    private final BlockingQueue<Agent> agents = new LinkedBlockingQueue<>();
    private final List<Agent> all = new CopyOnWriteArrayList<>();
    volatile Function<Hello, ControlMessage> onHello =
            hello -> new Welcome(hello.version(), "s-1", "resume-secret", "fake-relay", "lrok.test");
    volatile Function<Bind, ControlMessage> onBind = bind -> new Bound(bind.id(), "t-" + bind.id(),
            URI.create("http://" + (bind.subdomain() != null ? bind.subdomain() : "random-" + bind.id()) + ".lrok.test"));

    private FakeRelay() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("fake-relay-accept").start(this::acceptLoop);
    }

    static FakeRelay start() throws IOException {
        return new FakeRelay();
    }

    URI uri() {
        return URI.create("lrok+plain://127.0.0.1:" + listener.getLocalPort());
    }

    RelayEndpoint endpoint() {
        return RelayEndpoint.of(uri(), null);
    }

    /** @return the next agent session that connected and sent hello */
    Agent awaitAgent() throws InterruptedException {
        Agent agent = agents.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (agent == null) throw new AssertionError("no agent connected within " + WAIT);
        return agent;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Agent agent : all) agent.mux.close();
    }

    private void acceptLoop() {
        try {
            while (true) {
                Socket socket = listener.accept();
                Thread.ofVirtual().name("fake-relay-session").start(() -> serve(socket));
            }
        } catch (IOException closed) {
            // the relay is closing
        }
    }

    private void serve(Socket socket) {
        try {
            MuxSession mux = MuxSession.server(socket);
            MuxStream control = mux.acceptStream();
            Hello hello = (Hello) ControlCodec.read(control.getInputStream());
            Agent agent = new Agent(mux, control, hello);
            all.add(agent);
            ControlMessage answer = onHello.apply(hello);
            if (answer != null) agent.send(answer);
            agents.add(agent);
            if (answer instanceof ErrorMessage) {
                // As a relay must: FIN the control stream and let the agent close the connection, so that the
                // error is read before the connection goes (the multiplexer drops unread data when it closes).
                control.shutdownOutput();
                try {
                    mux.whenClosed().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    // the agent did not close: close it here
                }
                mux.close();
                return;
            }
            ControlMessage message;
            while ((message = ControlCodec.read(control.getInputStream())) != null) {
                agent.received.add(message);
                if (message instanceof Bind bind) {
                    ControlMessage reply = onBind.apply(bind);
                    if (reply != null) agent.send(reply);
                }
            }
            mux.close(); // the agent ended the control stream: it is closing, as a relay does
        } catch (IOException e) {
            // the session ended
        }
    }

    /** One agent's session as the relay sees it. */
    static final class Agent {
        final MuxSession mux;
        final MuxStream control;
        final Hello hello;
        final BlockingQueue<ControlMessage> received = new LinkedBlockingQueue<>();
        private final ReentrantLock writeLock = new ReentrantLock();

        Agent(MuxSession mux, MuxStream control, Hello hello) {
            this.mux = mux;
            this.control = control;
            this.hello = hello;
        }

        /** Sends a control message; the session thread (answers) and the test thread may both send. */
        void send(ControlMessage message) throws IOException {
            writeLock.lock();
            try {
                ControlCodec.write(control.getOutputStream(), message);
            } finally {
                writeLock.unlock();
            }
        }

        /** @return the next control message from the agent that matches */
        ControlMessage awaitMessage(Predicate<ControlMessage> match) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                ControlMessage m = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (m == null) throw new AssertionError("no matching control message within " + WAIT);
                if (match.test(m)) return m;
            }
        }

        /** Opens an exchange stream: header for tunnel {@code tunnelId}, then {@code request} as raw bytes. */
        MuxStream exchange(String tunnelId, String request) throws IOException {
            return exchange(tunnelId, request.getBytes(StandardCharsets.ISO_8859_1));
        }

        MuxStream exchange(String tunnelId, byte[] request) throws IOException {
            MuxStream stream = mux.openStream();
            // one write: an agent that resets the stream after reading the header (an unknown tunnel) must not
            // make a second write of the request fail
            byte[] header = new StreamHeader(tunnelId, Proto.HTTP, "203.0.113.7:52100", "https", "app.lrok.test")
                    .encode();
            byte[] all = java.util.Arrays.copyOf(header, header.length + request.length);
            System.arraycopy(request, 0, all, header.length, request.length);
            stream.getOutputStream().write(all);
            stream.getOutputStream().flush();
            return stream;
        }

        /**
         * One whole exchange, as a relay that does not reuse streams makes it: sends the request and FIN, reads the
         * response until the agent's FIN.
         */
        String roundTrip(String tunnelId, String request) throws IOException {
            try (MuxStream stream = exchange(tunnelId, request)) {
                stream.shutdownOutput();
                stream.setReadTimeout(WAIT);
                return new String(stream.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            }
        }
    }

    /** Reads from {@code in} until {@code expected} has arrived (or the stream ends); returns what was read. */
    static String readUntil(InputStream in, String expected) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        int b;
        while (!seen.toString(StandardCharsets.ISO_8859_1).contains(expected) && (b = in.read()) >= 0) seen.write(b);
        return seen.toString(StandardCharsets.ISO_8859_1);
    }
}
