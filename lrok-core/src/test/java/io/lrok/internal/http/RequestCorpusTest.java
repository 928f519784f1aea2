package io.lrok.internal.http;

import static io.lrok.internal.http.HttpTestSupport.readAll;
import static io.lrok.internal.http.HttpTestSupport.reader;
import static io.lrok.internal.http.HttpTestSupport.statusOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Smuggling and limits corpus: each raw request, read with its body, either succeeds (0) or fails with the
 * expected status. The raw (pass-through) reading of the same bytes must end the same way.
 */
class RequestCorpusTest {
    private static final int OK = 0;
    private static final String GET = "GET / HTTP/1.1\r\nHost: a\r\n";
    private static final String POST = "POST / HTTP/1.1\r\nHost: a\r\n";
    private static final String CHUNKED = POST + "Transfer-Encoding: chunked\r\n\r\n";

    static Stream<Arguments> corpus() {
        return Stream.of(
                // well-formed
                c("plain GET", GET + "\r\n", OK),
                c("POST with Content-Length", POST + "Content-Length: 5\r\n\r\nhello", OK),
                c("identical Content-Length list", POST + "Content-Length: 5, 5\r\n\r\nhello", OK),
                c("identical repeated Content-Length",
                        POST + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", OK),
                c("Content-Length with leading zeros", POST + "Content-Length: 005\r\n\r\nhello", OK),
                c("chunked with extensions and trailers",
                        CHUNKED + "5;a=b;c=\"d;e\"\r\nhello\r\n0\r\nX: y\r\n\r\n", OK),
                c("chunked, uppercase hex and leading zeros", CHUNKED + "000A\r\n0123456789\r\n0\r\n\r\n", OK),
                c("gzip, chunked", POST + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", OK),
                c("Chunked in any case", POST + "Transfer-Encoding: CHUNKED\r\n\r\n0\r\n\r\n", OK),
                c("HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", OK),
                c("HTTP/1.1 with empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", OK),
                c("leading empty lines", "\r\n\r\n" + GET + "\r\n", OK),
                c("absolute-form", "GET http://a/b HTTP/1.1\r\nHost: a\r\n\r\n", OK),
                c("asterisk-form", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", OK),
                c("authority-form", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", OK),
                c("HTAB and obs-text in a value", GET + "X: a\tb \u00ff\r\n\r\n", OK),
                c("exactly 100 fields", GET + "X: 1\r\n".repeat(99) + "\r\n", OK),

                // framing conflicts
                c("CL then TE", POST + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                c("TE then CL", POST + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", 400),
                c("differing Content-Length fields",
                        POST + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400),
                c("differing Content-Length list", POST + "Content-Length: 5, 6\r\n\r\nhello!", 400),
                c("empty Content-Length element", POST + "Content-Length: 5,,5\r\n\r\nhello", 400),
                c("empty Content-Length", POST + "Content-Length: \r\n\r\n", 400),
                c("Content-Length: +5", POST + "Content-Length: +5\r\n\r\nhello", 400),
                c("Content-Length: -5", POST + "Content-Length: -5\r\n\r\n", 400),
                c("Content-Length: 0x5", POST + "Content-Length: 0x5\r\n\r\nhello", 400),
                c("Content-Length: 5 5", POST + "Content-Length: 5 5\r\n\r\nhello", 400),
                c("Content-Length overflowing 63 bits", POST + "Content-Length: 9223372036854775808\r\n\r\n", 400),
                c("Transfer-Encoding: chunked, identity",
                        POST + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400),
                c("Transfer-Encoding: xchunked", POST + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400),
                c("Transfer-Encoding: gzip alone", POST + "Transfer-Encoding: gzip\r\n\r\n", 400),
                c("Transfer-Encoding: chunked twice",
                        POST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                c("unknown coding before chunked", POST + "Transfer-Encoding: foo, chunked\r\n\r\n0\r\n\r\n", 501),
                c("Transfer-Encoding with a parameter", POST + "Transfer-Encoding: chunked;x=1\r\n\r\n0\r\n\r\n", 400),
                c("Transfer-Encoding with a vertical tab",
                        POST + "Transfer-Encoding: \u000bchunked\r\n\r\n0\r\n\r\n", 400),
                c("Transfer-Encoding in HTTP/1.0",
                        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),

                // chunk framing
                c("chunk size 0x10", CHUNKED + "0x10\r\n0123456789abcdef\r\n0\r\n\r\n", 400),
                c("chunk size -1", CHUNKED + "-1\r\n\r\n", 400),
                c("chunk size +5", CHUNKED + "+5\r\nhello\r\n0\r\n\r\n", 400),
                c("chunk size fffffffffffffffffff", CHUNKED + "fffffffffffffffffff\r\n", 400),
                c("chunk size 2^63", CHUNKED + "8000000000000000\r\n", 400),
                c("chunk size with leading space", CHUNKED + " 5\r\nhello\r\n0\r\n\r\n", 400),
                c("chunk size with trailing space", CHUNKED + "5 \r\nhello\r\n0\r\n\r\n", 400),
                c("empty chunk size", CHUNKED + "\r\nhello\r\n0\r\n\r\n", 400),
                c("chunk extension without a name", CHUNKED + "5;\r\nhello\r\n0\r\n\r\n", 400),
                c("chunk extension with an open quote", CHUNKED + "5;a=\"b\r\nhello\r\n0\r\n\r\n", 400),
                c("chunk extension with a bare CR", CHUNKED + "5;a=\"b\rc\"\r\nhello\r\n0\r\n\r\n", 400),
                c("chunk extension longer than its limit",
                        CHUNKED + "5;a=" + "b".repeat(2000) + "\r\nhello\r\n0\r\n\r\n", 400),
                c("chunk data without CRLF", CHUNKED + "5\r\nhelloXX0\r\n\r\n", 400),
                c("chunk data longer than its size", CHUNKED + "3\r\nhello\r\n0\r\n\r\n", 400),
                c("chunk size line with bare LF", CHUNKED + "5\nhello\r\n0\r\n\r\n", 400),
                c("no last chunk", CHUNKED + "5\r\nhello\r\n", 400),
                c("bad trailer field", CHUNKED + "0\r\nX : y\r\n\r\n", 400),
                c("trailer section over its limit",
                        CHUNKED + "0\r\n" + ("X: " + "y".repeat(2000) + "\r\n").repeat(9) + "\r\n", 431),
                c("101 trailer fields", CHUNKED + "0\r\n" + "X: y\r\n".repeat(101) + "\r\n", 431),

                // line and field syntax
                c("obs-fold", GET + "X: a\r\n b\r\n\r\n", 400),
                c("obs-fold with HTAB", GET + "X: a\r\n\tb\r\n\r\n", 400),
                c("whitespace before the first field", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400),
                c("bare LF line endings", "GET / HTTP/1.1\nHost: a\n\n", 400),
                c("bare LF after a field", GET + "X: a\nY: b\r\n\r\n", 400),
                c("bare CR in a field", "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400),
                c("bare CR in the request line", "GET / HTTP/1.1\rHost: a\r\n\r\n", 400),
                c("space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
                c("HTAB before colon", GET + "X\t: a\r\n\r\n", 400),
                c("NUL in a value", GET + "X: a\u0000b\r\n\r\n", 400),
                c("DEL in a value", GET + "X: a\u007fb\r\n\r\n", 400),
                c("field without colon", GET + "X a\r\n\r\n", 400),
                c("empty field name", GET + ": a\r\n\r\n", 400),
                c("non-token character in a field name", GET + "X(y): a\r\n\r\n", 400),
                c("non-ASCII field name", GET + "X\u00e9: a\r\n\r\n", 400),
                c("missing Host", "GET / HTTP/1.1\r\n\r\n", 400),
                c("two Host fields", GET + "Host: b\r\n\r\n", 400),
                c("two Host fields in HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400),
                c("a Host list", "GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", 400),
                c("a Host with a space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
                c("a Host with userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400),
                c("a Host with a path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
                c("a Host with a letter in the port", "GET / HTTP/1.1\r\nHost: a:8o\r\n\r\n", 400),
                c("a Host with a bad percent-encoding", "GET / HTTP/1.1\r\nHost: a%zz\r\n\r\n", 400),
                c("an unclosed IP literal Host", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400),
                c("a Host with port", "GET / HTTP/1.1\r\nHost: a.b-c:8080\r\n\r\n", OK),
                c("an IPv6 Host with port", "GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", OK),
                c("an IPv4 Host", "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", OK),
                c("a percent-encoded Host", "GET / HTTP/1.1\r\nHost: a%2Db\r\n\r\n", OK),
                c("message cut short", POST + "Content-Length: 10\r\n\r\nhello", 400),

                // request line
                c("lowercase http/1.1", "GET / http/1.1\r\nHost: a\r\n\r\n", 400),
                c("HTTP/1", "GET / HTTP/1\r\nHost: a\r\n\r\n", 400),
                c("HTTP/1.10", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400),
                c("HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
                c("HTTP/0.9", "GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505),
                c("HTTP/3.0", "GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505),
                c("no version", "GET /\r\nHost: a\r\n\r\n", 400),
                c("two spaces after method", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                c("two spaces after target", "GET /  HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                c("space inside target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                c("trailing space after version", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400),
                c("leading space", " GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                c("HTAB as separator", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                c("non-token character in method", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                c("control character in target", "GET /\u0001 HTTP/1.1\r\nHost: a\r\n\r\n", 400),

                // limits
                c("request line over 8 KiB", "GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414),
                c("request line of exactly 8 KiB",
                        "GET /" + "a".repeat(8192 - 16) + " HTTP/1.1\r\nHost: a\r\n\r\n", OK),
                c("request line one byte over 8 KiB",
                        "GET /" + "a".repeat(8192 - 15) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414),
                c("one field over 64 KiB", GET + "X: " + "a".repeat(70_000) + "\r\n\r\n", 431),
                c("header section over 64 KiB", GET + ("X: " + "a".repeat(1000) + "\r\n").repeat(66) + "\r\n", 431),
                c("101 fields", GET + "X: 1\r\n".repeat(100) + "\r\n", 431));
    }

    private static Arguments c(String name, String raw, int expected) {
        return Arguments.of(name, raw, expected);
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("corpus")
    void endsAsExpected(String name, String raw, int expected) throws Exception {
        assertThat(statusOf(raw)).as(name).isEqualTo(expected);
        assertThat(readAll(reader(raw), true).status()).as(name + ", raw").isEqualTo(expected);
    }
}
