package io.lrok.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BodyFramingTest {

    private static ResponseHead response(int status, String... headers) {
        return new ResponseHead(RequestHead.HTTP_1_1, status, "", HttpHeaders.of(headers));
    }

    private static RequestHead request(String version, String... headers) {
        return new RequestHead("POST", "/", version, HttpHeaders.of(headers));
    }

    @Test
    void framesRequests() throws Exception {
        assertThat(BodyFraming.forRequest(request("HTTP/1.1", "Host", "a"))).isEqualTo(BodyFraming.NONE);
        assertThat(BodyFraming.forRequest(request("HTTP/1.1", "Content-Length", "0")))
                .isEqualTo(new BodyFraming.Fixed(0));
        assertThat(BodyFraming.forRequest(request("HTTP/1.1", "Transfer-Encoding", "gzip", "Transfer-Encoding",
                "chunked"))).isEqualTo(BodyFraming.CHUNKED);
        assertThatThrownBy(() -> BodyFraming.forRequest(request("HTTP/1.1", "Transfer-Encoding", "chunked",
                "Content-Length", "1"))).isInstanceOfSatisfying(HttpException.class,
                        e -> assertThat(e.status()).isEqualTo(400));
    }

    @Test
    void framesResponsesWithoutBodies() throws Exception {
        for (int status : new int[] {100, 101, 103, 204, 304}) {
            assertThat(BodyFraming.forResponse("GET", response(status, "Content-Length", "10"))).as("" + status)
                    .isEqualTo(BodyFraming.NONE);
        }
        assertThat(BodyFraming.forResponse("HEAD", response(200, "Content-Length", "10")))
                .isEqualTo(BodyFraming.NONE);
        assertThat(BodyFraming.forResponse("CONNECT", response(200))).isEqualTo(BodyFraming.NONE);
        assertThat(BodyFraming.forResponse("CONNECT", response(407))).isEqualTo(BodyFraming.UNTIL_CLOSE);
    }

    @Test
    void framesResponsesWithBodies() throws Exception {
        assertThat(BodyFraming.forResponse("GET", response(200, "Content-Length", "10")))
                .isEqualTo(new BodyFraming.Fixed(10));
        assertThat(BodyFraming.forResponse("GET", response(200, "Transfer-Encoding", "gzip, chunked")))
                .isEqualTo(BodyFraming.CHUNKED);
        assertThat(BodyFraming.forResponse("GET", response(200, "Transfer-Encoding", "gzip")))
                .isEqualTo(BodyFraming.UNTIL_CLOSE);
        assertThat(BodyFraming.forResponse("GET", response(200))).isEqualTo(BodyFraming.UNTIL_CLOSE);
        assertThat(BodyFraming.forResponse("GET", response(404, "Content-Length", "3, 3")))
                .isEqualTo(new BodyFraming.Fixed(3));
    }

    @Test
    void refusesAmbiguousResponsesWith502() {
        for (ResponseHead bad : new ResponseHead[] {
            response(200, "Content-Length", "1", "Transfer-Encoding", "chunked"),
            response(200, "Content-Length", "1", "Content-Length", "2"),
            response(200, "Content-Length", "x"),
            response(200, "Transfer-Encoding", "chunked, gzip"),
            new ResponseHead("HTTP/1.0", 200, "OK", HttpHeaders.of("Transfer-Encoding", "chunked"))}) {
            assertThatThrownBy(() -> BodyFraming.forResponse("GET", bad)).as(bad.toString())
                    .isInstanceOfSatisfying(HttpException.class, e -> assertThat(e.status()).isEqualTo(502));
        }
    }

    @Test
    void decidesKeepAlive() {
        assertThat(BodyFraming.isKeepAlive("HTTP/1.1", HttpHeaders.empty())).isTrue();
        assertThat(BodyFraming.isKeepAlive("HTTP/1.1", HttpHeaders.of("Connection", "Close"))).isFalse();
        assertThat(BodyFraming.isKeepAlive("HTTP/1.1", HttpHeaders.of("Connection", "foo, close"))).isFalse();
        assertThat(BodyFraming.isKeepAlive("HTTP/1.0", HttpHeaders.empty())).isFalse();
        assertThat(BodyFraming.isKeepAlive("HTTP/1.0", HttpHeaders.of("Connection", "Keep-Alive"))).isTrue();
    }

    @Test
    void recognizesUpgrades() {
        assertThat(BodyFraming.isUpgrade(request("HTTP/1.1", "Connection", "Upgrade", "Upgrade", "websocket")))
                .isTrue();
        assertThat(BodyFraming.isUpgrade(request("HTTP/1.1", "Upgrade", "websocket"))).isFalse();
        assertThat(BodyFraming.isUpgrade(request("HTTP/1.1", "Connection", "upgrade"))).isFalse();
    }

    @Test
    void whetherABodyCarriesBytesAndHowLargeItsCopyBufferNeedBe() {
        org.assertj.core.api.Assertions.assertThat(BodyFraming.NONE.hasBytes()).isFalse();
        org.assertj.core.api.Assertions.assertThat(new BodyFraming.Fixed(0).hasBytes()).isFalse();
        org.assertj.core.api.Assertions.assertThat(new BodyFraming.Fixed(1).hasBytes()).isTrue();
        org.assertj.core.api.Assertions.assertThat(BodyFraming.CHUNKED.hasBytes()).isTrue();
        org.assertj.core.api.Assertions.assertThat(new BodyFraming.Fixed(13).copyBufferSize(16_384)).isEqualTo(13);
        org.assertj.core.api.Assertions.assertThat(new BodyFraming.Fixed(0).copyBufferSize(16_384)).isEqualTo(1);
        org.assertj.core.api.Assertions.assertThat(new BodyFraming.Fixed(1L << 40).copyBufferSize(16_384))
                .isEqualTo(16_384);
        org.assertj.core.api.Assertions.assertThat(BodyFraming.CHUNKED.copyBufferSize(16_384)).isEqualTo(16_384);
    }

    @Test
    void idempotentMethodsAreThoseRfc9110Names() {
        for (String method : new String[] {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"}) {
            org.assertj.core.api.Assertions.assertThat(
                    new RequestHead(method, "/", RequestHead.HTTP_1_1, HttpHeaders.of()).isIdempotent()).isTrue();
        }
        for (String method : new String[] {"POST", "PATCH", "CONNECT", "get"}) {
            org.assertj.core.api.Assertions.assertThat(
                    new RequestHead(method, "/", RequestHead.HTTP_1_1, HttpHeaders.of()).isIdempotent()).isFalse();
        }
    }
}
