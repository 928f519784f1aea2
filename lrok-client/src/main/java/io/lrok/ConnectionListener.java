package io.lrok;

/**
 * Observes a connection to a relay: connected, reconnecting (with the cause and the next attempt), closed (with
 * the cause). Events arrive one at a time, in order, on a thread of lrok's own; a listener that blocks delays
 * only later events, never the connection. An exception a listener throws is logged and ignored.
 *
 * <pre>{@code
 * Tunnel tunnel = Tunnel.http(3000)
 *         .onConnectionEvent(event -> log.info("lrok: " + event))
 *         .open();
 * }</pre>
 */
@FunctionalInterface
public interface ConnectionListener {

    /** @param event the change */
    void onConnectionEvent(ConnectionEvent event);
}
