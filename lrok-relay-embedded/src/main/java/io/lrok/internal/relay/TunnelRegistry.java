package io.lrok.internal.relay;

import io.lrok.internal.wire.ErrorCode;
import io.lrok.internal.wire.Names;
import io.lrok.relay.AgentGrant;
import io.lrok.relay.TokenVerifier;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The relay's table of HTTP tunnels by subdomain: who holds which name, who may bind which name, and where a Host
 * goes. Claims are atomic ({@link ConcurrentHashMap#putIfAbsent}): of two sessions binding one name at once, exactly
 * one gets it. {@link #mayBind} is the one place that decides whether a session may have a name at all (reserved
 * names); every claim, asked-for or random, goes through it. A name kept for a lost session (a suspended tunnel)
 * goes only to that session's resumer. Thread-safe: claims need no lock; {@code opened} (with {@code tunnelOpened})
 * only lets requests wait for a reconnecting tunnel.
 */
final class TunnelRegistry {
    private static final System.Logger LOG = System.getLogger(TunnelRegistry.class.getName());

    /** Random names tried without a suffix before trying with one ({@code violet-mole}, then {@code violet-mole-42}). */
    static final int RANDOM_PLAIN_ATTEMPTS = 20;
    /** Random names tried with a suffix before giving up. */
    static final int RANDOM_SUFFIXED_ATTEMPTS = 20;

    private final ConcurrentHashMap<String, HttpTunnel> byName = new ConcurrentHashMap<>();
    /** The domain hosts are routed under: the configured one, or {@code localhost}. */
    private final String domain;
    /** Knows which names are reserved for which account. */
    private final TokenVerifier verifier;
    /** Only for requests waiting for a reconnecting tunnel ({@link #routeWaiting}); claims never take it. */
    private final ReentrantLock opened = new ReentrantLock();
    private final Condition tunnelOpened = opened.newCondition();

    TunnelRegistry(String domain, TokenVerifier verifier) {
        this.domain = domain;
        this.verifier = verifier;
    }

    /**
     * Whether a session may bind a name, whoever holds it now: the one place that decides it. A name reserved for
     * an account ({@link TokenVerifier#reservedBy}, or the session's own grant) is that account's alone, whether or
     * not the account has a session; a random name is never a reserved one, not even the session's own.
     *
     * @param name    a valid subdomain
     * @param session the session that wants it, welcomed
     * @param random  whether the relay picked the name (a random candidate) rather than the agent
     * @return null if the session may claim it (if no tunnel holds it); otherwise the code to refuse the bind with
     */
    ErrorCode mayBind(String name, AgentSession session, boolean random) {
        // A lost session's names, kept for its resume, stay in byName until the grace ends: claim() gives them to
        // the resumer only, and they are subdomain_taken for everyone else.
        AgentGrant grant = session.grant();
        if (!random && grant != null && grant.reservedSubdomains().contains(name)) return null;
        Optional<String> owner;
        try {
            owner = verifier.reservedBy(name);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, () -> "the token verifier failed to say whose " + name + " is: " + e);
            return ErrorCode.INTERNAL;
        }
        if (owner.isEmpty()) return null;
        if (random) return ErrorCode.SUBDOMAIN_RESERVED;
        return grant != null && owner.get().equals(grant.account()) ? null : ErrorCode.SUBDOMAIN_RESERVED;
    }

    /**
     * Claims a name the agent asked for.
     *
     * @param name   a valid subdomain
     * @param tunnel the tunnel that wants it, named {@code name}
     * @return null if it got the name; otherwise why not: {@code subdomain_reserved} (another account's),
     *         {@code subdomain_taken} (another tunnel holds it), {@code internal}
     */
    ErrorCode claim(String name, HttpTunnel tunnel) {
        ErrorCode refused = mayBind(name, tunnel.session(), false);
        if (refused != null) return refused;
        HttpTunnel prior = byName.putIfAbsent(name, tunnel);
        if (prior == null) return null;
        // A name kept for a lost session goes to that session's resumer (the same session id), and to no one else.
        if (prior.isSuspended() && prior.session().id().equals(tunnel.session().id())
                && byName.replace(name, prior, tunnel)) {
            return null;
        }
        return ErrorCode.SUBDOMAIN_TAKEN;
    }

    /**
     * Claims a random free name ({@link Names#random}) that {@link #mayBind} allows as a random one: never a
     * reserved name.
     *
     * @param session the session that wants it
     * @param make    makes the tunnel for a candidate name
     * @return the tunnel that got a name, or null if every attempt hit a taken or reserved one
     */
    HttpTunnel claimRandom(AgentSession session, Function<String, HttpTunnel> make) {
        ThreadLocalRandom rng = ThreadLocalRandom.current();
        for (int i = 0; i < RANDOM_PLAIN_ATTEMPTS + RANDOM_SUFFIXED_ATTEMPTS; i++) {
            String name = Names.random(rng, i >= RANDOM_PLAIN_ATTEMPTS);
            if (mayBind(name, session, true) != null || byName.containsKey(name)) continue;
            HttpTunnel tunnel = make.apply(name);
            if (byName.putIfAbsent(name, tunnel) == null) return tunnel;
        }
        return null;
    }

    /** Makes the tunnel unroutable and frees its name, if it still holds it. */
    void release(HttpTunnel tunnel) {
        tunnel.close();
        byName.remove(tunnel.name(), tunnel);
    }

    /**
     * @param host a Host header, as sent; null if the request had none
     * @return the routable tunnel for {@code <name>.<domain>}, or null
     */
    HttpTunnel route(String host) {
        if (host == null) return null;
        String name = Hosts.subdomain(host, domain);
        if (name == null) return null;
        HttpTunnel tunnel = byName.get(name);
        return tunnel != null && tunnel.isRoutable() ? tunnel : null;
    }

    /**
     * Routes a request, waiting up to {@code hold} when the host's tunnel is kept for a reconnecting agent: the
     * request then goes to the resumed session's tunnel as soon as it is bound.
     *
     * @param host a Host header, as sent; null if the request had none
     * @param hold the longest wait for a reconnecting tunnel
     * @return the routable tunnel, or null (none, or still reconnecting after {@code hold})
     */
    HttpTunnel routeWaiting(String host, Duration hold) throws InterruptedException {
        HttpTunnel tunnel = route(host);
        if (tunnel != null || hold.isZero() || !reconnecting(host)) return tunnel;
        long left = hold.toNanos();
        opened.lock();
        try {
            while ((tunnel = route(host)) == null && reconnecting(host) && left > 0) {
                left = tunnelOpened.awaitNanos(left);
            }
            return tunnel;
        } finally {
            opened.unlock();
        }
    }

    /** @param host a Host header @return whether its name is kept for a reconnecting agent (no tunnel routable) */
    boolean reconnecting(String host) {
        if (host == null) return false;
        String name = Hosts.subdomain(host, domain);
        HttpTunnel holder = name == null ? null : byName.get(name);
        return holder != null && holder.isSuspended();
    }

    /**
     * A router that holds requests for a reconnecting tunnel up to {@code hold}: by each request's Host (the shared
     * ports), or to one name whoever holds it (the own port of a tunnel of a relay without a domain, which stays
     * bound while the tunnel is kept for a resume and then serves the resumed session's tunnel).
     *
     * @param name the subdomain every request goes to, or null to route by Host
     * @param hold the longest wait for a reconnecting tunnel
     * @return the router
     */
    EdgeConnection.Router router(String name, Duration hold) {
        String fixedHost = name == null ? null : name + "." + domain;
        return new EdgeConnection.Router() {
            @Override
            public HttpTunnel route(String host) throws InterruptedException {
                return routeWaiting(fixedHost != null ? fixedHost : host, hold);
            }

            @Override
            public boolean reconnecting(String host) {
                return TunnelRegistry.this.reconnecting(fixedHost != null ? fixedHost : host);
            }
        };
    }

    /** A tunnel became routable: wakes requests waiting for a reconnecting tunnel. */
    void opened() {
        opened.lock();
        try {
            tunnelOpened.signalAll();
        } finally {
            opened.unlock();
        }
    }

    /** @param name a subdomain @return the tunnel holding it, routable or not yet, or null */
    HttpTunnel holder(String name) {
        return byName.get(name);
    }

    /** @return the number of names held */
    int size() {
        return byName.size();
    }
}
