package io.lrok.internal.relay;

import io.lrok.internal.http.RequestHead;
import io.lrok.internal.http.ResponseHead;

/**
 * The relay's per-request head work, as {@link Exchange} and {@link EdgeConnection} do it, for
 * {@code io.lrok.bench.HeadPathBench} (bench/head-path): in the relay's package, because those classes are not API.
 * Bench only; not part of the relay.
 */
public final class RelayHeadSteps {
    private RelayHeadSteps() {
    }

    /** @return the authority of an absolute-form target, else null (EdgeConnection, per request) */
    public static String absoluteAuthority(String target) {
        return ForwardedHeads.absoluteAuthority(target);
    }

    /** @return whether the relay treats the request as an upgrade (Exchange, per request) */
    public static boolean isUpgrade(RequestHead head) {
        return ForwardedHeads.isUpgrade(head);
    }

    /** @return the head the relay writes to the agent's stream (Exchange.runCounted) */
    public static byte[] forwardedRequest(RequestHead head, String host, String clientIp, String scheme,
            boolean upgrade, boolean streamKept) {
        return ForwardedHeads.request(head, ForwardedHeads.originForm(head.target()), host, clientIp, scheme, upgrade,
                streamKept).toBytes();
    }

    /** @return the head and body the relay writes to the public client (Exchange.relayResponse) */
    public static byte[] clientResponse(ResponseHead head, boolean keepAlive, boolean http10, byte[] body) {
        return ForwardedHeads.response(head, keepAlive, http10, false).toBytes(body);
    }
}
