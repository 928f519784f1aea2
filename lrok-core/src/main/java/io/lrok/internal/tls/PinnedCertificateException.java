package io.lrok.internal.tls;

import java.io.Serial;
import java.security.cert.CertificateException;

/** A server presented a certificate other than the pinned one ({@link TlsContexts#pinning}). */
public final class PinnedCertificateException extends CertificateException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** @param message what was presented */
    public PinnedCertificateException(String message) {
        super(message);
    }
}
