package io.lrok.inspect;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Case-insensitive look-ups in a header list, for the recorded types. */
final class Headers {
    private Headers() {
    }

    static Optional<String> first(List<Header> headers, String name) {
        for (Header h : headers) if (h.name().equalsIgnoreCase(name)) return Optional.of(h.value());
        return Optional.empty();
    }

    static List<String> all(List<Header> headers, String name) {
        List<String> values = new ArrayList<>();
        for (Header h : headers) if (h.name().equalsIgnoreCase(name)) values.add(h.value());
        return List.copyOf(values);
    }
}
