package io.lrok.internal.http;

import io.lrok.http.HttpLimits;

import static io.lrok.internal.http.HttpTestSupport.bytes;
import static io.lrok.internal.http.HttpTestSupport.reader;
import static io.lrok.internal.http.HttpTestSupport.string;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Reading well-formed heads and bodies, and where each body stream leaves the reader. */
class HttpReaderTest {
    private static final HttpLimits LIMITS = HttpLimits.defaults();

    @Test
    void readsAGet() throws Exception {
        HttpReader reader = reader("GET /a/b?c=d HTTP/1.1\r\nHost: example.com\r\nAccept:  */* \r\nX-Empty:\r\n\r\n");
        RequestHead head = reader.readRequestHead(LIMITS);
        assertThat(head.method()).isEqualTo("GET");
        assertThat(head.target()).isEqualTo("/a/b?c=d");
        assertThat(head.version()).isEqualTo(RequestHead.HTTP_1_1);
        assertThat(head.headers().get("host")).isEqualTo("example.com");
        assertThat(head.headers().get("ACCEPT")).isEqualTo("*/*");
        assertThat(head.headers().get("X-Empty")).isEmpty();
        assertThat(head.headers().name(0)).isEqualTo("Host");
        assertThat(BodyFraming.forRequest(head)).isEqualTo(BodyFraming.NONE);
        assertThat(reader.readRequestHead(LIMITS)).isNull();
    }

    @Test
    void readsAPostWithContentLengthAndLeavesTheNextRequest() throws Exception {
        HttpReader reader = reader("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n"
                + "hello worldGET /next");
        RequestHead head = reader.readRequestHead(LIMITS);
        assertThat(BodyFraming.forRequest(head)).isEqualTo(new BodyFraming.Fixed(11));
        InputStream body = reader.body(BodyFraming.forRequest(head), LIMITS);
        assertThat(string(body.readAllBytes())).isEqualTo("hello world");
        assertThat(body.read()).isEqualTo(-1);
        assertThat(reader.buffered()).isEqualTo("GET /next".length());
    }

