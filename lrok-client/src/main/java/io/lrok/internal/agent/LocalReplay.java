package io.lrok.internal.agent;

import io.lrok.AgentConfig;
import io.lrok.inspect.Header;
import io.lrok.inspect.RecordedRequest;
import io.lrok.internal.http.BodyFraming;
import io.lrok.internal.http.HttpHeaders;
import io.lrok.internal.http.HttpReader;
import io.lrok.internal.http.RequestHead;
import io.lrok.internal.http.ResponseHead;
import io.lrok.internal.inspect.ExchangeRecorder;
import io.lrok.internal.inspect.ExchangeStore;
import io.lrok.internal.inspect.Replay;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Replays recorded requests against one HTTP tunnel's local app, on a connection of its own (never a pooled one),
 * with the tunnel's rewrites (Host header, header edits) applied as for a forwarded request, and records each as a
 * new exchange. The recorded body is the content (chunked bodies decoded), so a replay always sends it with a
 * Content-Length. Stateless beyond its settings; thread-safe.
 */
final class LocalReplay implements Replay {
    /** Fields lrok sets itself on a replay: the framing, and hop-by-hop fields of the original connection. */
    private static final Set<String> FRAMING = Set.of("content-length", "transfer-encoding", "connection",
            "keep-alive", "expect", "te", "upgrade");

    private final HttpTunnelSpec spec;
    private final AgentConfig config;
    private final ExchangeStore store;

    LocalReplay(HttpTunnelSpec spec, AgentConfig config, ExchangeStore store) {
        this.spec = spec;
        this.config = config;
        this.store = store;
    }

    @Override
    public ExchangeRecorder replay(long id, Edits edits, String clientAddress) throws Refused, InterruptedException {
        ExchangeRecorder original = store.find(id)
                .orElseThrow(() -> new Refused(404, "no exchange " + id + " (cleared, or dropped from the ring)"));
        RecordedRequest recorded = original.request();
        if (recorded.header("Upgrade").isPresent()) {
            throw new Refused(400, "exchange " + id + " is an upgrade (a WebSocket); it cannot be replayed");
        }
        byte[] body = edits.body();
        if (body == null) {
            if (recorded.body().truncated()) {
                throw new Refused(409, "the recorded body of exchange " + id + " was truncated at "
                        + recorded.body().capturedSize() + " of " + recorded.body().size()
                        + " bytes; give a body to replay it");
            }
            if (!recorded.bodyComplete()) {
                throw new Refused(409, "the body of exchange " + id + " never arrived whole; give a body to replay it");
            }
            body = recorded.body().bytes();
        }
        RequestHead head = head(recorded, edits, body);

        ExchangeRecorder replay = store.begin(head, false, clientAddress, recorded.scheme(), recorded.host(),
                OptionalLong.of(id), Instant.now(), System.nanoTime());
        try {
            send(replay, head, body);
        } catch (InterruptedIOException e) {
            replay.failed("interrupted");
            throw new InterruptedException("replay interrupted");
        } catch (IOException e) {
            replay.failed("lrok lost the local app at " + spec.target() + ": " + ErrorPage.describe(e));
        } finally {
            replay.finished();
        }
        return replay;
    }

    private RequestHead head(RecordedRequest recorded, Edits edits, byte[] body) throws Refused {
        String method = edits.method() != null ? edits.method().strip() : recorded.method();
        String target = edits.target() != null ? edits.target().strip() : recorded.target();
        if (!target.startsWith("/") && !(target.equals("*") && method.equals("OPTIONS"))) {
            throw new Refused(400, "the path must start with /: " + target);
        }
        List<Header> fields = edits.headers() != null ? edits.headers() : recorded.headers();
        try {
            HttpHeaders headers = HttpHeaders.empty();
            for (Header h : fields) {
                if (!FRAMING.contains(h.name().toLowerCase(Locale.ROOT))) headers = headers.with(h.name(), h.value());
            }
            boolean hadBody = recorded.header("Content-Length").isPresent() || recorded.chunked();
            if (body.length > 0 || hadBody) headers = headers.with("Content-Length", Integer.toString(body.length));
            return new RequestHead(method, target, RequestHead.HTTP_1_1, headers);
        } catch (IllegalArgumentException e) {
            throw new Refused(400, "cannot replay that request: " + e.getMessage());
        }
    }

    private void send(ExchangeRecorder replay, RequestHead head, byte[] body) throws IOException {
        RequestHead local = spec.localRequest(head);
        local = local.withHeaders(local.headers().set("Connection", "close")); // one exchange per connection
        try (Socket socket = spec.target().connect(config.localConnectTimeout())) {
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE,
                    Math.max(1, store.settings().replayTimeout().toMillis())));
            OutputStream out = socket.getOutputStream();
            out.write(local.toBytes());
            replay.teeRequestBody(out).write(body);
            out.flush();
            replay.requestEnded(true);

            HttpReader reader = new HttpReader(socket.getInputStream());
            ResponseHead response;
            do {
                response = reader.readResponseHead(config.httpLimits());
                if (response == null) throw new IOException("the local app closed the connection without a response");
            } while (response.status() < 200);
            BodyFraming framing = BodyFraming.forResponse(head.method(), response);
            ResponseHead publicResponse = spec.publicResponse(response);
            replay.response(publicResponse, framing instanceof BodyFraming.Chunked);
            reader.rawBody(framing, config.httpLimits()).transferTo(replay.teeResponseBody(OutputStream.nullOutputStream()));
        }
    }
}
