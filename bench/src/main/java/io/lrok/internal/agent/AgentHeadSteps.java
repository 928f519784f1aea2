package io.lrok.internal.agent;

import io.lrok.internal.http.RequestHead;
import io.lrok.internal.http.ResponseHead;

/**
 * The agent's per-request head work, as {@link HttpExchange} does it, for {@code io.lrok.bench.HeadPathBench}
 * (bench/head-path): in the agent's package, so that the bench calls what the exchange calls. Bench only.
 */
public final class AgentHeadSteps {
    private AgentHeadSteps() {
    }

    /** @return the head the agent writes to the local app (HttpExchange.forward) */
    public static byte[] localRequest(HttpTunnelSpec spec, RequestHead request) {
        return spec.localRequest(request).toBytes();
    }

    /** @return the head and body the agent writes to the relay's stream (HttpExchange.respond) */
    public static byte[] publicResponse(HttpTunnelSpec spec, ResponseHead response, byte[] body) {
        return spec.publicResponse(response).toBytes(body);
    }
}
