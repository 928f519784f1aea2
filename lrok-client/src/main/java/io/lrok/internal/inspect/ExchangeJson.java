package io.lrok.internal.inspect;

import io.lrok.inspect.Header;
import io.lrok.inspect.RecordedBody;
import io.lrok.inspect.RecordedExchange;
import io.lrok.inspect.RecordedRequest;
import io.lrok.inspect.RecordedResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The inspector API's JSON shapes of recorded exchanges (docs/inspector.md lists them), as maps for the codec. */
final class ExchangeJson {
    private ExchangeJson() {
    }

    /** The list's and the events' view: enough for a row. */
    static Map<String, Object> summary(ExchangeRecorder.Versioned versioned) {
        RecordedExchange e = versioned.exchange();
        RecordedRequest q = e.request();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("revision", versioned.revision());
        m.put("replayOf", q.replayOf().isPresent() ? q.replayOf().getAsLong() : null);
        m.put("method", q.method());
        m.put("target", q.target());
        m.put("clientAddress", q.clientAddress());
        m.put("scheme", q.scheme());
        m.put("host", q.host());
        m.put("startedAt", e.timings().start().toString());
        m.put("state", e.state().name().toLowerCase(Locale.ROOT));
        m.put("upgraded", e.upgraded());
        Optional<RecordedResponse> r = e.response();
        m.put("status", r.map(RecordedResponse::status).orElse(null));
        m.put("fromAgent", r.map(RecordedResponse::fromAgent).orElse(false));
        m.put("requestSize", q.body().size());
        m.put("responseSize", r.map(x -> x.body().size()).orElse(null));
        m.put("responseType", r.flatMap(x -> x.body().contentType()).orElse(null));
        m.put("durationMillis", e.timings().total().map(ExchangeJson::millis).orElse(null));
        m.put("error", e.error().orElse(null));
        return m;
    }

    /** One exchange in full: the summary, then both messages with headers and bodies, and the timings. */
    static Map<String, Object> detail(ExchangeRecorder.Versioned versioned) {
        RecordedExchange e = versioned.exchange();
        RecordedRequest q = e.request();
        Map<String, Object> m = summary(versioned);
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("method", q.method());
        request.put("target", q.target());
        request.put("version", q.version());
        request.put("headers", headers(q.headers()));
        request.put("body", body(q.body()));
        request.put("bodyComplete", q.bodyComplete());
        request.put("chunked", q.chunked());
        m.put("request", request);
        m.put("response", e.response().map(r -> {
            Map<String, Object> response = new LinkedHashMap<>();
            response.put("status", r.status());
            response.put("reason", r.reason());
            response.put("version", r.version());
            response.put("headers", headers(r.headers()));
            response.put("body", body(r.body()));
            response.put("bodyComplete", r.bodyComplete());
            response.put("chunked", r.chunked());
            response.put("fromAgent", r.fromAgent());
            return (Object) response;
        }).orElse(null));
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("startedAt", e.timings().start().toString());
        timings.put("requestCompleteMillis", e.timings().requestComplete().map(ExchangeJson::millis).orElse(null));
        timings.put("firstResponseByteMillis", e.timings().firstResponseByte().map(ExchangeJson::millis).orElse(null));
        timings.put("totalMillis", e.timings().total().map(ExchangeJson::millis).orElse(null));
        m.put("timings", timings);
        return m;
    }

    private static List<Object> headers(List<Header> headers) {
        List<Object> list = new ArrayList<>(headers.size());
        for (Header h : headers) list.add(List.of(h.name(), h.value()));
        return list;
    }

    private static Map<String, Object> body(RecordedBody body) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("size", body.size());
        m.put("capturedSize", body.capturedSize());
        m.put("truncated", body.truncated());
        m.put("contentType", body.contentType().orElse(null));
        m.put("contentEncoding", body.contentEncoding().orElse(null));
        boolean text = body.isText();
        m.put("isText", text);
        m.put("text", text ? body.text() : null);
        m.put("base64", Base64.getEncoder().encodeToString(body.bytes()));
        return m;
    }

    /** @return the duration in milliseconds, to the microsecond */
    private static double millis(Duration d) {
        return Math.round(d.toNanos() / 1_000.0) / 1_000.0;
    }
}
