package io.lrok.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.internal.wire.ControlMessage.Bind;
import io.lrok.internal.wire.ControlMessage.Bound;
import io.lrok.internal.wire.ControlMessage.ErrorMessage;
import io.lrok.internal.wire.ControlMessage.Hello;
import io.lrok.internal.wire.ControlMessage.Welcome;
import io.lrok.mux.MuxSession;
import io.lrok.mux.MuxStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The protocol's opening moves between a scripted agent and a scripted relay, on real yamux over loopback TCP. */
@Timeout(30)
class WireOverMuxTest {

    @Test
    void handshakeBindAndOneExchange() throws Exception {
        try (Sessions s = Sessions.open()) {
            CompletableFuture<Void> relay = CompletableFuture.runAsync(() -> {
                try (MuxStream control = s.relay.acceptStream()) {
                    Hello hello = (Hello) ControlCodec.read(control.getInputStream());
                    assertThat(Protocol.checkVersion(hello.version())).isNull();
                    ControlCodec.write(control.getOutputStream(),
                            new Welcome(hello.version(), "s-1", "secret", "relay-test", "lrok.test"));
                    Bind bind = (Bind) ControlCodec.read(control.getInputStream());
                    ControlCodec.write(control.getOutputStream(),
                            new Bound(bind.id(), "t-1", URI.create("https://" + bind.subdomain() + ".lrok.test")));
                    try (MuxStream exchange = s.relay.openStream()) {
                        new StreamHeader("t-1", Proto.HTTP, "127.0.0.1:5000", "https", bind.subdomain() + ".lrok.test")
                                .write(exchange.getOutputStream());
                        exchange.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        exchange.shutdownOutput();
                        assertThat(exchange.getInputStream().readAllBytes()).asString().startsWith("HTTP/1.1 200");
                    }
                    assertThat(ControlCodec.read(control.getInputStream())).isNull(); // the agent closed: clean EOF
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });

            MuxStream control = s.agent.openStream();
            ControlCodec.write(control.getOutputStream(), Hello.create(null, "lrok-test"));
            Welcome welcome = Protocol.expectWelcome(ControlCodec.read(control.getInputStream()));
            assertThat(welcome.sessionId()).isEqualTo("s-1");
            ControlCodec.write(control.getOutputStream(), new Bind(1, Proto.HTTP, "violet-mole", null));
            assertThat(ControlCodec.read(control.getInputStream()))
                    .isEqualTo(new Bound(1, "t-1", URI.create("https://violet-mole.lrok.test")));
            try (MuxStream exchange = s.agent.acceptStream()) {
                StreamHeader header = StreamHeader.read(exchange.getInputStream());
                assertThat(header.host()).isEqualTo("violet-mole.lrok.test");
                assertThat(exchange.getInputStream().readAllBytes()).asString().isEqualTo("GET / HTTP/1.1\r\n\r\n");
                exchange.getOutputStream().write("HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                exchange.shutdownOutput();
            }
            control.close();
            relay.get();
        }
    }

    @Test
    void anAgentOfAnotherVersionIsToldWhy() throws Exception {
        try (Sessions s = Sessions.open()) {
            CompletableFuture<Void> relay = CompletableFuture.runAsync(() -> {
                try (MuxStream control = s.relay.acceptStream()) {
                    Hello hello = (Hello) ControlCodec.read(control.getInputStream());
                    String refusal = Protocol.checkVersion(hello.version());
                    ControlCodec.write(control.getOutputStream(),
                            new ErrorMessage(ErrorCode.UNSUPPORTED_VERSION, refusal, null));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            MuxStream control = s.agent.openStream();
            ControlCodec.write(control.getOutputStream(), new Hello(2, null, "lrok-future", null, null));
            ControlMessage reply = ControlCodec.read(control.getInputStream());
            assertThatThrownBy(() -> Protocol.expectWelcome(reply))
                    .hasMessageContaining("relay said: relay speaks lrok protocol 1, agent sent 2");
            relay.get();
        }
    }

    /** An agent (yamux client) and a relay (yamux server) session over loopback TCP. */
    private record Sessions(MuxSession agent, MuxSession relay) implements AutoCloseable {
        static Sessions open() throws IOException {
            try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                Socket dialed = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
                return new Sessions(MuxSession.client(dialed), MuxSession.server(listener.accept()));
            }
        }

        @Override
        public void close() {
            agent.close();
            relay.close();
        }
    }
}
