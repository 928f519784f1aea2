package io.lrok.internal.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.internal.http.HttpHeaders;
import io.lrok.internal.http.RequestHead;
import io.lrok.internal.http.ResponseHead;
import io.lrok.internal.inspect.InspectSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The agent's header edits, applied in one pass: the same fields as the edits one after the other (what
 * {@link HttpTunnelSpec#localRequest} did before), user-given fields still checked, and heads without edits
 * passed on as they are.
 */
class HeaderEditsTest {
    private static final LocalTarget TARGET = new LocalTarget("http", "127.0.0.1", 3000, null, null);

    private static final List<HttpHeaders> TRICKY = List.of(
            HttpHeaders.empty(),
            HttpHeaders.of("Host", "a.localhost"),
            HttpHeaders.of("host", "a", "HOST", "b", "X-Trace", "1", "x-trace", "2", "Authorization", "Basic x"),
            HttpHeaders.of("Connection", "close", "authorization", "Bearer t", "Accept", "*/*", "connection", "x"),
            HttpHeaders.of("Accept", "*/*", "Cookie", "a=1", "Cookie", "b=2", "X-Forwarded-For", "10.0.0.1"));

    private static final List<HeaderEdits> EDITS = List.of(
            HeaderEdits.NONE,
            HeaderEdits.NONE.withRemove("x-TRACE", true).withAdd("X-Trace", "lrok", true),
            HeaderEdits.NONE.withRemove("Cookie", true).withRemove("Accept", true).withAdd("Authorization", "Basic y",
                    true).withAdd("X-A", "1", true).withAdd("x-a", "2", true),
            // made without the checks of withRemove and withAdd: the forwarder's own fields
            new HeaderEdits(List.of("host", "Connection"), List.of(new HttpHeaders.Field("Host", "edited"),
                    new HttpHeaders.Field("Connection", "keep-alive"))));

    @Test
    void requestEditsInOnePassGiveWhatTheyGaveOneAfterTheOther() {
        int compared = 0;
        for (HttpHeaders headers : TRICKY) {
            for (HeaderEdits edits : EDITS) {
                for (String hostHeader : new String[] {null, "localhost:3000"}) {
                    for (boolean auth : new boolean[] {false, true}) {
                        for (String version : List.of(RequestHead.HTTP_1_1, RequestHead.HTTP_1_0)) {
                            HttpTunnelSpec spec = new HttpTunnelSpec(TARGET, null, hostHeader, edits, HeaderEdits.NONE,
                                    InspectSettings.defaults(), auth ? new BasicAuth("u", "p") : null);
                            RequestHead request = new RequestHead("GET", "/", version, headers);
                            assertThat(spec.localRequest(request)).as("%s %s host=%s auth=%s %s", headers, edits,
                                    hostHeader, auth, version).isEqualTo(stepByStep(spec, request));
                            compared++;
                        }
                    }
                }
            }
        }
        assertThat(compared).isEqualTo(TRICKY.size() * EDITS.size() * 2 * 2 * 2);
    }

    @Test
    void responseEditsInOnePassGiveWhatTheyGaveOneAfterTheOther() {
        for (HttpHeaders headers : TRICKY) {
            for (HeaderEdits edits : EDITS) {
                HttpHeaders before = headers;
                for (String name : edits.remove()) before = before.without(name);
                for (HttpHeaders.Field field : edits.add()) before = before.with(field.name(), field.value());
                assertThat(edits.apply(headers)).as("%s %s", headers, edits).isEqualTo(before);
            }
        }
    }

    @Test
    void withoutEditsTheHeadGoesOnAsItIs() {
        HttpTunnelSpec spec = new HttpTunnelSpec(TARGET, null, null, HeaderEdits.NONE, HeaderEdits.NONE,
                InspectSettings.defaults(), null);
        RequestHead request = new RequestHead("GET", "/", RequestHead.HTTP_1_1, HttpHeaders.of("Host", "a"));
        assertThat(spec.localRequest(request)).isSameAs(request);
        ResponseHead response = ResponseHead.of(200, HttpHeaders.of("Content-Length", "0"));
        assertThat(spec.publicResponse(response)).isSameAs(response);
    }

    @Test
    void fieldsFromTheUserAreStillChecked() {
        assertThatThrownBy(() -> HeaderEdits.NONE.withAdd("X", "a\r\nInjected: 1", false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HeaderEdits.NONE.withAdd("X Y", "a", true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HeaderEdits.NONE.withRemove("Content-Length", false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HttpTunnelSpec(TARGET, null, "a\r\nb", HeaderEdits.NONE, HeaderEdits.NONE,
                InspectSettings.defaults(), null)).isInstanceOf(IllegalArgumentException.class);
        // edits made without withAdd are checked when applied, as with() checked them before
        HeaderEdits unchecked = new HeaderEdits(List.of(), List.of(new HttpHeaders.Field("X", "a\nb")));
        assertThatThrownBy(() -> unchecked.apply(HttpHeaders.of("Host", "a")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** HttpTunnelSpec.localRequest as it was: one edit after the other, each a copy of the list. */
    private static RequestHead stepByStep(HttpTunnelSpec spec, RequestHead request) {
        HttpHeaders headers = request.headers();
        if (spec.basicAuth() != null) headers = headers.without("Authorization");
        if (spec.hostHeader() != null) headers = headers.set("Host", spec.hostHeader());
        for (String name : spec.requestEdits().remove()) headers = headers.without(name);
        for (HttpHeaders.Field field : spec.requestEdits().add()) headers = headers.with(field.name(), field.value());
        if (HttpTunnelSpec.keepsAlive(request)) headers = headers.without("Connection");
        return request.withHeaders(headers);
    }
}
