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
     * @param tunnel   the tunnel
     * @param listener its own edge port (relay without a domain), or null
     * @param url      its public URL
     */
    record Binding(HttpTunnel tunnel, Listener listener, URI url) {
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
        if (bind.proto() == Proto.TCP) {
            return refuse(bind, ErrorCode.PORT_UNAVAILABLE,
                    "this relay offers HTTP tunnels only: TCP tunnels are not supported yet");
        }
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
                    + relay.limits().maxTunnelsPerSession() + " tunnels");
        }
        HttpTunnel tunnel;
        if (wanted != null) {
            tunnel = new HttpTunnel(wanted, tunnelId, session);
            if (!relay.registry().claim(wanted, tunnel)) {
                return refuse(bind, ErrorCode.SUBDOMAIN_TAKEN, wanted + "." + relay.domain() + " is in use");
            }
        } else {
            tunnel = relay.registry().claimRandom(name -> new HttpTunnel(name, tunnelId, session));
            if (tunnel == null) {
                return refuse(bind, ErrorCode.LIMIT_REACHED, "no free random name found; ask for a subdomain");
            }
        }
        Binding binding;
        try {
            binding = relay.openEdge(tunnel);
        } catch (IOException e) {
            relay.registry().release(tunnel);
            return refuse(bind, ErrorCode.INTERNAL, "cannot open a port for the tunnel: " + e.getMessage());
        }
        if (!session.addTunnel(binding)) {
            release(binding);
            return refuse(bind, ErrorCode.INTERNAL, "the session is closing");
        }
        tunnel.open(); // before the bound: a request sent as soon as the agent reads it must find the tunnel
        LOG.log(Level.INFO, () -> "session " + session.id() + ": opened " + tunnel + " at " + binding.url());
        return new Bound(bind.id(), tunnelId, binding.url());
    }

    /** Makes the tunnel unroutable, closes its own port, and frees its name (in that order: a freed name's port is
     *  closed already). */
    void release(Binding binding) {
        binding.tunnel().close();
        if (binding.listener() != null) binding.listener().close();
        relay.registry().release(binding.tunnel());
    }

    private ErrorMessage refuse(Bind bind, ErrorCode code, String message) {
        LOG.log(Level.DEBUG, () -> "session " + session.id() + ": bind " + bind.id() + " refused: " + code.wireName()
                + ": " + message);
        return new ErrorMessage(code, message, bind.id());
    }
}
