package io.lrok.inspect;

import java.util.Objects;

/**
 * One header field as it was sent: its name in the sender's case, and its value.
 *
 * @param name  the field name, such as {@code Content-Type}
 * @param value the field value, without surrounding whitespace
 */
public record Header(String name, String value) {

    /** Checks that neither part is null. */
    public Header {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return name + ": " + value;
    }
}
