/**
 * A stream multiplexer that speaks the <a href="https://github.com/hashicorp/yamux/blob/master/spec.md">yamux</a>
 * protocol: many independent, flow-controlled, full-duplex byte streams over one connection.
 *
 * <p>Start a {@link io.lrok.mux.MuxSession} on each end of a connected socket, one as
 * {@linkplain io.lrok.mux.MuxSession#client client} and one as {@linkplain io.lrok.mux.MuxSession#server server};
 * then {@link io.lrok.mux.MuxSession#openStream()} on one side pairs with
 * {@link io.lrok.mux.MuxSession#acceptStream()} on the other. Each {@link io.lrok.mux.MuxStream} behaves like a
 * socket: an input stream, an output stream, a half-close ({@code shutdownOutput}) and an abortive reset.
 * Limits and timeouts live in {@link io.lrok.mux.MuxConfig}.
 *
 * <p>Interoperates with hashicorp/yamux (Go) in both roles.
 */
package io.lrok.mux;
