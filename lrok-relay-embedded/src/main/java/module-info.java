/**
 * The lrok relay: accepts agents' multiplexed connections and routes public HTTP requests to their tunnels.
 * Embeddable in tests ({@link io.lrok.relay.EmbeddedRelay#start()}) and runnable standalone
 * ({@link io.lrok.relay.RelayMain}). It provides the in-process relay an agent falls back to when nothing else is
 * configured.
 */
module io.lrok.relay {
    requires transitive io.lrok.core;

    exports io.lrok.relay;

    provides io.lrok.spi.InProcessRelayProvider with io.lrok.internal.relay.SharedInProcessRelay;
}
