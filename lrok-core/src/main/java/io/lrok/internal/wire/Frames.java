package io.lrok.internal.wire;

import io.lrok.internal.json.Json;
import io.lrok.internal.json.JsonException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The framing shared by control messages and stream headers: a {@link Protocol#LENGTH_PREFIX_SIZE}-byte
 * big-endian unsigned length, then that many bytes of one UTF-8 JSON object. Pure functions over bytes and streams;
 * {@code what} names the kind of message in errors.
 */
final class Frames {

    private Frames() {
    }

    /** Encodes {@code object} with its length prefix, in one array so that it goes out in one write. */
    static byte[] encode(Map<String, Object> object, int maxBody, String what) throws WireException {
        byte[] body = Json.write(object).getBytes(StandardCharsets.UTF_8);
        if (body.length > maxBody) {
            throw new WireException(what + " of " + body.length + " bytes exceeds the limit of " + maxBody);
        }
        byte[] frame = new byte[Protocol.LENGTH_PREFIX_SIZE + body.length];
        frame[0] = (byte) (body.length >>> 24);
        frame[1] = (byte) (body.length >>> 16);
        frame[2] = (byte) (body.length >>> 8);
        frame[3] = (byte) body.length;
        System.arraycopy(body, 0, frame, Protocol.LENGTH_PREFIX_SIZE, body.length);
        return frame;
    }

    /**
     * Reads one frame's body.
     *
     * @return the body, or null if the stream ended cleanly before the first byte of the frame
     * @throws WireException if the length passes {@code maxBody} (checked before reading or allocating the body)
     *                       or the stream ends inside the frame
     */
    static byte[] readBody(InputStream in, int maxBody, String what) throws IOException {
        int first = in.read();
        if (first < 0) return null;
        byte[] rest = in.readNBytes(Protocol.LENGTH_PREFIX_SIZE - 1);
        if (rest.length < Protocol.LENGTH_PREFIX_SIZE - 1) {
            throw new WireException(what + " truncated: the stream ended inside the length prefix");
        }
        long length = (long) first << 24 | (rest[0] & 0xff) << 16 | (rest[1] & 0xff) << 8 | (rest[2] & 0xff);
        if (length > maxBody) {
            throw new WireException(what + " of " + length + " bytes exceeds the limit of " + maxBody);
        }
        byte[] body = in.readNBytes((int) length);
        if (body.length < length) {
            throw new WireException(what + " truncated: the stream ended after " + body.length + " of " + length
                    + " bytes");
        }
        return body;
    }

    /** Parses a body that must hold one JSON object. */
    @SuppressWarnings("unchecked") // Json.parse makes objects as Map<String, Object>
    static Map<String, Object> parseObject(byte[] body, int maxBody, String what) throws WireException {
        Object value;
        try {
            value = Json.parse(body, maxBody);
        } catch (JsonException e) {
            throw new WireException(what + " is not valid JSON: " + e.getMessage(), e);
        }
        if (!(value instanceof Map<?, ?> object)) throw new WireException(what + " must be a JSON object");
        return (Map<String, Object>) object;
    }
}
