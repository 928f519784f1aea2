package io.lrok;

import java.io.IOException;
import java.util.function.UnaryOperator;

/** A fake relay, an agent session with it, and one tunnel (id {@code t-1}) to a local port. */
record Fixture(FakeRelay relay, FakeRelay.Agent agent, LrokClient client, Tunnel tunnel) implements AutoCloseable {
    static final String TUNNEL = "t-1";

    static Fixture open(int port) throws Exception {
        return open(port, AgentConfig.defaults(), b -> b);
    }

    static Fixture open(int port, UnaryOperator<HttpTunnelBuilder> settings) throws Exception {
        return open(port, AgentConfig.defaults(), settings);
    }

    static Fixture open(int port, AgentConfig config, UnaryOperator<HttpTunnelBuilder> settings) throws Exception {
        FakeRelay relay = FakeRelay.start();
        try {
            LrokClient client = LrokClient.connect(relay.endpoint(), config);
            Tunnel tunnel = settings.apply(client.http(port)).open();
            return new Fixture(relay, relay.awaitAgent(), client, tunnel);
        } catch (Exception e) {
            relay.close();
            throw e;
        }
    }

    /**
     * A request as the relay writes it on a stream (docs/protocol.md §5): origin-form target, the public Host, the
     * relay's forwarding headers, {@code Connection: close}, and the body with a Content-Length when there is one.
     */
    static String request(String method, String target, String headers, String body) {
        return method + " " + target + " HTTP/1.1\r\n"
                + "Host: app.lrok.test\r\n"
                + "X-Forwarded-For: 203.0.113.7\r\n"
                + "X-Forwarded-Proto: https\r\n"
                + "X-Forwarded-Host: app.lrok.test\r\n"
                + "Forwarded: for=203.0.113.7;host=app.lrok.test;proto=https\r\n"
                + "Connection: close\r\n"
                + headers
                + (body == null ? "" : "Content-Length: " + body.length() + "\r\n")
                + "\r\n"
                + (body == null ? "" : body);
    }

    static String get(String target) {
        return request("GET", target, "", null);
    }

    /** One exchange on the tunnel: the raw response, up to the agent's FIN. */
    String roundTrip(String request) throws IOException {
        return agent.roundTrip(TUNNEL, request);
    }

    @Override
    public void close() throws IOException {
        client.close();
        relay.close();
    }
}
