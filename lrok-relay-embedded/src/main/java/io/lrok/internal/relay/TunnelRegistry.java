package io.lrok.internal.relay;

import io.lrok.internal.wire.Names;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * The relay's table of HTTP tunnels by subdomain: who holds which name, and where a Host goes. Claims are atomic
 * ({@link ConcurrentHashMap#putIfAbsent}): of two sessions binding one name at once, exactly one gets it. Thread-safe
 * without a lock of its own.
 */
final class TunnelRegistry {
    /** Random names tried without a suffix before trying with one ({@code violet-mole}, then {@code violet-mole-42}). */
    static final int RANDOM_PLAIN_ATTEMPTS = 20;
    /** Random names tried with a suffix before giving up. */
    static final int RANDOM_SUFFIXED_ATTEMPTS = 20;

    private final ConcurrentHashMap<String, HttpTunnel> byName = new ConcurrentHashMap<>();
    /** The domain hosts are routed under: the configured one, or {@code localhost}. */
    private final String domain;

    TunnelRegistry(String domain) {
        this.domain = domain;
    }

    /**
     * @param name   a valid subdomain
     * @param tunnel the tunnel that wants it, named {@code name}
     * @return whether it got the name (false: another tunnel holds it)
     */
    boolean claim(String name, HttpTunnel tunnel) {
        return byName.putIfAbsent(name, tunnel) == null;
    }

    /**
     * Claims a random free name ({@link Names#random}).
     *
     * @param make makes the tunnel for a candidate name
     * @return the tunnel that got a name, or null if every attempt hit a taken one
     */
    HttpTunnel claimRandom(Function<String, HttpTunnel> make) {
        ThreadLocalRandom rng = ThreadLocalRandom.current();
        for (int i = 0; i < RANDOM_PLAIN_ATTEMPTS + RANDOM_SUFFIXED_ATTEMPTS; i++) {
            HttpTunnel tunnel = make.apply(Names.random(rng, i >= RANDOM_PLAIN_ATTEMPTS));
            if (claim(tunnel.name(), tunnel)) return tunnel;
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

    /** @param name a subdomain @return the tunnel holding it, routable or not yet, or null */
    HttpTunnel holder(String name) {
        return byName.get(name);
    }

    /** @return the number of names held */
    int size() {
        return byName.size();
    }
}
