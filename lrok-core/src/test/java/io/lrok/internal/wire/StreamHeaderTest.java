package io.lrok.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StreamHeaderTest {

    private static final StreamHeader HTTPS =
            new StreamHeader("t-1", Proto.HTTP, "203.0.113.7:52100", "https", "violet-mole.lrok.example");

    @Test
    void roundTripsAndLeavesTheStreamAtTheExchange() throws Exception {
        StreamHeader[] headers = {
            HTTPS,
            new StreamHeader("t-1", Proto.HTTP, "[2001:db8::1]:443", "http", "violet-mole.lrok.example:8080"),
            new StreamHeader("t-2", Proto.TCP, "198.51.100.2:40000", "tcp", "lrok.example:40123"),
        };
        for (StreamHeader header : headers) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            header.write(out);
            out.write("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = new ByteArrayInputStream(out.toByteArray());
            assertThat(StreamHeader.read(in)).isEqualTo(header);
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("GET / HTTP/1.1\r\n");
        }
    }

    @Test
    void hasTheJsonTheSpecShows() throws Exception {
        byte[] frame = HTTPS.encode();
        String json = new String(frame, 4, frame.length - 4, StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"tunnelId\":\"t-1\",\"kind\":\"http\",\"clientAddress\":\"203.0.113.7:52100\","
                + "\"scheme\":\"https\",\"host\":\"violet-mole.lrok.example\"}");
        assertThat(Spec.text()).contains(json);
    }

    @Test
    void theSchemeMustFitTheKind() {
        assertThatThrownBy(() -> new StreamHeader("t", Proto.TCP, "a:1", "https", "h"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StreamHeader("t", Proto.HTTP, "a:1", "tcp", "h"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> decode("{\"tunnelId\":\"t\",\"kind\":\"http\",\"clientAddress\":\"a:1\","
                + "\"scheme\":\"ws\",\"host\":\"h\"}"))
                .isInstanceOf(WireException.class)
                .hasMessage("stream header: scheme \"ws\" does not fit kind http");
    }

    @Test
    void unknownFieldsAreIgnoredAndMissingOnesNamed() throws Exception {
        assertThat(decode("{\"tunnelId\":\"t-1\",\"kind\":\"http\",\"clientAddress\":\"203.0.113.7:52100\","
                + "\"scheme\":\"https\",\"host\":\"violet-mole.lrok.example\",\"tls\":{\"sni\":\"x\"}}"))
                .isEqualTo(HTTPS);
        assertThatThrownBy(() -> decode("{\"tunnelId\":\"t\",\"kind\":\"http\",\"scheme\":\"http\",\"host\":\"h\"}"))
                .isInstanceOf(WireException.class)
                .hasMessage("stream header: field \"clientAddress\" is missing");
        assertThatThrownBy(() -> decode("{\"tunnelId\":\"t\",\"kind\":\"udp\",\"clientAddress\":\"a:1\","
                + "\"scheme\":\"udp\",\"host\":\"h\"}"))
                .isInstanceOf(WireException.class).hasMessageContaining("field \"kind\" must be");
    }

    @Test
    void limitsAndTruncation() throws Exception {
        assertThatThrownBy(() -> StreamHeader.read(new ByteArrayInputStream(new byte[0])))
                .isInstanceOf(WireException.class).hasMessage("the stream ended before its stream header");
        assertThatThrownBy(() -> StreamHeader.read(new ByteArrayInputStream(new byte[] {0, 0, 0x40, 1})))
                .isInstanceOf(WireException.class)
                .hasMessage("stream header of 16385 bytes exceeds the limit of 16384");
        byte[] frame = HTTPS.encode();
        assertThatThrownBy(() -> StreamHeader.read(new ByteArrayInputStream(frame, 0, frame.length - 1)))
                .isInstanceOf(WireException.class).hasMessageContaining("stream header truncated");
        StreamHeader huge = new StreamHeader("t", Proto.HTTP, "a:1", "http", "h".repeat(Protocol.MAX_STREAM_HEADER));
        assertThatThrownBy(huge::encode).isInstanceOf(WireException.class).hasMessageContaining("exceeds the limit");
    }

    private static StreamHeader decode(String json) throws WireException {
        return StreamHeader.decode(json.getBytes(StandardCharsets.UTF_8));
    }
}
