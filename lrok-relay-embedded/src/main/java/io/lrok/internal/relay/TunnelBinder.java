package io.lrok.internal.relay;

import io.lrok.internal.wire.ControlMessage;
import io.lrok.internal.wire.ControlMessage.Bind;
import io.lrok.internal.wire.ControlMessage.Bound;
import io.lrok.internal.wire.ControlMessage.ErrorMessage;
import io.lrok.internal.wire.ErrorCode;
import io.lrok.internal.wire.Names;
import io.lrok.internal.wire.Proto;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Answers one session's binds (docs/protocol.md §3, bind): checks the request, claims the name in the
 * {@link TunnelRegistry}, opens the tunnel's own edge port when the relay has no domain, and makes the bound;
 * releases what a tunnel held when it closes. Called on the session's control thread only.
 */
final class TunnelBinder {
    private static final System.Logger LOG = System.getLogger(TunnelBinder.class.getName());

    /**
     * What a bound tunnel holds.
     *
     * @param tunnel   the HTTP tunnel, or null for a TCP tunnel
     * @param listener its own edge port (relay without a domain), or null
     * @param url      its public URL
     * @param tcp      the TCP tunnel, with its own port, or null for an HTTP tunnel
     */
    record Binding(HttpTunnel tunnel, Listener listener, URI url, TcpTunnel tcp) {
        /** An HTTP tunnel's binding. */
        Binding(HttpTunnel tunnel, Listener listener, URI url) {
            this(tunnel, listener, url, null);
        }

        /** @return the tunnel id */
        String id() {
            return tcp != null ? tcp.id() : tunnel.id();
        }

        /** @return the tunnel, for logs */
        String describe() {
            return tcp != null ? tcp.toString() : tunnel.toString();
        }
    }

    private final RelayServer relay;
    private final AgentSession session;

    TunnelBinder(RelayServer relay, AgentSession session) {
        this.relay = relay;
        this.session = session;
    }

    /**
     * @param bind the agent's bind
     * @return the answer: bound (the tunnel is routable already), or error with the bind's id
     */
    ControlMessage bind(Bind bind) {
        if (bind.proto() == Proto.TCP) return bindTcp(bind);
        if (bind.port() != null) return refuse(bind, ErrorCode.BAD_REQUEST, "an HTTP bind takes no port");
        String wanted = bind.subdomain();
        if (wanted != null && !Names.isValidSubdomain(wanted)) {
            return refuse(bind, ErrorCode.SUBDOMAIN_INVALID, "\"" + wanted + "\" is not a valid subdomain: one DNS"
                    + " label of 1 to " + Names.MAX_SUBDOMAIN_LENGTH + " characters a-z, 0-9 and -, not starting"
                    + " or ending with -");
        }
        String tunnelId = session.reserveTunnelId();
        if (tunnelId == null) {
            return refuse(bind, ErrorCode.LIMIT_REACHED, "this session holds its maximum of "
                    + session.maxTunnels() + " tunnels");
        }
        HttpTunnel tunnel;
        Binding kept = null; // what this session held under the name before its agent reconnected
        if (wanted != null) {
            kept = session.takeKeptName(wanted);
            tunnel = new HttpTunnel(wanted, tunnelId, session);
            ErrorCode refused = relay.registry().claim(wanted, tunnel);
            if (refused != null) {
                if (kept != null) release(kept); // no longer this session's to have (its account changed)
                return refuse(bind, refused, claimProblem(refused, wanted));
            }
        } else {
            tunnel = relay.registry().claimRandom(session, name -> new HttpTunnel(name, tunnelId, session));
            if (tunnel == null) {
                return refuse(bind, ErrorCode.LIMIT_REACHED, "no free random name found; ask for a subdomain");
            }
        }
        Binding binding;
        try {
            // A resumed tunnel keeps its own port (a relay without a domain): that port routes by name.
            binding = kept != null && kept.listener() != null ? new Binding(tunnel, kept.listener(), kept.url())
                    : relay.openEdge(tunnel);
        } catch (IOException e) {
            relay.registry().release(tunnel);
            return refuse(bind, ErrorCode.INTERNAL, "cannot open a port for the tunnel: " + e.getMessage());
        }
        if (!session.addTunnel(binding)) {
            release(binding);
            return refuse(bind, ErrorCode.INTERNAL, "the session is closing");
        }
        tunnel.open(); // before the bound: a request sent as soon as the agent reads it must find the tunnel
        relay.registry().opened();
        boolean resumed = kept != null;
        LOG.log(Level.INFO, () -> "session " + session.id() + ": " + (resumed ? "resumed " : "opened ") + tunnel
                + " at " + binding.url());
        return new Bound(bind.id(), tunnelId, binding.url(), tunnel.name());
    }

