package io.lrok.internal.agent;

import io.lrok.AgentConfig;
import io.lrok.TunnelException;
import io.lrok.internal.tls.RecordBatchingSocket;
import io.lrok.internal.tls.TlsTransport;
import io.lrok.internal.wire.ControlCodec;
import io.lrok.internal.wire.ControlMessage;
import io.lrok.internal.wire.ControlMessage.Welcome;
import io.lrok.internal.wire.ErrorCode;
import io.lrok.internal.wire.Protocol;
import io.lrok.internal.wire.WireException;
import io.lrok.mux.MuxSession;
import io.lrok.mux.MuxStream;
import io.lrok.mux.MuxTimeoutException;
import io.lrok.spi.RelayEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;

/**
 * Opens a session with a relay (docs/protocol.md §1, §3): TCP, TLS 1.3 ({@link RelayTls}) unless plaintext to
 * loopback, the multiplexer as its client, the control stream,
 * hello, and the relay's welcome, all within {@link AgentConfig#handshakeTimeout()}. Every failure is a
 * {@link TunnelException} whose message says what to do.
 */
final class RelayDialer {

    /** The connected, welcomed session: the multiplexer, its control stream, and the welcome. */
    record Handshake(MuxSession mux, MuxStream control, Welcome welcome) {
    }

    private RelayDialer() {
    }

    /**
     * @param relay  where to dial, and the token to present
     * @param client the agent's name and version for hello, such as {@code lrok-java/0.1.0}
     * @param config the timeouts
     * @param resume the welcome of a session to resume (docs/protocol.md §6), or null for a new session
     * @return the session, welcomed: the same session id as {@code resume} if the relay resumed it
     * @throws TunnelException if the relay cannot be reached, refuses, or does not answer in time
     */
    static Handshake dial(RelayEndpoint relay, String client, AgentConfig config, Welcome resume)
            throws TunnelException {
        String address = describe(relay);
        if (!relay.tls() && !RelayEndpoint.isLoopback(relay.host())) {
            throw new TunnelException(TunnelException.INVALID_RELAY_ADDRESS, "plaintext is allowed only to a "
                    + "loopback relay, not " + address + "; use lrok:// (TLS) for a remote relay");
        }
        long deadline = System.nanoTime() + config.handshakeTimeout().toNanos();
        Socket plain = connect(relay, address, config);
        Socket socket = relay.tls() ? RelayTls.handshake(plain, relay, address, deadline) : plain;
        MuxSession mux;
        try {
            socket.setTcpNoDelay(true);
            mux = MuxSession.client(socket.getInputStream(), TlsTransport.output(socket, plain),
                    TlsTransport.closer(socket, plain), config.muxConfig());
        } catch (IOException e) {
            close(socket);
            throw new TunnelException(TunnelException.RELAY_UNREACHABLE, "could not start a session with the relay "
                    + address + ": " + e.getMessage(), e);
        }
        try {
            MuxStream control = mux.openStream();
            // Features: this agent takes a public keep-alive connection's requests on one stream (HttpTunnel.forward).
            ControlMessage.Hello hello = ControlMessage.Hello.create(relay.authToken().orElse(null), client)
                    .withFeatures(List.of(Protocol.FEATURE_HTTP_STREAM_REUSE));
            ControlCodec.write(control.getOutputStream(), resume == null ? hello : hello.resuming(resume));
            control.setReadTimeout(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            Welcome welcome = Protocol.expectWelcome(ControlCodec.read(control.getInputStream()));
            control.setReadTimeout(Duration.ZERO);
            return new Handshake(mux, control, welcome);
        } catch (WireException e) {
            mux.close();
            throw refused(e, address);
        } catch (MuxTimeoutException e) {
            mux.close();
            throw new TunnelException(TunnelException.RELAY_TIMEOUT, "the relay " + address + " did not answer "
                    + "within " + config.handshakeTimeout().toSeconds() + " s; is it an lrok relay, and healthy?", e);
        } catch (IOException e) {
            mux.close();
            throw new TunnelException(TunnelException.PROTOCOL_ERROR, "the relay " + address + " closed the "
                    + "connection during the handshake (" + e.getMessage() + "); is it an lrok relay?", e);
        }
    }

    private static Socket connect(RelayEndpoint relay, String address, AgentConfig config) throws TunnelException {
        // TLS reads and writes its records through this socket: batched into fewer calls (plaintext: plain as ever)
        Socket socket = relay.tls() ? new RecordBatchingSocket() : new Socket();
        Duration timeout = config.relayConnectTimeout().compareTo(config.handshakeTimeout()) < 0
                ? config.relayConnectTimeout() : config.handshakeTimeout();
        try {
            socket.connect(new InetSocketAddress(relay.host(), relay.port()), (int) Math.max(1, timeout.toMillis()));
            return socket;
        } catch (IOException e) {
            close(socket);
            String why = e instanceof SocketTimeoutException ? "no answer within " + timeout.toSeconds() + " s"
                    : ErrorPage.describe(e);
            throw new TunnelException(TunnelException.RELAY_UNREACHABLE, "could not reach the lrok relay at "
                    + address + ": " + why + "; check that it is running and that the address is right", e);
        }
    }

    private static TunnelException refused(WireException e, String address) {
        ErrorCode code = e.code();
        if (code == null) {
            return new TunnelException(TunnelException.PROTOCOL_ERROR, "the relay " + address + " answered hello "
                    + "with something this agent cannot read: " + e.getMessage() + "; is it an lrok relay?", e);
        }
        String hint = switch (code) {
            case UNAUTHORIZED -> "; check the token: authToken(...) in code, -Dlrok.authtoken, LROK_AUTHTOKEN, or "
                    + "authtoken in the config file";
            case LIMIT_REACHED -> "; close other sessions, or try again later";
            case INTERNAL, UNKNOWN -> "; try again later";
            default -> "";
        };
        return new TunnelException(code.wireName(), e.getMessage() + hint, e);
    }

    /** @return the relay as a person would write it: {@code lrok+plain://127.0.0.1:4443} */
    static String describe(RelayEndpoint relay) {
        String host = relay.host().contains(":") ? "[" + relay.host() + "]" : relay.host();
        return (relay.tls() ? "lrok://" : "lrok+plain://") + host + ":" + relay.port();
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
