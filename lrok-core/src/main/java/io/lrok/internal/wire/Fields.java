package io.lrok.internal.wire;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Typed reads of a decoded JSON object's members, with errors that name the message and the field. A member that
 * is absent and one that is JSON {@code null} mean the same: absent. Members not asked for are ignored, which is
 * what lets newer peers add fields.
 */
final class Fields {

    private final Map<String, Object> object;
    private final String what;

    Fields(Map<String, Object> object, String what) {
        this.object = object;
        this.what = what;
    }

    String string(String name) throws WireException {
        return require(name, optString(name));
    }

    String optString(String name) throws WireException {
        Object value = object.get(name);
        if (value == null || value instanceof String) return (String) value;
        throw wrongType(name, "a string", value);
    }

    /** @return the member as a list of strings; empty when absent */
    List<String> optStrings(String name) throws WireException {
        Object value = object.get(name);
        if (value == null) return List.of();
        if (!(value instanceof List<?> items)) throw wrongType(name, "an array of strings", value);
        List<String> strings = new ArrayList<>(items.size());
        for (Object item : items) {
            if (!(item instanceof String string)) throw wrongType(name, "an array of strings", value);
            strings.add(string);
        }
        return strings;
    }

    long longValue(String name) throws WireException {
        return require(name, optLong(name));
    }

    Long optLong(String name) throws WireException {
        Object value = object.get(name);
        if (value == null || value instanceof Long) return (Long) value; // Json makes integers Longs, others Doubles
        throw wrongType(name, "an integer", value);
    }

    int intValue(String name) throws WireException {
        return require(name, optInt(name));
    }

    Integer optInt(String name) throws WireException {
        Long value = optLong(name);
        if (value == null) return null;
        if (value != value.intValue()) throw wrongType(name, "a 32-bit integer", value);
        return value.intValue();
    }

    URI uri(String name) throws WireException {
        String value = string(name);
        try {
            return new URI(value);
        } catch (URISyntaxException e) {
            throw new WireException(what + ": field \"" + name + "\" is not a URI: " + e.getMessage(), e);
        }
    }

    Proto proto(String name) throws WireException {
        String value = string(name);
        Proto proto = Proto.fromWire(value);
        if (proto == null) throw wrongType(name, "\"http\" or \"tcp\"", value);
        return proto;
    }

    /** A failure of a record's own checks, such as a range, named for this message. */
    WireException invalid(IllegalArgumentException e) {
        return new WireException(what + ": " + e.getMessage(), e);
    }

    private <T> T require(String name, T value) throws WireException {
        if (value == null) throw new WireException(what + ": field \"" + name + "\" is missing");
        return value;
    }

    private WireException wrongType(String name, String expected, Object value) {
        String shown = value instanceof String s ? '"' + abbreviate(s) + '"' : abbreviate(String.valueOf(value));
        return new WireException(what + ": field \"" + name + "\" must be " + expected + ", got " + shown);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
