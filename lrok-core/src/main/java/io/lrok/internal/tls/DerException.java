package io.lrok.internal.tls;

import java.io.IOException;

/** Bytes that are not the DER {@link DerReader} was asked to read; says what and where. */
public final class DerException extends IOException {

    /**
     * @param message what is wrong, for a person
     * @param offset  where: an index into the DER bytes
     */
    public DerException(String message, int offset) {
        super(message + " at offset " + offset);
    }
}
