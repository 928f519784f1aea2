package io.lrok.internal.http;

import io.lrok.http.HttpLimits;

import static io.lrok.internal.http.HttpTestSupport.bytes;
import static io.lrok.internal.http.HttpTestSupport.string;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

class ChunkedOutputStreamTest {

    @Test
    void writesTheWireFormat() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        ChunkedOutputStream out = new ChunkedOutputStream(wire, 16);
        out.write(bytes("hello"));
        out.write(' ');
        out.flush();
        out.write(bytes("a whole chunk of 26 bytes!"));
        out.finish(HttpHeaders.of("X-Sum", "1"));
        assertThat(string(wire.toByteArray()))
                .isEqualTo("6\r\nhello \r\n1a\r\na whole chunk of 26 bytes!\r\n0\r\nX-Sum: 1\r\n\r\n");
        assertThatThrownBy(() -> out.write(1)).hasMessageContaining("finished");
        out.close(); // already finished: writes nothing more
        assertThat(string(wire.toByteArray())).endsWith("X-Sum: 1\r\n\r\n");
    }

    @Test
    void closeEndsAnEmptyBody() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        new ChunkedOutputStream(wire).close();
        assertThat(string(wire.toByteArray())).isEqualTo("0\r\n\r\n");
    }

    @RepeatedTest(20)
    void roundTripsThroughTheChunkedReader(RepetitionInfo repetition) throws Exception {
        Random random = new Random(20_250 + repetition.getCurrentRepetition());
        byte[] data = new byte[random.nextInt(100_000)];
        random.nextBytes(data);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        ChunkedOutputStream out = new ChunkedOutputStream(wire, 1 + random.nextInt(10_000));
        for (int off = 0; off < data.length; ) {
            int n = Math.min(data.length - off, random.nextInt(3) == 0 ? 1 : random.nextInt(20_000));
            if (n == 1) out.write(data[off]);
            else out.write(data, off, n);
            if (random.nextInt(10) == 0) out.flush();
            off += n;
        }
        HttpHeaders trailers = HttpHeaders.of("Digest", "sha-256=abc", "X-Count", Integer.toString(data.length));
        out.finish(trailers);
        wire.writeBytes(bytes("NEXT"));

        HttpReader reader = new HttpReader(new ByteArrayInputStream(wire.toByteArray()));
        ChunkedInputStream in = reader.chunked(HttpLimits.defaults());
        assertThat(in.readAllBytes()).isEqualTo(data);
        assertThat(in.trailers()).isEqualTo(trailers);
        assertThat(string(reader.untilClose().readAllBytes())).isEqualTo("NEXT");
    }
}
