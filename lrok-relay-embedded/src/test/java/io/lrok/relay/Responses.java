package io.lrok.relay;

import io.lrok.relay.FakeAgent.Handler;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Canned answers of the {@link FakeAgent}: the response bytes a local service would have produced. */
final class Responses {
    private Responses() {
    }

    /** 200 with a Content-Length body, then FIN. */
    static Handler fixed(String body) {
        return ex -> {
            ex.readBody();
            ex.send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
                    + "\r\nConnection: close\r\n\r\n" + body);
            ex.end();
        };
    }

    /** 200 whose body names the tunnel the request came through, and echoes the request's body. */
    static Handler whoAmI(String name) {
        return ex -> {
            String body = name + ":" + new String(ex.readBody(), java.nio.charset.StandardCharsets.ISO_8859_1);
            ex.send("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            ex.end();
        };
    }

    /** 200 with a chunked body of these chunks, then FIN. */
    static Handler chunked(String... chunks) {
        return ex -> {
            ex.readBody();
            StringBuilder sb = new StringBuilder("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (String c : chunks) sb.append(Integer.toHexString(c.length())).append("\r\n").append(c).append("\r\n");
            ex.send(sb.append("0\r\n\r\n").toString());
            ex.end();
        };
    }

    /** 200 with neither length nor chunking: the body ends with the FIN. */
    static Handler untilClose(String body) {
        return ex -> {
            ex.readBody();
            ex.send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n");
            ex.send(body);
            ex.end();
        };
    }

    /** 103 Early Hints, then 200. */
    static Handler earlyHints(String body) {
        return ex -> {
            ex.readBody();
            ex.send("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n");
            ex.send("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            ex.end();
        };
    }

    /** As a server honoring Expect: 100-continue: 100 first, then reads the body and echoes it with a length. */
    static Handler continueThenEcho() {
        return ex -> {
            if (!"100-continue".equalsIgnoreCase(ex.head.headers().get("Expect"))) {
                throw new AssertionError("no Expect: 100-continue in " + ex.head);
            }
            ex.send("HTTP/1.1 100 Continue\r\n\r\n");
            byte[] body = ex.readBody();
            ex.send("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n");
            ex.stream.getOutputStream().write(body);
            ex.end();
        };
    }

    /** 101, then echoes every byte back until the client half-closes; then FIN. */
    static Handler upgradeEcho() {
        return ex -> {
            ex.readBody();
            ex.send("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: "
                    + ex.head.headers().get("Upgrade") + "\r\n\r\n");
            ex.reader.untilClose().transferTo(new FlushingOutput(ex.stream.getOutputStream()));
            ex.end();
        };
    }

    /**
     * Server-sent events: the head and a first event, then waits for {@code firstSeen} (the test saw the first
     * event arrive, while the response was still open), then a second event and the end.
     */
    static Handler events(CountDownLatch firstSeen) {
        return ex -> {
            ex.readBody();
            ex.send("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            ex.send(chunk("data: one\n\n"));
            if (!firstSeen.await(FakeAgent.WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the client did not see the first event while the response was open");
            }
            ex.send(chunk("data: two\n\n") + "0\r\n\r\n");
            ex.end();
        };
    }

    /** Resets the stream without a byte of response. */
    static Handler reset() {
        return ex -> ex.stream.reset();
    }

    /** Ends the stream (FIN) without a byte of response. */
    static Handler silentEnd() {
        return ex -> {
            ex.readBody();
            ex.end();
        };
    }

    static String chunk(String data) {
        return Integer.toHexString(data.length()) + "\r\n" + data + "\r\n";
    }

    /** Flushes after every write, as a pipe must. */
    private static final class FlushingOutput extends java.io.FilterOutputStream {
        FlushingOutput(java.io.OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            out.write(b, off, len);
            out.flush();
        }
    }
}
