package io.lrok.internal.tls;

import java.io.IOException;

/** PEM text that cannot be read: malformed, encrypted, or without the expected block; the message says which. */
public final class PemException extends IOException {

    /** @param message what is wrong, for a person */
    public PemException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong, for a person
     * @param cause   the failure underneath: a {@link DerException}, a {@code GeneralSecurityException}, ...
     */
    public PemException(String message, Throwable cause) {
        super(message, cause);
    }
}
