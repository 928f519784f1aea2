/**
 * lrok: a public URL for a local port, from Java.
 *
 * <pre>{@code
 * try (Tunnel tunnel = Tunnel.open(3000)) {
 *     System.out.println(tunnel.publicUrl());   // https://violet-mole.<relay domain> -> http://127.0.0.1:3000
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link io.lrok.Tunnel}: one tunnel; {@code Tunnel.open(port)} or {@code Tunnel.http(port)...open()}.</li>
 *   <li>{@link io.lrok.HttpTunnelBuilder}: the relay, subdomain, Host header, local target and header edits.</li>
 *   <li>{@link io.lrok.LrokClient}: one session with a relay shared by several tunnels.</li>
 *   <li>{@link io.lrok.TunnelException}: what went wrong, with a stable {@code code()}.</li>
 * </ul>
 *
 * The relay is named in code ({@code relay(...)}), or found in the system property {@code lrok.relay}, the
 * environment variable {@code LROK_RELAY}, or {@code ~/.config/lrok/config.properties}; without any, an in-process
 * relay is used when lrok-relay-embedded is on the class path.
 */
package io.lrok;
