package io.lrok.internal.agent;

import io.lrok.internal.http.HttpHeaders;
import io.lrok.internal.http.ResponseHead;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import javax.net.ssl.SSLException;

/** The responses the agent writes itself, when the local app cannot give one: a short plain-text page. */
final class ErrorPage {
    private ErrorPage() {
    }

    /**
     * @param status  the status, such as 502
     * @param message the page's text, one line saying what went wrong
     * @return a complete response: head with Content-Length and {@code Connection: close}, then the text
     */
    static byte[] response(int status, String message) {
        return response(head(status, message), message);
    }

    /**
     * @param head    the page's head, such as {@link #head} with a field added
     * @param message the page's text
     * @return the head, then the text
     */
    static byte[] response(ResponseHead head, String message) {
        byte[] body = body(message);
        byte[] headBytes = head.toBytes();
        byte[] all = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(body, 0, all, headBytes.length, body.length);
        return all;
    }

    /** @param message the page's text @return the page's body */
    static byte[] body(String message) {
        return (message + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** @param status the status @param message the page's text @return the page's head */
    static ResponseHead head(int status, String message) {
        HttpHeaders headers = HttpHeaders.of(
                "Content-Type", "text/plain; charset=utf-8",
                "Content-Length", Integer.toString(body(message).length),
                "Cache-Control", "no-store",
                "Connection", "close");
        return ResponseHead.of(status, headers);
    }

    /**
     * @param e a failure to connect to or talk with the local app
     * @return it in a few words: {@code connection refused}, {@code no answer within 5 s}
     */
    static String describe(IOException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        return switch (e) {
            case ConnectException c -> lowerFirst(message.isEmpty() ? "connection refused" : message);
            case SocketTimeoutException t -> "no answer in time (" + lowerFirst(message) + ")";
            case UnknownHostException u -> "unknown host " + message;
            case SSLException s -> "TLS failed: " + message;
            case EOFException eof -> message;
            default -> message.isEmpty() ? e.getClass().getSimpleName() : lowerFirst(message);
        };
    }

    private static String lowerFirst(String s) {
        if (s.isEmpty() || (s.length() > 1 && Character.isUpperCase(s.charAt(1)))) return s; // keep acronyms
        return s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
    }
}
