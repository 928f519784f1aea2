package io.lrok.internal.http;

import io.lrok.http.HttpLimits;

import static io.lrok.internal.http.HttpTestSupport.reader;
import static io.lrok.internal.http.HttpTestSupport.string;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** Writing heads: canonical bytes, round trips through the parser, and refusal of anything that could split. */
class HeadWritingTest {

    @Test
    void writesACanonicalRequestHead() throws Exception {
        RequestHead head = new RequestHead("POST", "/x?y=1", RequestHead.HTTP_1_1,
                HttpHeaders.of("Host", "a", "content-length", "3"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        head.writeTo(out);
        assertThat(string(out.toByteArray()))
                .isEqualTo("POST /x?y=1 HTTP/1.1\r\nHost: a\r\ncontent-length: 3\r\n\r\n");
        assertThat(reader(string(head.toBytes())).readRequestHead(HttpLimits.defaults())).isEqualTo(head);
    }

    @Test
    void normalizesWhitespaceOnTheWayThrough() throws Exception {
        RequestHead head = reader("GET / HTTP/1.1\r\nHost:a\r\nX:\t v  w \t\r\n\r\n")
                .readRequestHead(HttpLimits.defaults());
        assertThat(string(head.toBytes())).isEqualTo("GET / HTTP/1.1\r\nHost: a\r\nX: v  w\r\n\r\n");
    }

    @Test
    void writesAResponseHead() {
        ResponseHead head = ResponseHead.of(404, HttpHeaders.of("Content-Length", "0"));
        assertThat(string(head.toBytes())).isEqualTo("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        assertThat(string(new ResponseHead("HTTP/1.0", 299, "", HttpHeaders.empty()).toBytes()))
                .isEqualTo("HTTP/1.0 299 \r\n\r\n");
    }

    @Test
    void refusesHeadsThatCouldSplit() {
        HttpHeaders none = HttpHeaders.empty();
        assertThatThrownBy(() -> new RequestHead("GET", "/a\r\nX: y", "HTTP/1.1", none))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RequestHead("GE T", "/", "HTTP/1.1", none))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RequestHead("GET", "/", "HTTP/2.0", none))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ResponseHead("HTTP/1.1", 200, "OK\r\nSet-Cookie: x", none))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ResponseHead("HTTP/1.1", 1000, "", none))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writesAResponseHeadWithItsBodyInOneArray() throws Exception {
        ResponseHead head = new ResponseHead("HTTP/1.1", 599, "Odd \u00e9", HttpHeaders.of("Content-Length", "2",
                "X", "\u00ff"));
        byte[] bytes = head.toBytes("ok".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThat(string(bytes)).isEqualTo("HTTP/1.1 599 Odd \u00e9\r\nContent-Length: 2\r\nX: \u00ff\r\n\r\nok");
        assertThat(string(ResponseHead.of(100, HttpHeaders.empty()).toBytes())).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
        HttpReader reader = reader(string(bytes));
        assertThat(reader.readResponseHead(HttpLimits.defaults())).isEqualTo(head);
        assertThat(reader.takeBufferedBody(new BodyFraming.Fixed(2), 10)).asString().isEqualTo("ok");
    }

    @Test
    void aHeadsBytesAreExactlyItsSize() {
        RequestHead head = new RequestHead("GET", "/\u00e9", RequestHead.HTTP_1_0, HttpHeaders.of("A", "", "B", "\t"));
        assertThat(string(head.toBytes())).isEqualTo("GET /\u00e9 HTTP/1.0\r\nA: \r\nB: \t\r\n\r\n");
        HeadWriter grown = new HeadWriter(1).append("abc").append('d').appendStatus(204).field("N", "v").crlf();
        assertThat(string(grown.toBytes())).isEqualTo("abcd204N: v\r\n\r\n");
    }
}
