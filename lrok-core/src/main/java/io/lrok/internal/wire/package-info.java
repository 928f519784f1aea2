/**
 * The lrok wire protocol on top of yamux: the {@linkplain io.lrok.internal.wire.ControlMessage control messages}
 * of the first stream with their {@linkplain io.lrok.internal.wire.ControlCodec codec}, the {@linkplain
 * io.lrok.internal.wire.StreamHeader header} of every stream the relay opens, the {@linkplain
 * io.lrok.internal.wire.Protocol constants and version rule}, and {@linkplain io.lrok.internal.wire.Names
 * subdomain names}. Pure codecs: no sockets, no threads, no state. Specified in docs/protocol.md.
 * Internal: shared by the agent and the relay, not part of lrok's API.
 */
package io.lrok.internal.wire;
