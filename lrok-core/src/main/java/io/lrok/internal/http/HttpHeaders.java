package io.lrok.internal.http;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable, ordered list of header (or trailer) fields as received: names keep their case, repeated fields stay
 * separate and in order, lookups ignore case. Names are tokens and values hold no CR, LF, NUL or other control
 * character but HTAB, so a head written from these fields cannot be split; {@link #with}, {@link #set} and
 * {@link #of} check that and throw {@link IllegalArgumentException} otherwise. Characters are ISO-8859-1: each
 * char is one byte of the wire, so bytes above 0x7F (obs-text) go through unchanged.
 *
 * <p>Fields the parser read are valid already and are not checked again; nor are fields copied from one list to
 * another with a {@link Builder}, which builds a list in one array however many fields it drops or adds (a proxy
 * rewriting a head per request uses it instead of a {@link #with}/{@link #without} copy per edit).
 */
public final class HttpHeaders implements Iterable<HttpHeaders.Field> {

    /**
     * One field line.
     *
     * @param name  the field name as received
     * @param value the value, without surrounding OWS
     */
    public record Field(String name, String value) {
    }

    /** Fields whose values {@link #toString()} hides: they are credentials and must not reach a log. */
    private static final Set<String> REDACTED = Set.of("authorization", "proxy-authorization", "cookie",
            "set-cookie");

    private static final HttpHeaders EMPTY = new HttpHeaders(new String[0], 0);

    /** Names at even indexes, each followed by its value; only the first {@code 2 * size} are used. */
    private final String[] namesAndValues;
    private final int size;

    private HttpHeaders(String[] namesAndValues, int size) {
        this.namesAndValues = namesAndValues;
        this.size = size;
    }

    /**
     * The empty list.
     *
     * @return no fields
     */
    public static HttpHeaders empty() {
        return EMPTY;
    }

    /**
     * Fields from alternating names and values, checked.
     *
     * @param namesAndValues name, value, name, value...
     * @return those fields, in that order
     */
    public static HttpHeaders of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) throw new IllegalArgumentException("names and values must pair up");
        for (int i = 0; i < namesAndValues.length; i += 2) check(namesAndValues[i], namesAndValues[i + 1]);
        return new HttpHeaders(namesAndValues.clone(), namesAndValues.length / 2);
    }

    /** Wraps fields the parser already validated: no copy, no second check. */
    static HttpHeaders trusted(String[] namesAndValues, int size) {
        return size == 0 ? EMPTY : new HttpHeaders(namesAndValues, size);
    }

    /**
     * The number of fields, repeated names counted each time.
     *
     * @return the number of field lines
     */
    public int size() {
        return size;
    }

    /**
     * A field's name by position, in the order received.
     *
     * @param index 0 to size - 1
     * @return that field's name
     */
    public String name(int index) {
        return namesAndValues[2 * checkIndex(index)];
    }

    /**
     * A field's value by position, in the order received.
     *
     * @param index 0 to size - 1
     * @return that field's value
     */
    public String value(int index) {
        return namesAndValues[2 * checkIndex(index) + 1];
    }

    /**
     * The first value of a field.
     *
     * @param name a field name, any case
     * @return the first value of that field, or null if it is absent
     */
    public String get(String name) {
        for (int i = 0; i < size; i++) {
            if (sameName(namesAndValues[2 * i], name)) return namesAndValues[2 * i + 1];
        }
        return null;
    }

    /**
     * All values of a field.
     *
     * @param name a field name, any case
     * @return every value of that field, in order; empty if absent
     */
    public List<String> all(String name) {
        List<String> values = new ArrayList<>(2);
        for (int i = 0; i < size; i++) {
            if (sameName(namesAndValues[2 * i], name)) values.add(namesAndValues[2 * i + 1]);
        }
        return List.copyOf(values);
    }

    /**
     * Whether a field is present.
     *
     * @param name a field name, any case
     * @return whether at least one such field is present
     */
    public boolean contains(String name) {
        return get(name) != null;
    }

    /**
     * How often a field is present.
     *
     * @param name a field name, any case
     * @return how many field lines have that name
     */
    public int count(String name) {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (sameName(namesAndValues[2 * i], name)) n++;
        }
        return n;
    }

    /**
     * Whether a comma-separated list field ({@code Connection}, {@code Upgrade}...), over all its lines, has an
     * element equal to {@code token}, ignoring case and surrounding whitespace.
     *
     * @param name  a field name, any case
     * @param token the element to look for
     * @return whether it is there
     */
    public boolean containsToken(String name, String token) {
        for (int i = 0; i < size; i++) {
            if (sameName(namesAndValues[2 * i], name) && hasElement(namesAndValues[2 * i + 1], token)) return true;
        }
        return false;
    }

    /**
     * Whether a comma-separated value has an element equal to {@code token}, ignoring case and the whitespace (SP,
     * HTAB: a valid value has no other) around it; without splitting it.
     */
    private static boolean hasElement(String value, String token) {
        int n = value.length();
        int start = 0;
        while (start <= n) {
            int comma = value.indexOf(',', start);
            int end = comma < 0 ? n : comma;
            int from = start;
            int to = end;
            while (from < to && Syntax.isWhitespace(value.charAt(from))) from++;
            while (to > from && Syntax.isWhitespace(value.charAt(to - 1))) to--;
            if (to - from == token.length() && regionSameName(value, from, token)) return true;
            start = end + 1;
        }
        return false;
    }

    /**
     * Appends a field.
     *
     * @param name a field name
     * @param value its value
     * @return a copy with that field appended
     */
    public HttpHeaders with(String name, String value) {
        check(name, value);
        String[] copy = Arrays.copyOf(namesAndValues, 2 * size + 2);
        copy[2 * size] = name;
        copy[2 * size + 1] = value;
        return new HttpHeaders(copy, size + 1);
    }

    /**
     * Removes a field.
     *
     * @param name a field name, any case
     * @return a copy without any field of that name
     */
    public HttpHeaders without(String name) {
        String[] kept = new String[2 * size];
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (sameName(namesAndValues[2 * i], name)) continue;
            kept[2 * n] = namesAndValues[2 * i];
            kept[2 * n + 1] = namesAndValues[2 * i + 1];
            n++;
        }
        return n == size ? this : trusted(kept, n);
    }

    /**
     * Sets a field to one value.
     *
     * @param name  a field name
     * @param value its one value
     * @return a copy where that field has this one value: in place of its first line, others removed; appended
     *         if it was absent
     */
    public HttpHeaders set(String name, String value) {
        check(name, value);
        String[] kept = new String[2 * size + 2];
        int n = 0;
        boolean placed = false;
        for (int i = 0; i < size; i++) {
            boolean match = sameName(namesAndValues[2 * i], name);
            if (match && placed) continue;
            kept[2 * n] = match ? name : namesAndValues[2 * i];
            kept[2 * n + 1] = match ? value : namesAndValues[2 * i + 1];
            placed |= match;
            n++;
        }
        if (!placed) {
            kept[2 * n] = name;
            kept[2 * n + 1] = value;
            n++;
        }
        return new HttpHeaders(kept, n);
    }

    @Override
    public Iterator<Field> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < size;
            }

            @Override
            public Field next() {
                if (next >= size) throw new NoSuchElementException();
                Field field = new Field(namesAndValues[2 * next], namesAndValues[2 * next + 1]);
                next++;
                return field;
            }
        };
    }

    /** Equal when the same fields, names in the same case, are in the same order. */
    @Override
    public boolean equals(Object o) {
        return o instanceof HttpHeaders other && size == other.size
                && Arrays.equals(namesAndValues, 0, 2 * size, other.namesAndValues, 0, 2 * size);
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int i = 0; i < 2 * size; i++) h = 31 * h + namesAndValues[i].hashCode();
        return h;
    }

    /**
     * A form for logs.
     *
     * @return the fields as {@code [Name: value, ...]}, with credentials ({@code Authorization}, cookies) hidden
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < size; i++) {
            if (i > 0) sb.append(", ");
            String name = namesAndValues[2 * i];
            sb.append(name).append(": ");
            sb.append(REDACTED.contains(name.toLowerCase(Locale.ROOT)) ? "<redacted>"
                    : namesAndValues[2 * i + 1]);
        }
        return sb.append(']').toString();
    }

    /** Appends {@code Name: value CRLF} for each field. */
    void writeTo(HeadWriter out) {
        for (int i = 0; i < 2 * size; i += 2) out.field(namesAndValues[i], namesAndValues[i + 1]);
    }

    /** @return the bytes {@link #writeTo} writes */
    int byteSize() {
        int n = HeadWriter.FIELD_OVERHEAD * size;
        for (int i = 0; i < 2 * size; i++) n += namesAndValues[i].length();
        return n;
    }

    /**
     * Whether two field names are the same, ignoring case: what every lookup here asks. Field names are tokens,
     * ASCII, so this compares ASCII letters without case and everything else as is, length first; a name that is
     * the same string (a well-known name the parser gave as the constant, looked up by that constant) matches at
     * once. For a name outside ASCII, which no field has, it answers as {@link String#equalsIgnoreCase} does.
     *
     * @param a a field name
     * @param b another
     * @return whether they name the same field
     */
    public static boolean sameName(String a, String b) {
        if (a == b) return true;
        int n = a.length();
        return n == b.length() && regionSameName(a, 0, b);
    }

    /** Whether {@code s} holds {@code name} at {@code from}, ignoring ASCII case; the caller checked the length. */
    private static boolean regionSameName(String s, int from, String name) {
        for (int i = 0; i < name.length(); i++) {
            char x = s.charAt(from + i);
            char y = name.charAt(i);
            if (x == y) continue;
            int lower = x | 0x20;
            if (lower == (y | 0x20) && lower >= 'a' && lower <= 'z') continue;
            if (x > 0x7f || y > 0x7f) return s.regionMatches(true, from, name, 0, name.length());
            return false;
        }
        return true;
    }

    /**
     * A list in the making, in one array: fields copied from other lists (valid, not checked again), fields checked
     * as {@link #with} checks them, and fields the caller vouches for. For a head rewritten per request: one array
     * for the result, whatever is dropped, replaced or appended. Not thread-safe; {@link #build()} ends it.
     */
    public static final class Builder {
        private String[] namesAndValues;
        private int size;

        private Builder(int capacity) {
            namesAndValues = new String[2 * Math.max(capacity, 1)];
        }

        /**
         * Appends field {@code index} of {@code from}, as it is: valid already.
         *
         * @param from  a list
         * @param index the field's position in it
         * @return this
         */
        public Builder addFrom(HttpHeaders from, int index) {
            from.checkIndex(index);
            return put(from.namesAndValues[2 * index], from.namesAndValues[2 * index + 1]);
        }

        /**
         * Appends a field, checked like {@link HttpHeaders#with}: for names and values from users or configuration.
         *
         * @param name  a field name
         * @param value its value
         * @return this
         * @throws IllegalArgumentException if the name is not a token or the value holds a character a head may not
         */
        public Builder add(String name, String value) {
            check(name, value);
            return put(name, value);
        }

        /**
         * Appends a field that is valid by construction, unchecked (asserted when assertions are on, as in the tests):
         * a constant name with a value made of parsed field values, request-target characters, IP addresses or
         * constants. Anything a user or configuration supplied goes through {@link #add}.
         *
         * @param name  a field name, a token
         * @param value a value with no CR, LF or other control character but HTAB
         * @return this
         */
        public Builder addValid(String name, String value) {
            assert isValid(name, value) : "invalid field " + name + ": " + value;
            return put(name, value);
        }

        /** @return the fields so far; the builder is used up */
        public HttpHeaders build() {
            String[] fields = namesAndValues;
            namesAndValues = null; // the list owns the array now
            return trusted(fields, size);
        }

        private Builder put(String name, String value) {
            if (2 * size == namesAndValues.length) namesAndValues = Arrays.copyOf(namesAndValues, 4 * size);
            namesAndValues[2 * size] = name;
            namesAndValues[2 * size + 1] = value;
            size++;
            return this;
        }
    }

    /**
     * A builder for a new list.
     *
     * @param capacity how many fields it will likely hold (it grows beyond)
     * @return an empty builder
     */
    public static Builder builder(int capacity) {
        return new Builder(capacity);
    }

    private int checkIndex(int index) {
        return Objects.checkIndex(index, size);
    }

    private static boolean isValid(String name, String value) {
        try {
            check(name, value);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void check(String name, String value) {
        if (name == null || value == null) throw new IllegalArgumentException("null field name or value");
        if (!Syntax.isToken(name)) throw new IllegalArgumentException("field name is not a token: " + name);
        for (int i = 0; i < value.length(); i++) {
            if (!Syntax.isFieldValueChar(value.charAt(i))) {
                throw new IllegalArgumentException("character 0x" + Integer.toHexString(value.charAt(i))
                        + " not allowed in the value of " + name);
            }
        }
    }
}
