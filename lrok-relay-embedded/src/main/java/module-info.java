/**
 * The lrok relay: accepts agents' multiplexed connections and routes public requests to them. Embeddable in
 * tests ({@code EmbeddedRelay.start()}) and runnable standalone. Its API arrives with HTTP tunnels.
 */
module io.lrok.relay {
    requires io.lrok.core;
}
