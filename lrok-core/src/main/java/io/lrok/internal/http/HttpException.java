package io.lrok.internal.http;

import io.lrok.http.HttpLimits;

import java.io.IOException;

/**
 * A message that breaks HTTP/1.1's syntax or framing rules, or exceeds an {@link HttpLimits} limit, or ends too
 * early. {@link #status()} is the status to answer with (then close the connection: after a framing error the
 * rest of the bytes cannot be trusted). Errors in a response read from an upstream carry 502.
 */
public class HttpException extends IOException {
    /** Malformed syntax or framing, or a message cut short. */
    public static final int BAD_REQUEST = 400;
    /** The request line is longer than {@link HttpLimits#maxRequestLineLength()}. */
    public static final int URI_TOO_LONG = 414;
    /** The header (or trailer) section is too large or has too many fields. */
    public static final int FIELDS_TOO_LARGE = 431;
    /** A transfer coding we do not know. */
    public static final int NOT_IMPLEMENTED = 501;
    /** The upstream's response is malformed. */
    public static final int BAD_GATEWAY = 502;
    /** An HTTP version other than 1.x. */
    public static final int VERSION_NOT_SUPPORTED = 505;

    private final int status;

    /**
     * An error to answer with {@code status}.
     *
     * @param status the status to answer with
     * @param message what is wrong, for a person
     */
    public HttpException(int status, String message) {
        super(message);
        this.status = status;
    }

    /**
     * An error to answer with {@code status}, caused by another.
     *
     * @param status  the status to answer with
     * @param message what is wrong, for a person
     * @param cause   the underlying failure
     */
    public HttpException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /**
     * The status to answer with.
     *
     * @return the HTTP status the peer should get: 400, 414, 431, 501, 502 or 505
     */
    public int status() {
        return status;
    }

    static HttpException badRequest(String message) {
        return new HttpException(BAD_REQUEST, message);
    }

    @Override
    public String toString() {
        return getClass().getName() + ": " + status + " " + getMessage();
    }
}
