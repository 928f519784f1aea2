package io.lrok.internal.relay;

import java.util.Objects;

/**
 * One HTTP tunnel: a subdomain held by an agent session. Created when its name is claimed; routable from the moment
 * its bound has been sent ({@link #open()}) until it is released ({@link #close()}), after which the edge answers
 * 404 for its host, or suspended ({@link #suspend()}) when its session's connection is lost, after which requests
 * for its host wait for the resumed session's tunnel of the same name (or get 503). The session's tunnel table and the {@link TunnelRegistry} hold it.
 */
final class HttpTunnel {
    private final String name;
    private final String id;
    private final AgentSession session;
    /** Written by the session's control thread, read by edge threads: whether requests are routed here. */
    private volatile boolean routable;
    /** Its session's connection was lost and the name is kept for a resume (docs/protocol.md §6). */
    private volatile boolean suspended;

    HttpTunnel(String name, String id, AgentSession session) {
        this.name = Objects.requireNonNull(name, "name");
        this.id = Objects.requireNonNull(id, "id");
        this.session = Objects.requireNonNull(session, "session");
    }

    /** @return the subdomain, such as {@code violet-mole} */
    String name() {
        return name;
    }

    /** @return the tunnel id of the bound and of stream headers, such as {@code t-1} */
    String id() {
        return id;
    }

    /** @return the agent session that holds it */
    AgentSession session() {
        return session;
    }

    /** @return whether the edge routes requests to it */
    boolean isRoutable() {
        return routable;
    }

    void open() {
        routable = true;
    }

    void close() {
        routable = false;
    }

    /** Keeps the name for the session's resume: unroutable, but bindable again by the resumed session only. */
    void suspend() {
        routable = false;
        suspended = true;
    }

    /** @return whether it is kept for its session's resume */
    boolean isSuspended() {
        return suspended;
    }

    @Override
    public String toString() {
        return "tunnel " + name + " (" + id + " of " + session.id() + ")";
    }
}
