package io.lrok.internal.wire;

import io.lrok.internal.wire.ControlMessage.Bind;
import io.lrok.internal.wire.ControlMessage.Bound;
import io.lrok.internal.wire.ControlMessage.ErrorMessage;
import io.lrok.internal.wire.ControlMessage.Hello;
import io.lrok.internal.wire.ControlMessage.Shutdown;
import io.lrok.internal.wire.ControlMessage.Unbind;
import io.lrok.internal.wire.ControlMessage.Unknown;
import io.lrok.internal.wire.ControlMessage.Welcome;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes {@link ControlMessage}s: a 4-byte big-endian length, then a UTF-8 JSON object of at most
 * {@link Protocol#MAX_CONTROL_MESSAGE} bytes whose {@code "type"} names the message. Pure: no state; the caller
 * owns the stream (one reader, one writer at a time) and its timeouts.
 *
 * <p>Forward compatibility: members a message does not define are ignored, and a message of a type this version
 * does not know decodes to {@link Unknown}, which receivers log and ignore. So a newer peer may add optional
 * fields and notices without a version bump; anything an older peer must understand needs a new
 * {@link Protocol#VERSION}. Everything else that does not decode, a missing or ill-typed field included, is a
 * {@link WireException}, after which the session cannot go on.
 */
public final class ControlCodec {

    private static final String WHAT = "control message";
    private static final Set<String> KNOWN_TYPES =
            Set.of("hello", "welcome", "bind", "bound", "unbind", "shutdown", "error");

    private ControlCodec() {
    }

    /**
     * Writes one message in a single {@code write} call, then flushes.
     *
     * @param out     the control stream
     * @param message the message
     * @throws WireException if the message encodes to more than {@link Protocol#MAX_CONTROL_MESSAGE} bytes
     *                       (nothing is written then)
     * @throws IOException   if the stream fails
     */
    public static void write(OutputStream out, ControlMessage message) throws IOException {
        out.write(encode(message));
        out.flush();
    }

    /**
     * Reads one message.
     *
     * @param in the control stream
     * @return the message, or null if the stream ended cleanly between messages
     * @throws WireException if the bytes are not a valid message, the length passes the limit, or the stream ends
     *                       inside a message
     * @throws IOException   if the stream fails
     */
    public static ControlMessage read(InputStream in) throws IOException {
        byte[] body = Frames.readBody(in, Protocol.MAX_CONTROL_MESSAGE, WHAT);
        return body == null ? null : decode(body);
    }

    /**
     * @param message a message
     * @return its frame: length prefix and JSON
     * @throws WireException            if it encodes to more than {@link Protocol#MAX_CONTROL_MESSAGE} bytes
     * @throws IllegalArgumentException if an {@link Unknown}'s fields hold a value JSON cannot represent
     */
    public static byte[] encode(ControlMessage message) throws WireException {
        return Frames.encode(toJson(message), Protocol.MAX_CONTROL_MESSAGE, message.type() + " message");
    }

    /**
     * @param body a frame's JSON, without the length prefix
     * @return the message
     * @throws WireException if it is not a valid message
     */
    public static ControlMessage decode(byte[] body) throws WireException {
        Map<String, Object> json = Frames.parseObject(body, Protocol.MAX_CONTROL_MESSAGE, WHAT);
        String type = new Fields(json, WHAT).string("type");
        Fields f = new Fields(json, KNOWN_TYPES.contains(type) ? type + " message" : WHAT);
        try {
            return switch (type) {
                case "hello" -> new Hello(f.intValue("version"), f.optString("token"), f.string("client"),
                        f.optString("resumeSession"), f.optString("resumeSecret"), f.optStrings("features"));
                case "welcome" -> new Welcome(f.intValue("version"), f.string("sessionId"), f.string("resumeSecret"),
                        f.string("relay"), f.string("domain"));
                case "bind" -> new Bind(f.longValue("id"), f.proto("proto"), f.optString("subdomain"),
                        f.optInt("port"));
                case "bound" -> new Bound(f.longValue("id"), f.string("tunnelId"), f.uri("publicUrl"),
                        f.optString("subdomain"));
                case "unbind" -> new Unbind(f.string("tunnelId"));
                case "shutdown" -> new Shutdown(f.string("reason"), f.longValue("graceMillis"));
                case "error" -> errorMessage(f);
                default -> {
                    Map<String, Object> fields = new LinkedHashMap<>(json);
                    fields.remove("type");
                    yield new Unknown(type, fields);
                }
            };
        } catch (IllegalArgumentException e) {
            throw f.invalid(e);
        }
    }

    static boolean isKnownType(String type) {
        return KNOWN_TYPES.contains(type);
    }

    private static ErrorMessage errorMessage(Fields f) throws WireException {
        String name = f.string("code");
        ErrorCode code = ErrorCode.fromWire(name);
        String message = f.string("message");
        if (code == ErrorCode.UNKNOWN && !name.equals(ErrorCode.UNKNOWN.wireName())) {
            message = name + ": " + message; // the newer peer's code, kept for the person reading it
        }
        return new ErrorMessage(code, message, f.optLong("id"));
    }

    /** The JSON members of a message: "type" first, then the fields in declaration order, absent ones omitted. */
    static Map<String, Object> toJson(ControlMessage message) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("type", message.type());
        switch (message) {
            case Hello m -> {
                json.put("version", m.version());
                putOptional(json, "token", m.token());
                json.put("client", m.client());
                putOptional(json, "resumeSession", m.resumeSession());
                putOptional(json, "resumeSecret", m.resumeSecret());
                if (!m.features().isEmpty()) json.put("features", m.features());
            }
            case Welcome m -> {
                json.put("version", m.version());
                json.put("sessionId", m.sessionId());
                json.put("resumeSecret", m.resumeSecret());
                json.put("relay", m.relay());
                json.put("domain", m.domain());
            }
            case Bind m -> {
                json.put("id", m.id());
                json.put("proto", m.proto().wireName());
                putOptional(json, "subdomain", m.subdomain());
                putOptional(json, "port", m.port());
            }
            case Bound m -> {
                json.put("id", m.id());
                json.put("tunnelId", m.tunnelId());
                json.put("publicUrl", m.publicUrl().toString());
                putOptional(json, "subdomain", m.subdomain());
            }
            case Unbind m -> json.put("tunnelId", m.tunnelId());
            case Shutdown m -> {
                json.put("reason", m.reason());
                json.put("graceMillis", m.graceMillis());
            }
            case ErrorMessage m -> {
                json.put("code", m.code().wireName());
                json.put("message", m.message());
                putOptional(json, "id", m.id());
            }
            case Unknown m -> json.putAll(m.fields());
        }
        return json;
    }

    private static void putOptional(Map<String, Object> json, String name, Object value) {
        if (value != null) json.put(name, value);
    }
}