    @Test
    void readsAChunkedBodyWithExtensionsAndTrailers() throws Exception {
        String body = "5;name=value;quoted=\"a \\\"b\\\" c\"\r\nhello\r\n"
                + "6 ; bare\r\n world\r\n"
                + "A\r\n0123456789\r\n"
                + "0;last\r\nExpires: never\r\nX-Checksum: abc\r\n\r\n";
        HttpReader reader = reader("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + body + "NEXT");
        RequestHead head = reader.readRequestHead(LIMITS);
        assertThat(BodyFraming.forRequest(head)).isEqualTo(BodyFraming.CHUNKED);
        ChunkedInputStream in = reader.chunked(LIMITS);
        assertThatThrownBy(in::trailers).isInstanceOf(IllegalStateException.class);
        assertThat(string(in.readAllBytes())).isEqualTo("hello world0123456789");
        assertThat(in.trailers()).isEqualTo(HttpHeaders.of("Expires", "never", "X-Checksum", "abc"));
        assertThat(reader.buffered()).isEqualTo(4);
    }

    @Test
    void rawChunkedGivesTheExactBytesAndEndsWithTheBody() throws Exception {
        String body = "5;ext=\"x\"\r\nhello\r\n1\r\n!\r\n0\r\nTrailer: t\r\n\r\n";
        HttpReader reader = reader("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + body
                + "GET /second HTTP/1.1\r\nHost: a\r\n\r\n");
        RequestHead head = reader.readRequestHead(LIMITS);
        ChunkedInputStream raw = (ChunkedInputStream) reader.rawBody(BodyFraming.forRequest(head), LIMITS);
        assertThat(raw.isRaw()).isTrue();
        assertThat(string(raw.readAllBytes())).isEqualTo(body);
        assertThat(raw.trailers().get("trailer")).isEqualTo("t");
        assertThat(reader.readRequestHead(LIMITS).target()).isEqualTo("/second");
    }

    @Test
    void rawChunkedSurvivesOneByteReads() throws Exception {
        String body = "3\r\nabc\r\n0\r\nA: b\r\n\r\n";
        HttpReader reader = new HttpReader(new HttpTestSupport.TrickleInputStream(bytes(body + "rest"),
                new Random(1), 1), HttpReader.MIN_BUFFER_SIZE);
        ChunkedInputStream raw = reader.rawChunked(LIMITS);
        StringBuilder copied = new StringBuilder();
        for (int b; (b = raw.read()) != -1; ) copied.append((char) b);
        assertThat(copied.toString()).isEqualTo(body);
        assertThat(string(reader.untilClose().readAllBytes())).isEqualTo("rest");
    }

    @Test
    void readsHttp10WithoutHost() throws Exception {
        RequestHead head = reader("GET / HTTP/1.0\r\n\r\n").readRequestHead(LIMITS);
        assertThat(head.version()).isEqualTo(RequestHead.HTTP_1_0);
        assertThat(BodyFraming.isKeepAlive(head.version(), head.headers())).isFalse();
    }

    @Test
    void mapsLaterMinorVersionsToHttp11() throws Exception {
        assertThat(reader("GET / HTTP/1.7\r\nHost: a\r\n\r\n").readRequestHead(LIMITS).version())
                .isEqualTo(RequestHead.HTTP_1_1);
    }

    @Test
    void readsAnAbsoluteFormTarget() throws Exception {
        RequestHead head = reader("GET http://example.com:8080/x?y HTTP/1.1\r\nHost: example.com:8080\r\n\r\n")
                .readRequestHead(LIMITS);
        assertThat(head.target()).isEqualTo("http://example.com:8080/x?y");
    }

    @Test
    void readsPipelinedRequestsFromOneBuffer() throws Exception {
        String second = "POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nxyz";
        String third = "GET /three HTTP/1.1\r\nHost: a\r\n\r\n";
        HttpReader reader = reader("GET /one HTTP/1.1\r\nHost: a\r\n\r\n" + second + third);
        assertThat(reader.readRequestHead(LIMITS).target()).isEqualTo("/one");
        assertThat(reader.buffered()).isEqualTo(second.length() + third.length());
        RequestHead two = reader.readRequestHead(LIMITS);
        assertThat(two.target()).isEqualTo("/two");
        assertThat(string(reader.body(BodyFraming.forRequest(two), LIMITS).readAllBytes())).isEqualTo("xyz");
        assertThat(reader.readRequestHead(LIMITS).target()).isEqualTo("/three");
        assertThat(reader.readRequestHead(LIMITS)).isNull();
    }

    @Test
    void skipsEmptyLinesBeforeARequest() throws Exception {
        HttpReader reader = reader("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n\r\n");
        assertThat(reader.readRequestHead(LIMITS).method()).isEqualTo("GET");
        assertThat(reader.readRequestHead(LIMITS)).isNull();
    }

    @Test
    void returnsNullOnlyForAnEndBeforeTheFirstByte() throws Exception {
        assertThat(reader("").readRequestHead(LIMITS)).isNull();
        assertThatThrownBy(() -> reader("GET / HT").readRequestHead(LIMITS))
                .isInstanceOf(HttpException.class).hasMessageContaining("end of stream");
        assertThatThrownBy(() -> reader("GET / HTTP/1.1\r\nHost: a\r\n").readRequestHead(LIMITS))
                .isInstanceOf(HttpException.class).hasMessageContaining("end of stream");
    }

    @Test
    void refusesToReadAHeadBeforeTheBodyEnded() throws Exception {
        HttpReader reader = reader("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbodyGET");
        RequestHead head = reader.readRequestHead(LIMITS);
        InputStream body = reader.body(BodyFraming.forRequest(head), LIMITS);
        assertThat(body.read()).isEqualTo('b');
        body.close();
        assertThatThrownBy(() -> reader.readRequestHead(LIMITS)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(body::read).hasMessageContaining("closed");
    }

    @Test
    void fixedLengthEndsWithoutAnExtraReadAndFailsWhenCutShort() throws Exception {
        HttpReader reader = reader("abcdef");
        InputStream body = reader.fixedLength(3);
        assertThat(body.readNBytes(3)).isEqualTo(bytes("abc"));
        assertThat(reader.buffered()).isEqualTo(3);
        assertThat(string(reader.fixedLength(3).readAllBytes())).isEqualTo("def"); // the first one has ended
        InputStream cut = reader("ab").fixedLength(5);
        assertThatThrownBy(cut::readAllBytes).isInstanceOf(HttpException.class)
                .hasMessageContaining("after 2 of 5");
    }

    @Test
    void largeReadsBypassTheBufferButStopAtTheEnd() throws Exception {
        byte[] data = new byte[100_000];
        new Random(7).nextBytes(data);
        byte[] input = new byte[data.length + 5];
        System.arraycopy(data, 0, input, 0, data.length);
        System.arraycopy(bytes("after"), 0, input, data.length, 5);
        HttpReader reader = new HttpReader(new ByteArrayInputStream(input), HttpReader.MIN_BUFFER_SIZE);
        assertThat(reader.fixedLength(data.length).readAllBytes()).isEqualTo(data);
        assertThat(string(reader.untilClose().readAllBytes())).isEqualTo("after");
    }

    @Test
    void readsResponses() throws Exception {
        HttpReader reader = reader("HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                + "HTTP/1.1 204\r\n\r\n"
                + "HTTP/1.0 200 Fine  Thanks\r\n\r\nuntil close");
        ResponseHead interim = reader.readResponseHead(LIMITS);
        assertThat(interim.status()).isEqualTo(100);
        assertThat(BodyFraming.forResponse("GET", interim)).isEqualTo(BodyFraming.NONE);
        ResponseHead ok = reader.readResponseHead(LIMITS);
        assertThat(ok.reason()).isEqualTo("OK");
        assertThat(string(reader.body(BodyFraming.forResponse("GET", ok), LIMITS).readAllBytes())).isEqualTo("ok");
        ResponseHead noContent = reader.readResponseHead(LIMITS);
        assertThat(noContent.status()).isEqualTo(204);
        assertThat(noContent.reason()).isEmpty();
        ResponseHead old = reader.readResponseHead(LIMITS);
        assertThat(old.reason()).isEqualTo("Fine  Thanks");
        BodyFraming framing = BodyFraming.forResponse("GET", old);
        assertThat(framing).isEqualTo(BodyFraming.UNTIL_CLOSE);
        assertThat(string(reader.body(framing, LIMITS).readAllBytes())).isEqualTo("until close");
        assertThat(reader.readResponseHead(LIMITS)).isNull();
    }

    @Test
    void reportsBadResponsesAs502() {
        for (String bad : new String[] {"HTTP/1.1 20 OK\r\n\r\n", "HTTP/2.0 200 OK\r\n\r\n", "HTTP/1.1 200 OK\n\n",
                "HTTP/1.1 200 OK\r\nX : y\r\n\r\n", "HTTP/1.1 200 OK\r\n", "HTTP/1.1 099 Low\r\n\r\n"}) {
            assertThatThrownBy(() -> reader(bad).readResponseHead(LIMITS)).as(bad)
                    .isInstanceOfSatisfying(HttpException.class, e -> assertThat(e.status()).isEqualTo(502));
        }
    }

    @Test
    void untilCloseHandsOverBufferedBytesAfterAnUpgrade() throws Exception {
        HttpReader reader = reader("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\n"
                + "Upgrade: websocket\r\n\r\n\u0081\u0005hello");
        RequestHead head = reader.readRequestHead(LIMITS);
        assertThat(BodyFraming.isUpgrade(head)).isTrue();
        assertThat(reader.untilClose().readAllBytes()).isEqualTo(bytes("\u0081\u0005hello"));
    }

    @Test
    void keepsObsTextBytesUnchanged() throws Exception {
        RequestHead head = reader("GET /caf\u00e9 HTTP/1.1\r\nHost: a\r\nX-Name: J\u00fcrgen\r\n\r\n")
                .readRequestHead(LIMITS);
        assertThat(head.headers().get("x-name")).isEqualTo("J\u00fcrgen");
        assertThat(string(head.toBytes())).contains("/caf\u00e9 ", "X-Name: J\u00fcrgen\r\n");
    }

    @Test
    void aBodyIsNoLongerInProgressAfterTheReadThatReturnedItsLastByteBeforeMinusOne() throws Exception {
        HttpReader reader = reader("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
                + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX-T: 1\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\n\r\n");
        assertThat(reader.bodyInProgress()).isFalse();

        ResponseHead fixed = reader.readResponseHead(LIMITS);
        InputStream body = reader.rawBody(BodyFraming.forResponse("GET", fixed), LIMITS);
        assertThat(reader.bodyInProgress()).isTrue();
        byte[] buffer = new byte[3];
        assertThat(body.read(buffer)).isEqualTo(3);
        assertThat(reader.bodyInProgress()).isTrue();
        assertThat(body.read(buffer)).isEqualTo(2);
        assertThat(reader.bodyInProgress()).as("after the last byte, before -1").isFalse();
        assertThat(body.read(buffer)).isEqualTo(-1);

        ResponseHead chunked = reader.readResponseHead(LIMITS);
        InputStream raw = reader.rawBody(BodyFraming.forResponse("GET", chunked), LIMITS);
        StringBuilder seen = new StringBuilder();
        int n;
        while (reader.bodyInProgress() && (n = raw.read(buffer)) > 0) seen.append(new String(buffer, 0, n, java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(seen).as("every raw byte was handed out when the body stopped being in progress")
                .hasToString("2\r\nhi\r\n0\r\nX-T: 1\r\n\r\n");
        assertThat(raw.read(buffer)).isEqualTo(-1);

        ResponseHead empty = reader.readResponseHead(LIMITS);
        reader.rawBody(BodyFraming.forResponse("GET", empty), LIMITS);
        assertThat(reader.bodyInProgress()).as("an empty body never starts").isFalse();
    }

    @Test
    void aSmallBodyAlreadyBufferedIsTakenWholeAndNothingElse() throws Exception {
        HttpReader reader = new HttpReader(new java.io.ByteArrayInputStream(
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 204 No Content\r\n\r\n"
                        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
        io.lrok.internal.http.ResponseHead head = reader.readResponseHead(io.lrok.http.HttpLimits.defaults());
        BodyFraming framing = BodyFraming.forResponse("GET", head);
        org.assertj.core.api.Assertions.assertThat(reader.takeBufferedBody(framing, 4)).as("longer than max").isNull();
        org.assertj.core.api.Assertions.assertThat(reader.takeBufferedBody(framing, 5)).asString().isEqualTo("hello");
        org.assertj.core.api.Assertions.assertThat(reader.bodyInProgress()).isFalse();
        io.lrok.internal.http.ResponseHead next = reader.readResponseHead(io.lrok.http.HttpLimits.defaults());
        org.assertj.core.api.Assertions.assertThat(next.status()).isEqualTo(204);
        org.assertj.core.api.Assertions.assertThat(reader.takeBufferedBody(BodyFraming.forResponse("GET", next), 5))
                .as("not a Content-Length body").isNull();
    }

    @Test
    void awaitInputWaitsForTheNextMessageWithoutReadingIt() throws Exception {
        HttpReader reader = new HttpReader(new ByteArrayInputStream(
                "GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
        assertThat(reader.awaitInput()).isTrue();
        assertThat(reader.buffered()).isPositive();
        assertThat(reader.readRequestHead(HttpLimits.defaults()).target()).isEqualTo("/");
        assertThat(reader.awaitInput()).as("at the end of the input").isFalse();
    }
}
