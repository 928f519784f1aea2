package io.lrok.internal.json;

import java.io.IOException;

/** Text that is not valid JSON, or that passes one of {@link Json}'s limits; says where. */
public final class JsonException extends IOException {

    private final int offset;

    /**
     * @param message what is wrong, for a person
     * @param offset  where: an index into the input (bytes for byte input, chars for string input)
     */
    public JsonException(String message, int offset) {
        super(message + " at offset " + offset);
        this.offset = offset;
    }

    /** @return the index into the input where the problem was found */
    public int offset() {
        return offset;
    }
}
