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
 * <p>Edits run on every exchange: they are applied in one pass into one new list ({@link HttpHeaders.Builder}), and
 * a head without edits to make is returned as it is. Added fields are checked each time, as they come from the
 * user; the fields of the head, checked by the parser, are not.
 *
 * @param remove names of fields to remove, any case
 * @param add    fields to append
 */
public record HeaderEdits(List<String> remove, List<HttpHeaders.Field> add) {

    /** No edits. */
    public static final HeaderEdits NONE = new HeaderEdits(List.of(), List.of());

    private static final Set<String> PROTECTED = Set.of("content-length", "transfer-encoding", "connection");
    private static final String HOST = "Host";
    private static final String AUTHORIZATION = "Authorization";
    private static final String CONNECTION = "Connection";

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

    /**
     * @param headers fields as received
     * @return them with the edits applied; {@code headers} itself if there are none
     * @throws IllegalArgumentException if an added field is malformed (only edits made without {@link #withAdd})
     */
    public HttpHeaders apply(HttpHeaders headers) {
        return applyToRequest(headers, false, null, false);
    }

    /**
     * The fields of a request for the local app, in one pass: what removing {@code Authorization}, then setting
     * {@code Host}, then these edits, then removing {@code Connection}, one after the other, would give.
     *
     * @param headers           the request's fields as the relay sent them
     * @param dropAuthorization whether to remove {@code Authorization} (the tunnel's own credentials)
     * @param host              the Host to set: in place of the first {@code Host} line, the others removed, or
     *                          appended if there is none; null to keep the request's; checked by the caller
     * @param dropConnection    whether to remove {@code Connection} (the hop to the app has its own)
     * @return the fields for the app; {@code headers} itself if nothing changes
     * @throws IllegalArgumentException if an added field is malformed (only edits made without {@link #withAdd})
     */
    public HttpHeaders applyToRequest(HttpHeaders headers, boolean dropAuthorization, String host,
            boolean dropConnection) {
        if (remove.isEmpty() && add.isEmpty() && host == null && !dropAuthorization && !dropConnection) return headers;
        // a Host that the edits remove (possible only with edits not made by withRemove) goes, set or not
        boolean placeHost = host != null && !removes(HOST);
        HttpHeaders.Builder result = null; // made at the first change: until then the fields are kept as they are
        boolean hostPlaced = false;
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            if (host != null && HttpHeaders.sameName(name, HOST)) {
                if (result == null) result = copyOf(headers, i, 1 + add.size());
                if (placeHost && !hostPlaced) result.addValid(HOST, host);
                hostPlaced = true;
            } else if ((dropAuthorization && HttpHeaders.sameName(name, AUTHORIZATION)) || removes(name)
                    || (dropConnection && HttpHeaders.sameName(name, CONNECTION))) {
                if (result == null) result = copyOf(headers, i, 1 + add.size());
            } else if (result != null) {
                result.addFrom(headers, i);
            }
        }
        if (placeHost && !hostPlaced) {
            if (result == null) result = copyOf(headers, headers.size(), 1 + add.size());
            result.addValid(HOST, host);
        }
        for (HttpHeaders.Field field : add) {
            if (dropConnection && HttpHeaders.sameName(field.name(), CONNECTION)) continue;
            if (result == null) result = copyOf(headers, headers.size(), add.size());
            result.add(field.name(), field.value());
        }
        return result == null ? headers : result.build();
    }

    /** @return a builder holding the first {@code count} fields of {@code headers}, with room for {@code more} */
    private static HttpHeaders.Builder copyOf(HttpHeaders headers, int count, int more) {
        HttpHeaders.Builder builder = HttpHeaders.builder(headers.size() + more);
        for (int i = 0; i < count; i++) builder.addFrom(headers, i);
        return builder;
    }

    /** @return whether the edits remove fields called {@code name} */
    private boolean removes(String name) {
        for (int i = 0; i < remove.size(); i++) {
            if (HttpHeaders.sameName(name, remove.get(i))) return true;
        }
        return false;
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
