package io.lrok.internal.wire;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The header the relay writes at the start of every stream it opens to the agent, one stream per public HTTP
 * exchange or TCP connection; the raw bytes of the exchange follow it. Framed like a control message (4-byte
 * big-endian length, then a UTF-8 JSON object) but with no {@code "type"}, and at most
 * {@link Protocol#MAX_STREAM_HEADER} bytes. Members this version does not define are ignored.
 *
 * @param tunnelId      the tunnel, from {@link ControlMessage.Bound#tunnelId()}
 * @param kind          {@link Proto#HTTP}: an HTTP/1.1 request follows; {@link Proto#TCP}: a raw connection
 * @param clientAddress the public client's address as the relay saw it: {@code 203.0.113.7:52100},
 *                      {@code [2001:db8::1]:52100}
 * @param scheme        how the public client reached the relay: {@code http} or {@code https} for HTTP,
 *                      {@code tcp} for TCP
 * @param host          the public host the client asked for: its Host header for HTTP, as sent (with a port if
 *                      it had one); the public {@code host:port} it connected to for TCP
 */
public record StreamHeader(String tunnelId, Proto kind, String clientAddress, String scheme, String host) {

    private static final String WHAT = "stream header";

    /** Checks the fields, and that the scheme fits the kind. */
    public StreamHeader {
        Objects.requireNonNull(tunnelId, "tunnelId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(clientAddress, "clientAddress");
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(host, "host");
        boolean fits = switch (kind) {
            case HTTP -> scheme.equals("http") || scheme.equals("https");
            case TCP -> scheme.equals("tcp");
        };
        if (!fits) throw new IllegalArgumentException("scheme \"" + scheme + "\" does not fit kind " + kind.wireName());
    }

    /**
     * Writes this header in a single {@code write} call, then flushes.
     *
     * @param out the stream just opened
     * @throws WireException if the header encodes to more than {@link Protocol#MAX_STREAM_HEADER} bytes
     * @throws IOException   if the stream fails
     */
    public void write(OutputStream out) throws IOException {
        out.write(encode());
        out.flush();
    }

    /** @return the frame: length prefix and JSON @throws WireException if too long */
    public byte[] encode() throws WireException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("tunnelId", tunnelId);
        json.put("kind", kind.wireName());
        json.put("clientAddress", clientAddress);
        json.put("scheme", scheme);
        json.put("host", host);
        return Frames.encode(json, Protocol.MAX_STREAM_HEADER, WHAT);
    }

    /**
     * Reads the header at the start of a stream, leaving the stream at the first byte of the exchange.
     *
     * @param in a stream the relay opened
     * @return the header
     * @throws WireException if the bytes are not a valid header, or the stream ends before or inside it
     * @throws IOException   if the stream fails
     */
    public static StreamHeader read(InputStream in) throws IOException {
        byte[] body = Frames.readBody(in, Protocol.MAX_STREAM_HEADER, WHAT);
        if (body == null) throw new WireException("the stream ended before its " + WHAT);
        return decode(body);
    }

    /**
     * @param body a frame's JSON, without the length prefix
     * @return the header
     * @throws WireException if it is not a valid header
     */
    public static StreamHeader decode(byte[] body) throws WireException {
        Fields f = new Fields(Frames.parseObject(body, Protocol.MAX_STREAM_HEADER, WHAT), WHAT);
        try {
            return new StreamHeader(f.string("tunnelId"), f.proto("kind"), f.string("clientAddress"),
                    f.string("scheme"), f.string("host"));
        } catch (IllegalArgumentException e) {
            throw f.invalid(e);
        }
    }
}
