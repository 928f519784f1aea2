package io.lrok;

/**
 * Where a tunnel's connection to its relay stands. A tunnel (or an {@link LrokClient}) starts {@link #CONNECTED};
 * a lost connection makes it {@link #RECONNECTING} until a new one is up, and {@link #CLOSED} is final.
 */
public enum ConnectionState {
    /** A session with the relay is up and the tunnels are bound on it: public requests reach the local app. */
    CONNECTED,
    /**
     * The connection was lost, or the relay is shutting down, and the agent is dialling again with backoff
     * ({@link ReconnectPolicy}). The tunnels keep their URLs where the relay still holds them (it keeps them for a
     * grace period and recognises the agent by a secret), so public clients see a short gap, not a new URL.
     */
    RECONNECTING,
    /**
     * Closed for good: by its owner, or because the relay refused to take the agent back (such as a revoked token),
     * or because the {@link ReconnectPolicy} gave up. The event that announced it carries the cause.
     */
    CLOSED
}
