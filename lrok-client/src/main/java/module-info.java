/**
 * The lrok agent: gives a local port a public URL through a relay. For now it holds the command line and its
 * multiplexer demo; the {@code Tunnel} API arrives with HTTP tunnels.
 */
module io.lrok.client {
    requires io.lrok.core;
}
