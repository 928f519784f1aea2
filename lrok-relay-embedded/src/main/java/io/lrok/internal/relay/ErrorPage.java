package io.lrok.internal.relay;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.lrok.internal.http.HttpHeaders;
import io.lrok.internal.http.ResponseHead;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * A page the relay answers with itself, when a request cannot reach a tunnel: status, what happened, the host
 * asked for, and what to do. HTML for clients that accept it (browsers), plain text for the others (curl, code).
 * Always sent with {@code Connection: close}: the relay closes the public connection after it. Pure.
 *
 * @param status  the status code
 * @param problem what happened, one line: {@code tunnel violet-mole is offline}
 * @param host    the Host asked for, as sent; may be empty
 * @param advice  what to do about it, for a person
 */
record ErrorPage(int status, String problem, String host, String advice) {

    /** Response header naming the relay as the author of the page, so a user can tell it from the app's own. */
    static final String ERROR_HEADER = "X-Lrok-Error";

    /** RFC 9110 §15.5.20: the request reached a server (here: a TLS connection) not meant for its host. */
    static final int MISDIRECTED_REQUEST = 421;

    ErrorPage {
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(advice, "advice");
    }

    static ErrorPage noTunnel(String host) {
        return new ErrorPage(404, "no tunnel for host " + host, host,
                "No lrok tunnel is open for this host name. Check the URL (every tunnel has its own), and that the"
                        + " program that opened the tunnel is still running.");
    }

    static ErrorPage relayClosing() {
        return new ErrorPage(503, "the relay is shutting down", "",
                "This relay is restarting or moving; the tunnel's agent is reconnecting. Retry in a few seconds.");
    }

    static ErrorPage reconnecting(String host) {
        return new ErrorPage(503, "the tunnel for " + host + " is reconnecting", host,
                "The lrok agent behind this tunnel lost its connection to the relay and is coming back; its address"
                        + " is kept for it. Retry in a few seconds.");
    }

    static ErrorPage offline(String name, String host) {
        return new ErrorPage(502, "tunnel " + name + " is offline", host,
                "The lrok agent that opened this tunnel is not connected to the relay. Start it again, or wait for it"
                        + " to reconnect, then retry.");
    }

    static ErrorPage noResponse(String name, String host) {
        return new ErrorPage(502, "tunnel " + name + " gave no response", host,
                "The lrok agent ended the request without an answer: the local service may have failed or closed"
                        + " the connection. See the agent's log, then retry.");
    }

    static ErrorPage badResponse(String name, String host, String why) {
        return new ErrorPage(502, "tunnel " + name + " sent a malformed response: " + why, host,
                "The local service's answer is not valid HTTP/1.1. See the agent's log.");
    }

    static ErrorPage badRequest(int status, String why, String host) {
        return new ErrorPage(status, "the relay could not read the request: " + why, host,
                "The request is not valid HTTP/1.1, or too large; the relay did not pass it on. Fix the client.");
    }

    static ErrorPage headTimeout(String host) {
        return new ErrorPage(408, "the request head did not arrive in time", host,
                "The relay closes connections whose request is sent too slowly. Retry.");
    }

    static ErrorPage tooManyConnections() {
        return new ErrorPage(503, "the relay has too many open connections", "",
                "The relay is at its connection limit. Retry in a moment.");
    }

    static ErrorPage tooManyStreams(String name, String host, int max) {
        return new ErrorPage(503, "tunnel " + name + " has too many requests in progress", host,
                "The agent of this tunnel carries at most " + max + " requests and connections at once. Retry in a"
                        + " moment.");
    }

    static ErrorPage tooManyConnectionsFromAddress() {
        return new ErrorPage(503, "too many open connections from your address", "",
                "The relay limits the connections one address may hold at once. Close some, then retry.");
    }

    static ErrorPage misdirected(String host, String serverName) {
        return new ErrorPage(421, "the request for host " + host + " came on a TLS connection made for "
                + serverName, host, "The Host header must name the server the TLS connection was opened to (SNI)."
                + " Open a new connection to " + Hosts.normalize(host) + ".");
    }

    /** @return the reason phrase for the status */
    String reason() {
        if (status == MISDIRECTED_REQUEST) return "Misdirected Request";
        String reason = ResponseHead.defaultReason(status);
        return reason.isEmpty() ? "Error" : reason;
    }

    /**
     * Writes head and body in one call, and flushes.
     *
     * @param out  the public connection
     * @param html whether to send HTML (the client accepts it) rather than plain text
     * @throws IOException if writing fails
     */
    void writeTo(OutputStream out, boolean html) throws IOException {
        byte[] body = (html ? html() : text()).getBytes(UTF_8);
        HttpHeaders headers = HttpHeaders.of(
                "Content-Type", (html ? "text/html" : "text/plain") + "; charset=utf-8",
                "Content-Length", Integer.toString(body.length),
                "Cache-Control", "no-store",
                ERROR_HEADER, Integer.toString(status),
                "Connection", "close");
        byte[] head = new ResponseHead("HTTP/1.1", status, reason(), headers).toBytes();
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        out.write(all);
        out.flush();
    }

    /** @return the plain-text page */
    String text() {
        return status + " " + reason() + "\n"
                + problem + "\n"
                + (host.isEmpty() ? "" : "host: " + host + "\n")
                + "\n" + advice + "\n-- lrok relay\n";
    }

    /** @return the HTML page */
    String html() {
        String title = status + " " + reason();
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
                + "</title></head>\n<body style=\"font-family:sans-serif;max-width:40em;margin:3em auto\">\n"
                + "<h1>" + escape(title) + "</h1>\n"
                + "<p><strong>" + escape(problem) + "</strong></p>\n"
                + (host.isEmpty() ? "" : "<p>Host: <code>" + escape(host) + "</code></p>\n")
                + "<p>" + escape(advice) + "</p>\n"
                + "<hr><p><small>lrok relay</small></p>\n</body></html>\n";
    }

    /** @param accept the request's Accept header, may be null @return whether the client wants HTML */
    static boolean wantsHtml(String accept) {
        return accept != null && accept.contains("text/html");
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
