/**
 * lrok core: the yamux-compatible stream multiplexer ({@link io.lrok.mux}), the types that connect an agent to a
 * relay ({@link io.lrok.spi}), and, for lrok's own modules only, the wire protocol and shared codecs.
 * Depends on nothing but {@code java.base}.
 */
module io.lrok.core {
    exports io.lrok.mux;
    exports io.lrok.spi;
    exports io.lrok.http;

    // Implementation shared by the agent and the relay; not API.
    exports io.lrok.internal.http to io.lrok.client, io.lrok.relay;
    exports io.lrok.internal.json to io.lrok.client, io.lrok.relay;
    exports io.lrok.internal.tls to io.lrok.client, io.lrok.relay;
    exports io.lrok.internal.wire to io.lrok.client, io.lrok.relay;
}
