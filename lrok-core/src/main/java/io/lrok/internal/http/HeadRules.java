package io.lrok.internal.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The checks on a head's fields that decide its framing and routing: Host, Content-Length, Transfer-Encoding.
 * Pure. List-valued fields are read across all their lines, as if joined with commas (RFC 9110 §5.3).
 */
final class HeadRules {
    static final String HOST = "Host";
    static final String CONTENT_LENGTH = "Content-Length";
    static final String TRANSFER_ENCODING = "Transfer-Encoding";
    static final String CONNECTION = "Connection";
    static final String UPGRADE = "Upgrade";
    static final String CHUNKED = "chunked";

    /** The transfer codings of the HTTP registry that may come before chunked; anything else is 501. */
    private static final Set<String> KNOWN_CODINGS = Set.of("gzip", "x-gzip", "deflate", "compress", "x-compress");

    private HeadRules() {
    }

    /** Host rules of RFC 9112 §3.2 and the framing rules of {@link BodyFraming#forRequest}. */
    static void checkRequest(RequestHead head) throws HttpException {
        int hosts = head.headers().count(HOST);
        if (hosts > 1) throw HttpException.badRequest("more than one Host field");
        if (hosts == 0 && head.version().equals(RequestHead.HTTP_1_1)) {
            throw HttpException.badRequest("HTTP/1.1 request without a Host field");
        }
        if (hosts == 1 && !isHostValue(head.headers().get(HOST))) {
            throw HttpException.badRequest("the Host field is not a host and optional port");
        }
        BodyFraming.forRequest(head);
    }

    /**
     * RFC 9110 §7.2: {@code Host = uri-host [ ":" port ]}, or empty. A uri-host is an IP literal in brackets, or a
     * reg-name (an IPv4 address is one too): unreserved characters, percent-encodings and sub-delims. A list, a
     * space, a path or userinfo is not a host, and a request naming one is refused rather than routed by a guess.
     */
    static boolean isHostValue(String value) {
        if (value.isEmpty()) return true;
        int end = value.length();
        int colon = value.lastIndexOf(':');
        if (colon >= 0 && value.indexOf(']', colon) < 0) { // a port, not a colon inside an IP literal
            for (int i = colon + 1; i < end; i++) {
                if (value.charAt(i) < '0' || value.charAt(i) > '9') return false;
            }
            end = colon;
        }
        if (end > 0 && value.charAt(0) == '[') {
            if (value.charAt(end - 1) != ']' || end < 3) return false;
            for (int i = 1; i < end - 1; i++) {
                char c = value.charAt(i);
                if (!(isAlphaNumeric(c) || c == ':' || c == '.' || c == '%' || c == '_' || c == '-' || c == '~')) return false;
            }
            return true;
        }
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            if (c == '%') {
                if (i + 2 >= end || Syntax.hexValue(value.charAt(i + 1)) < 0 || Syntax.hexValue(value.charAt(i + 2)) < 0) {
                    return false;
                }
                i += 2;
            } else if (!(isAlphaNumeric(c) || "-._~!$&'()*+,;=".indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlphaNumeric(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /**
     * @return the Content-Length, or -1 if absent
     * @throws HttpException with {@code status} if a value is not a decimal number below 2^63, or values differ
     */
    static long contentLength(HttpHeaders headers, int status) throws HttpException {
        // The common case, one field with one plain value, without splitting it into a list first.
        int at = -1;
        for (int i = 0; i < headers.size(); i++) {
            if (!HttpHeaders.sameName(headers.name(i), CONTENT_LENGTH)) continue;
            if (at >= 0) {
                at = -2; // more than one: the general path below
                break;
            }
            at = i;
        }
        if (at == -1) return -1;
        if (at >= 0) {
            String value = headers.value(at);
            if (!value.isEmpty() && value.indexOf(',') < 0 && !Syntax.isWhitespace(value.charAt(0))
                    && !Syntax.isWhitespace(value.charAt(value.length() - 1))) {
                return parseDecimal(value, status);
            }
        }
        long length = -1;
        for (String element : elements(headers, CONTENT_LENGTH, status)) {
            long value = parseDecimal(element, status);
            if (length >= 0 && value != length) {
                throw new HttpException(status, "differing Content-Length values: " + length + " and " + value);
            }
            length = value;
        }
        return length;
    }

    /** A request's Transfer-Encoding must end in chunked (400), have it only once (400), others known (501). */
    static void checkRequestCodings(HttpHeaders headers) throws HttpException {
        List<String> codings = elements(headers, TRANSFER_ENCODING, HttpException.BAD_REQUEST);
        if (!endsInChunked(codings, HttpException.BAD_REQUEST)) {
            throw HttpException.badRequest("Transfer-Encoding of a request must end in chunked: " + codings);
        }
        for (String coding : codings.subList(0, codings.size() - 1)) {
            if (!KNOWN_CODINGS.contains(coding.toLowerCase(Locale.ROOT))) {
                throw new HttpException(HttpException.NOT_IMPLEMENTED, "unknown transfer coding: " + coding);
            }
        }
    }

    /** @return whether the last transfer coding is chunked; chunked elsewhere is an error with {@code status} */
    static boolean endsInChunked(HttpHeaders headers, int status) throws HttpException {
        return endsInChunked(elements(headers, TRANSFER_ENCODING, status), status);
    }

    private static boolean endsInChunked(List<String> codings, int status) throws HttpException {
        int chunked = 0;
        for (String coding : codings) {
            if (!Syntax.isToken(coding)) throw new HttpException(status, "malformed transfer coding: " + coding);
            if (coding.equalsIgnoreCase(CHUNKED)) chunked++;
        }
        boolean last = codings.get(codings.size() - 1).equalsIgnoreCase(CHUNKED);
        if (chunked > 1 || (chunked == 1 && !last)) {
            throw new HttpException(status, "chunked must be the last transfer coding, and only once: " + codings);
        }
        return last;
    }

    /** The comma-separated elements of every line of a field, OWS removed; none may be empty. */
    private static List<String> elements(HttpHeaders headers, String name, int status) throws HttpException {
        List<String> elements = new ArrayList<>(1);
        for (int i = 0; i < headers.size(); i++) {
            if (!HttpHeaders.sameName(headers.name(i), name)) continue;
            String value = headers.value(i);
            for (String element : value.split(",", -1)) {
                String trimmed = trimWhitespace(element);
                if (trimmed.isEmpty()) {
                    throw new HttpException(status, "empty element in " + name + ": " + value);
                }
                elements.add(trimmed);
            }
        }
        return elements;
    }

    private static long parseDecimal(String s, int status) throws HttpException {
        long value = 0;
        for (int i = 0; i < s.length(); i++) {
            int digit = s.charAt(i) - '0';
            if (digit < 0 || digit > 9) throw new HttpException(status, "Content-Length is not a number: " + s);
            if (value > (Long.MAX_VALUE - digit) / 10) {
                throw new HttpException(status, "Content-Length too large: " + s);
            }
            value = value * 10 + digit;
        }
        return value;
    }

    private static String trimWhitespace(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && Syntax.isWhitespace(s.charAt(start))) start++;
        while (end > start && Syntax.isWhitespace(s.charAt(end - 1))) end--;
        return s.substring(start, end);
    }
}
