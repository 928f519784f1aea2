package io.lrok.internal.agent;

import io.lrok.internal.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Header fields to remove and to add, applied in that order: removals first (every field of the name), then
 * additions (appended, after any field of the same name that is left). Immutable.
 *
 * <p>Fields that decide a message's framing or its connection ({@code Content-Length}, {@code Transfer-Encoding},
 * {@code Connection}, and for requests {@code Host}, which has its own setting) may not be edited: the forwarder
 * owns them, so an edit can never make the bytes it forwards disagree with their framing.
 *
 * @param remove names of fields to remove, any case
 * @param add    fields to append
 */
public record HeaderEdits(List<String> remove, List<HttpHeaders.Field> add) {

    /** No edits. */
    public static final HeaderEdits NONE = new HeaderEdits(List.of(), List.of());

    private static final Set<String> PROTECTED = Set.of("content-length", "transfer-encoding", "connection");

    /** Copies the lists. */
    public HeaderEdits {
        remove = List.copyOf(remove);
        add = List.copyOf(add);
    }

    /**
     * @param name a field name; checked to be a token, and not one the forwarder owns
     * @param request whether the edit is of requests (which also protect {@code Host})
     * @return a copy that also removes {@code name}
     * @throws IllegalArgumentException if the name is not a token or may not be edited
     */
    public HeaderEdits withRemove(String name, boolean request) {
        check(name, "", request);
        List<String> copy = new ArrayList<>(remove);
        copy.add(name);
        return new HeaderEdits(copy, add);
    }

    /**
     * @param name    a field name; checked to be a token, and not one the forwarder owns
     * @param value   its value; no CR, LF or other control character but HTAB
     * @param request whether the edit is of requests (which also protect {@code Host})
     * @return a copy that also adds the field
     * @throws IllegalArgumentException if the field is malformed or may not be edited
     */
    public HeaderEdits withAdd(String name, String value, boolean request) {
        check(name, value, request);
        List<HttpHeaders.Field> copy = new ArrayList<>(add);
        copy.add(new HttpHeaders.Field(name, value));
        return new HeaderEdits(remove, copy);
    }

    /** @param headers fields as received @return them with the edits applied */
    public HttpHeaders apply(HttpHeaders headers) {
        HttpHeaders result = headers;
        for (String name : remove) result = result.without(name);
        for (HttpHeaders.Field field : add) result = result.with(field.name(), field.value());
        return result;
    }

    private static void check(String name, String value, boolean request) {
        HttpHeaders.of(name, value); // throws IllegalArgumentException for a malformed name or value
        String lower = name.toLowerCase(Locale.ROOT);
        if (PROTECTED.contains(lower)) {
            throw new IllegalArgumentException(name + " decides how a message is framed or its connection kept; "
                    + "lrok forwards it as the app and the client send it and cannot edit it");
        }
        if (request && lower.equals("host")) {
            throw new IllegalArgumentException("set the Host header with hostHeader(...) or rewriteHostHeader()");
        }
    }
}
