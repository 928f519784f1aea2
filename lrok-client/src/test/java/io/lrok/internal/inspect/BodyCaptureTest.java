package io.lrok.internal.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.inspect.RecordedBody;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The capture's side buffer and its chunked decoder, fed the way the tees feed them: in pieces of any size. */
class BodyCaptureTest {
    private static final String CHUNKED = "5;name=value\r\nhello\r\n7\r\n, world\r\nA \r\n0123456789\r\n"
            + "0\r\nX-Trailer: yes\r\nX-Other: no\r\n\r\n";

    @Test
    void aChunkedBodyIsDecodedWhateverTheSplits() {
        byte[] raw = CHUNKED.getBytes(StandardCharsets.ISO_8859_1);
        for (int piece = 1; piece <= raw.length; piece++) {
            BodyCapture capture = new BodyCapture(1_000, true);
            for (int off = 0; off < raw.length; off += piece) capture.write(raw, off, Math.min(piece, raw.length - off));
            RecordedBody body = capture.snapshot("text/plain", null);
            assertThat(body.text()).as("pieces of %d", piece).isEqualTo("hello, world0123456789");
            assertThat(body.size()).isEqualTo(22);
        }
    }

    @Test
    void bytesAfterTheTrailerSectionAreIgnored() {
        BodyCapture capture = new BodyCapture(1_000, true);
        byte[] raw = "3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1);
        capture.write(raw, 0, raw.length);
        assertThat(capture.snapshot(null, null).text()).isEqualTo("abc");
    }

    @Test
    void theLimitKeepsTheStartAndCountsTheRest() {
        BodyCapture capture = new BodyCapture(4, false);
        byte[] data = "abcdefghij".getBytes(StandardCharsets.US_ASCII);
        capture.write(data, 0, 3);
        capture.write(data, 3, 7);
        RecordedBody body = capture.snapshot(null, null);
        assertThat(body.text()).isEqualTo("abcd");
        assertThat(body.size()).isEqualTo(10);
        assertThat(body.truncated()).isTrue();
    }

    @Test
    void aZeroLimitKeepsOnlyTheSize() {
        BodyCapture capture = new BodyCapture(0, false);
        capture.write(new byte[100], 0, 100);
        RecordedBody body = capture.snapshot(null, null);
        assertThat(body.capturedSize()).isZero();
        assertThat(body.size()).isEqualTo(100);
    }

    @Test
    void textDetectionFollowsTheContentTypeOrTheBytes() {
        byte[] utf8 = "{\"ü\":1}".getBytes(StandardCharsets.UTF_8);
        assertThat(RecordedBody.of(utf8, utf8.length, "application/json", null).isText()).isTrue();
        assertThat(RecordedBody.of(utf8, utf8.length, null, null).isText()).isTrue();
        assertThat(RecordedBody.of(utf8, utf8.length, "application/json", "gzip").isText()).isFalse();
        assertThat(RecordedBody.of(new byte[] {1, 0, 2}, 3, null, null).isText()).isFalse();
        assertThat(RecordedBody.of(utf8, utf8.length, "image/png", null).isText()).isFalse();
        // truncated inside a two-byte character: still text
        byte[] cut = java.util.Arrays.copyOf(utf8, 3);
        assertThat(RecordedBody.of(cut, utf8.length, null, null).isText()).isTrue();
        assertThat(RecordedBody.of(utf8, utf8.length, "text/plain; charset=\"utf-8\"", null).charset())
                .isEqualTo(StandardCharsets.UTF_8);
        assertThat(RecordedBody.of(utf8, utf8.length, "text/plain; charset=nonsense", null).charset())
                .isEqualTo(StandardCharsets.UTF_8);
    }
}
