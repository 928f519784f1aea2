/**
 * lrok core: the yamux-compatible stream multiplexer ({@link io.lrok.mux}) and the lrok wire protocol.
 * Depends on nothing but {@code java.base}.
 */
module io.lrok.core {
    exports io.lrok.mux;
    exports io.lrok.spi;
}
