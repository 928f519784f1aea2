package io.lrok.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.internal.wire.ControlMessage.Bind;
import io.lrok.internal.wire.ControlMessage.Bound;
import io.lrok.internal.wire.ControlMessage.ErrorMessage;
import io.lrok.internal.wire.ControlMessage.Hello;
import io.lrok.internal.wire.ControlMessage.Shutdown;
import io.lrok.internal.wire.ControlMessage.Unbind;
import io.lrok.internal.wire.ControlMessage.Unknown;
import io.lrok.internal.wire.ControlMessage.Welcome;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ControlCodecTest {

    /** One of each message, with and without their optional fields. */
    static Stream<ControlMessage> everyMessage() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("note", "é😀\u0000");
        fields.put("nested", List.of(1L, Map.of("k", true), 2.5));
        fields.put("nothing", null);
        return Stream.of(
                Hello.create("s3cret", "lrok-java/0.1.0"),
                Hello.create(null, "lrok-java/0.1.0"),
                new Hello(7, "t", "c", "sess-1", "resume-secret"),
                Hello.create(null, "c").withFeatures(java.util.List.of(Protocol.FEATURE_HTTP_STREAM_REUSE, "future")),
                new Welcome(1, "sess-1", "resume-secret", "relay-eu-1", "lrok.example"),
                new Bind(0, Proto.HTTP, null, null),
                new Bind(1, Proto.HTTP, "violet-mole", null),
                new Bind(Protocol.MAX_ID, Proto.TCP, null, 5432),
                new Bound(1, "t-1", URI.create("https://violet-mole.lrok.example")),
                new Bound(2, "t-2", URI.create("tcp://lrok.example:40123")),
                new Unbind("t-1"),
                new Shutdown("relay restarting", 30_000),
                new ErrorMessage(ErrorCode.SUBDOMAIN_TAKEN, "violet-mole is taken", 1L),
                new ErrorMessage(ErrorCode.UNAUTHORIZED, "bad token", null),
                new ErrorMessage(ErrorCode.UNKNOWN, "from a relay of the future", null),
                new Unknown("stats", fields),
                new Unknown("empty", Map.of()));
    }

    @ParameterizedTest
    @MethodSource("everyMessage")
    void everyMessageRoundTrips(ControlMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ControlCodec.write(out, message);
        InputStream in = new ByteArrayInputStream(out.toByteArray());
        assertThat(ControlCodec.read(in)).isEqualTo(message);
        assertThat(ControlCodec.read(in)).isNull();
        byte[] frame = ControlCodec.encode(message);
        assertThat(ControlCodec.decode(Arrays.copyOfRange(frame, 4, frame.length))).isEqualTo(message);
    }

    @Test
    void everyErrorCodeRoundTripsByItsWireName() throws Exception {
        for (ErrorCode code : ErrorCode.values()) {
            ErrorMessage message = new ErrorMessage(code, "m", null);
            assertThat(decode(json(message))).isEqualTo(message);
            assertThat(json(message)).contains("\"code\":\"" + code.wireName() + "\"");
        }
    }

    @Test
    void helloHasTheBytesTheSpecShows() throws Exception {
        String json = "{\"type\":\"hello\",\"version\":1,\"token\":\"s3cret\",\"client\":\"lrok-java/0.1.0\"}";
        byte[] frame = ControlCodec.encode(Hello.create("s3cret", "lrok-java/0.1.0"));
        assertThat(HexFormat.of().formatHex(frame, 0, 4)).isEqualTo("00000048");
        assertThat(new String(frame, 4, frame.length - 4, StandardCharsets.UTF_8)).isEqualTo(json);
        assertThat(Spec.text()).contains("00 00 00 48").contains(json);
    }

    @Test
    void absentOptionalFieldsAreOmittedAndNullMeansAbsent() throws Exception {
        assertThat(json(new Bind(3, Proto.HTTP, null, null))).isEqualTo("{\"type\":\"bind\",\"id\":3,\"proto\":\"http\"}");
        assertThat(decode("{\"type\":\"bind\",\"id\":3,\"proto\":\"http\",\"subdomain\":null,\"port\":null}"))
                .isEqualTo(new Bind(3, Proto.HTTP, null, null));
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        assertThat(decode("{\"extra\":{\"a\":[1,2]},\"type\":\"unbind\",\"tunnelId\":\"t-1\",\"v2\":true}"))
                .isEqualTo(new Unbind("t-1"));
    }

    @Test
    void unknownTypesAreKeptWithTheirFields() throws Exception {
        ControlMessage m = decode("{\"type\":\"drain\",\"after\":5,\"why\":null}");
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("after", 5L);
        fields.put("why", null);
        assertThat(m).isEqualTo(new Unknown("drain", fields));
        assertThat(json(m)).isEqualTo("{\"type\":\"drain\",\"after\":5,\"why\":null}");
        assertThatThrownBy(() -> new Unknown("bind", Map.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ((Unknown) m).fields().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void unknownErrorCodesKeepTheirNameInTheMessage() throws Exception {
        assertThat(decode("{\"type\":\"error\",\"code\":\"quota_exceeded\",\"message\":\"10 GB a day\",\"id\":4}"))
                .isEqualTo(new ErrorMessage(ErrorCode.UNKNOWN, "quota_exceeded: 10 GB a day", 4L));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"version\":1}                                                   | control message: field \"type\" is missing",
        "{\"type\":1}                                                      | field \"type\" must be a string, got 1",
        "{\"type\":\"hello\",\"client\":\"x\"}                             | hello message: field \"version\" is missing",
        "{\"type\":\"hello\",\"version\":\"1\",\"client\":\"x\"}           | field \"version\" must be an integer, got \"1\"",
        "{\"type\":\"hello\",\"version\":1.0,\"client\":\"x\"}             | field \"version\" must be an integer, got 1.0",
        "{\"type\":\"hello\",\"version\":4294967297,\"client\":\"x\"}      | field \"version\" must be a 32-bit integer",
        "{\"type\":\"hello\",\"version\":1}                                | hello message: field \"client\" is missing",
        "{\"type\":\"hello\",\"version\":1,\"client\":\"x\",\"token\":[]}  | field \"token\" must be a string, got []",
        "{\"type\":\"hello\",\"version\":1,\"client\":\"x\",\"resumeSession\":\"s\"} | resumeSession and resumeSecret go together",
        "{\"type\":\"welcome\",\"version\":1,\"sessionId\":\"s\",\"resumeSecret\":\"r\",\"relay\":\"n\"} | welcome message: field \"domain\" is missing",
        "{\"type\":\"bind\",\"proto\":\"http\"}                            | bind message: field \"id\" is missing",
        "{\"type\":\"bind\",\"id\":-1,\"proto\":\"http\"}                  | bind message: id must be between 0 and 9007199254740991",
        "{\"type\":\"bind\",\"id\":9007199254740992,\"proto\":\"tcp\"}     | id must be between",
        "{\"type\":\"bind\",\"id\":1,\"proto\":\"udp\"}                    | field \"proto\" must be \"http\" or \"tcp\", got \"udp\"",
        "{\"type\":\"bind\",\"id\":1,\"proto\":\"HTTP\"}                   | field \"proto\" must be",
        "{\"type\":\"bind\",\"id\":1,\"proto\":\"tcp\",\"port\":70000}     | bind message: port must be between 1 and 65535",
        "{\"type\":\"bind\",\"id\":1,\"proto\":\"tcp\",\"port\":\"22\"}    | field \"port\" must be an integer",
        "{\"type\":\"bound\",\"id\":1,\"tunnelId\":\"t\",\"publicUrl\":\"a b\"} | field \"publicUrl\" is not a URI",
        "{\"type\":\"bound\",\"id\":1,\"tunnelId\":\"t\",\"publicUrl\":\"/x\"} | bound message: publicUrl must be absolute",
        "{\"type\":\"unbind\",\"tunnelId\":null}                           | unbind message: field \"tunnelId\" is missing",
        "{\"type\":\"shutdown\",\"reason\":\"x\",\"graceMillis\":-5}       | graceMillis must not be negative",
        "{\"type\":\"shutdown\",\"graceMillis\":5}                         | shutdown message: field \"reason\" is missing",
        "{\"type\":\"error\",\"message\":\"x\"}                            | error message: field \"code\" is missing",
        "{\"type\":\"error\",\"code\":\"internal\"}                        | error message: field \"message\" is missing",
        "{\"type\":\"error\",\"code\":\"internal\",\"message\":\"x\",\"id\":\"1\"} | field \"id\" must be an integer",
        "[\"type\",\"hello\"]                                              | control message must be a JSON object",
        "{\"type\":\"hello\"                                               | control message is not valid JSON",
        "{\"type\":\"unbind\",\"tunnelId\":\"a\",\"tunnelId\":\"b\"}       | duplicate member name",
    })
    void malformedMessagesNameTheirField(String json, String expected) {
        assertThatThrownBy(() -> decode(json.strip())).isInstanceOf(WireException.class)
                .hasMessageContaining(expected.strip())
                .satisfies(e -> assertThat(((WireException) e).code()).isNull());
    }

    @Test
    void invalidUtf8IsRejected() {
        byte[] body = {'{', '"', 't', 'y', 'p', 'e', '"', ':', '"', (byte) 0xff, '"', '}'};
        assertThatThrownBy(() -> ControlCodec.decode(body)).isInstanceOf(WireException.class)
                .hasMessageContaining("invalid UTF-8 at offset 9");
    }

    @Test
    void anOversizedLengthIsRejectedBeforeTheBodyIsReadOrAllocated() {
        for (byte[] prefix : List.of(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
                new byte[] {0, 1, 0, 1})) {
            CountingInputStream in = new CountingInputStream(prefix, new byte[100]);
            assertThatThrownBy(() -> ControlCodec.read(in)).isInstanceOf(WireException.class)
                    .hasMessageContaining("exceeds the limit of 65536");
            assertThat(in.consumed).isEqualTo(4);
        }
    }

    @Test
    void theLimitIsInclusive() throws Exception {
        String overhead = json(new Unknown("pad", Map.of("p", "")));
        Unknown largest = new Unknown("pad", Map.of("p", "x".repeat(Protocol.MAX_CONTROL_MESSAGE - overhead.length())));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ControlCodec.write(out, largest);
        assertThat(out.size()).isEqualTo(4 + Protocol.MAX_CONTROL_MESSAGE);
        assertThat(ControlCodec.read(new ByteArrayInputStream(out.toByteArray()))).isEqualTo(largest);

        Unknown tooLarge = new Unknown("pad", Map.of("p", "x".repeat(Protocol.MAX_CONTROL_MESSAGE - overhead.length() + 1)));
        ByteArrayOutputStream nothing = new ByteArrayOutputStream();
        assertThatThrownBy(() -> ControlCodec.write(nothing, tooLarge)).isInstanceOf(WireException.class)
                .hasMessage("pad message of 65537 bytes exceeds the limit of 65536");
        assertThat(nothing.size()).isZero();
    }

    @Test
    void truncatedMessagesFailClearly() throws Exception {
        byte[] frame = ControlCodec.encode(Hello.create("s3cret", "lrok-java/0.1.0"));
        assertThat(ControlCodec.read(new ByteArrayInputStream(new byte[0]))).isNull();
        assertThatThrownBy(() -> ControlCodec.read(new ByteArrayInputStream(frame, 0, 2)))
                .isInstanceOf(WireException.class)
                .hasMessage("control message truncated: the stream ended inside the length prefix");
        assertThatThrownBy(() -> ControlCodec.read(new ByteArrayInputStream(frame, 0, 14)))
                .isInstanceOf(WireException.class)
                .hasMessage("control message truncated: the stream ended after 10 of 72 bytes");
        assertThatThrownBy(() -> ControlCodec.read(new ByteArrayInputStream(new byte[] {0, 0, 0, 0})))
                .isInstanceOf(WireException.class).hasMessageContaining("not valid JSON");
    }

    @Test
    void messagesFollowEachOtherOnOneStream() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<ControlMessage> all = everyMessage().toList();
        for (ControlMessage m : all) ControlCodec.write(out, m);
        InputStream in = new ByteArrayInputStream(out.toByteArray());
        for (ControlMessage m : all) assertThat(ControlCodec.read(in)).isEqualTo(m);
        assertThat(ControlCodec.read(in)).isNull();
    }

    @Test
    void aMessageGoesOutInOneWrite() throws Exception {
        int[] writes = new int[2];
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) {
                throw new AssertionError("byte-at-a-time write");
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writes[0]++;
            }

            @Override
            public void flush() {
                writes[1]++;
            }
        };
        ControlCodec.write(out, new Unbind("t-1"));
        assertThat(writes).containsExactly(1, 1);
    }

    @Test
    void recordsRefuseWhatCouldNotBeSent() {
        assertThatThrownBy(() -> new Hello(1, null, "c", "s", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Hello(1, null, null, null, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new Bind(-1, Proto.TCP, null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Bind(1, Proto.TCP, null, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Bound(1, "t", URI.create("x/y"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Shutdown("r", -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ErrorMessage(ErrorCode.INTERNAL, "m", -1L))
                .isInstanceOf(IllegalArgumentException.class);
        Welcome welcome = new Welcome(1, "sess-9", "secret-9", "r", "d");
        assertThat(Hello.create("t", "c").resuming(welcome)).isEqualTo(new Hello(1, "t", "c", "sess-9", "secret-9"));
    }

    private static String json(ControlMessage m) throws WireException {
        byte[] frame = ControlCodec.encode(m);
        return new String(frame, 4, frame.length - 4, StandardCharsets.UTF_8);
    }

    private static ControlMessage decode(String json) throws WireException {
        return ControlCodec.decode(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Serves {@code prefix} then {@code rest}, counting what was consumed. */
    static final class CountingInputStream extends InputStream {
        private final byte[] data;
        int consumed;

        CountingInputStream(byte[] prefix, byte[] rest) {
            data = Arrays.copyOf(prefix, prefix.length + rest.length);
            System.arraycopy(rest, 0, data, prefix.length, rest.length);
        }

        @Override
        public int read() {
            return consumed < data.length ? data[consumed++] & 0xff : -1;
        }
    }

    @Test
    void helloFeaturesAreOptionalAndMustBeStrings() throws Exception {
        Hello plain = (Hello) ControlCodec.decode(
                "{\"type\":\"hello\",\"version\":1,\"client\":\"c\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(plain.features()).isEmpty();
        assertThat(plain.supports(Protocol.FEATURE_HTTP_STREAM_REUSE)).isFalse();
        Hello offering = (Hello) ControlCodec.decode(("{\"type\":\"hello\",\"version\":1,\"client\":\"c\","
                + "\"features\":[\"http-stream-reuse\",\"x\"]}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(offering.supports(Protocol.FEATURE_HTTP_STREAM_REUSE)).isTrue();
        assertThatThrownBy(() -> ControlCodec.decode(("{\"type\":\"hello\",\"version\":1,\"client\":\"c\","
                + "\"features\":[1]}").getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isInstanceOf(WireException.class).hasMessageContaining("features");
        assertThat(Hello.create("t", "c").withFeatures(java.util.List.of("a")).resuming(
                new Welcome(1, "s", "secret", "r", "d")).features()).containsExactly("a");
    }
}
