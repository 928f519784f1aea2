package io.lrok.internal.agent;

import io.lrok.internal.http.BodyFraming;
import io.lrok.internal.http.HttpHeaders;
import io.lrok.internal.http.RequestHead;
import io.lrok.internal.http.ResponseHead;
import io.lrok.internal.inspect.InspectSettings;
import java.util.Objects;

/**
 * What an HTTP tunnel asks of the relay and how it rewrites what passes: everything a tunnel builder collects.
 * Immutable.
 *
 * @param target         the local app
 * @param subdomain      the wanted subdomain, or null for one the relay picks
 * @param hostHeader     the Host header to send the app, or null to keep the public one
 * @param requestEdits   edits of request header fields, applied after the Host header
 * @param responseEdits  edits of the final response's header fields (interim 1xx responses pass unchanged)
 * @param inspect        what the tunnel records and whether it serves the inspector
 * @param basicAuth      the credentials a request must carry, or null for none
 */
public record HttpTunnelSpec(LocalTarget target, String subdomain, String hostHeader, HeaderEdits requestEdits,
        HeaderEdits responseEdits, InspectSettings inspect, BasicAuth basicAuth) {

    /** Checks the parts. */
    public HttpTunnelSpec {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(requestEdits, "requestEdits");
        Objects.requireNonNull(responseEdits, "responseEdits");
        Objects.requireNonNull(inspect, "inspect");
        if (hostHeader != null) HttpHeaders.of("Host", hostHeader);
    }

    /**
     * The head to send the local app for a request from the relay: Host header policy, then the request edits,
     * then the connection: the relay sends {@code Connection: close} (a stream carries one exchange), but the hop
     * to the local app is kept alive, so an HTTP/1.1 request goes without a Connection field (keep-alive by
     * default). An upgrade request keeps {@code Connection: upgrade}; an HTTP/1.0 request keeps what it has and its
     * connection is not reused. With basic auth on, requests also lose {@code Authorization}: the tunnel's credentials,
     * not the app's. All in one pass ({@link HeaderEdits#applyToRequest}).
     *
     * @param request the request as the relay sent it
     * @return the request for the local app; {@code request} itself if nothing changes
     */
    public RequestHead localRequest(RequestHead request) {
        HttpHeaders headers = requestEdits.applyToRequest(request.headers(), basicAuth != null, hostHeader,
                keepsAlive(request));
        return headers == request.headers() ? request : request.withHeaders(headers);
    }

    /**
     * @param request a request as the relay sent it
     * @return whether its connection to the local app may be reused afterwards (the response permitting)
     */
    public static boolean keepsAlive(RequestHead request) {
        return request.version().equals(RequestHead.HTTP_1_1) && !BodyFraming.isUpgrade(request);
    }

    /**
     * @param response the app's final response
     * @return it with the response edits applied; {@code response} itself if there are none
     */
    public ResponseHead publicResponse(ResponseHead response) {
        HttpHeaders headers = responseEdits.apply(response.headers());
        return headers == response.headers() ? response : response.withHeaders(headers);
    }
}