    /**
     * A TCP bind: the port asked for if it is in the relay's range and free, else {@code port_unavailable}; without
     * a port asked for, a free one of the range (or any free port when the relay has no range).
     */
    private ControlMessage bindTcp(Bind bind) {
        if (bind.subdomain() != null) return refuse(bind, ErrorCode.BAD_REQUEST, "a TCP bind takes no subdomain");
        RelayConfig config = relay.config();
        Integer wanted = bind.port();
        if (wanted != null && config.hasTcpPortRange()
                && (wanted < config.tcpPortFrom() || wanted > config.tcpPortTo())) {
            return refuse(bind, ErrorCode.PORT_UNAVAILABLE, "port " + wanted + " is outside this relay's TCP ports "
                    + config.tcpPortFrom() + "-" + config.tcpPortTo());
        }
        String tunnelId = session.reserveTunnelId();
        if (tunnelId == null) {
            return refuse(bind, ErrorCode.LIMIT_REACHED, "this session holds its maximum of "
                    + session.maxTunnels() + " tunnels");
        }
        Binding kept = wanted == null ? null : session.takeKeptPort(wanted);
        TcpTunnel tunnel = kept != null ? kept.tcp() : new TcpTunnel(tunnelId, session, relay);
        String host = config.domain() != null ? relay.domain() : EdgeConnection.urlHost(config.bindAddress());
        if (kept != null) {
            tunnel.resumeIn(session, tunnelId); // the port this session held before its agent reconnected
        } else if (wanted != null) {
            try {
                tunnel.listen(config.bindAddress(), wanted, host);
            } catch (IOException e) {
                return refuse(bind, ErrorCode.PORT_UNAVAILABLE, "port " + wanted + " is taken");
            }
        } else if (config.hasTcpPortRange()) {
            if (!listenInRange(tunnel, config, host)) {
                return refuse(bind, ErrorCode.PORT_UNAVAILABLE, "no free port in this relay's TCP ports "
                        + config.tcpPortFrom() + "-" + config.tcpPortTo());
            }
        } else {
            try {
                tunnel.listen(config.bindAddress(), 0, host);
            } catch (IOException e) {
                return refuse(bind, ErrorCode.INTERNAL, "cannot open a port for the tunnel: " + e.getMessage());
            }
        }
        Binding binding = new Binding(null, null, tunnel.url(), tunnel);
        if (!session.addTunnel(binding)) {
            release(binding);
            return refuse(bind, ErrorCode.INTERNAL, "the session is closing");
        }
        tunnel.open(); // before the bound: a connection made as soon as the agent reads it must be forwarded
        LOG.log(Level.INFO, () -> "session " + session.id() + ": opened " + tunnel);
        return new Bound(bind.id(), tunnelId, binding.url());
    }

    /** Tries every port of the range once, from a random one on, wrapping around. @return whether one was bound */
    private static boolean listenInRange(TcpTunnel tunnel, RelayConfig config, String host) {
        int size = config.tcpPortTo() - config.tcpPortFrom() + 1;
        int start = ThreadLocalRandom.current().nextInt(size);
        for (int i = 0; i < size; i++) {
            try {
                tunnel.listen(config.bindAddress(), config.tcpPortFrom() + (start + i) % size, host);
                return true;
            } catch (IOException taken) {
                // try the next
            }
        }
        return false;
    }

    /** Makes the tunnel unroutable, closes its own port, and frees its name (in that order: a freed name's port is
     *  closed already). A TCP tunnel frees its port. */
    void release(Binding binding) {
        release(relay, binding);
    }

    /** {@link #release(Binding)} for a binding of any session: a kept one whose grace ended. */
    static void release(RelayServer relay, Binding binding) {
        if (binding.tcp() != null) {
            binding.tcp().close();
            return;
        }
        binding.tunnel().close();
        if (binding.listener() != null) binding.listener().close();
        relay.registry().release(binding.tunnel());
    }

    /** Keeps a binding for its session's resume: unroutable, its name and ports still held. */
    static void suspend(Binding binding) {
        if (binding.tcp() != null) {
            binding.tcp().suspend();
        } else {
            binding.tunnel().suspend();
        }
    }

    /** @return the message of a refused claim of {@code name} */
    private String claimProblem(ErrorCode code, String name) {
        String host = name + "." + relay.domain();
        return switch (code) {
            case SUBDOMAIN_RESERVED -> host + " is reserved for another account";
            case SUBDOMAIN_TAKEN -> host + " is in use";
            default -> "the relay could not decide whether " + host + " is free; retry later";
        };
    }

    private ErrorMessage refuse(Bind bind, ErrorCode code, String message) {
        LOG.log(Level.DEBUG, () -> "session " + session.id() + ": bind " + bind.id() + " refused: " + code.wireName()
                + ": " + message);
        return new ErrorMessage(code, message, bind.id());
    }
}
