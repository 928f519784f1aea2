/**
 * The lrok relay: accepts agents' multiplexed connections and routes public HTTP requests to their tunnels.
 * Embeddable in tests ({@link io.lrok.relay.EmbeddedRelay#start()}) and runnable standalone
 * (a main class arrives next).
 */
module io.lrok.relay {
    requires transitive io.lrok.core;

    exports io.lrok.relay;
}
