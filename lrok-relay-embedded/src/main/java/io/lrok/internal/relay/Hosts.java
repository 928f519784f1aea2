package io.lrok.internal.relay;

import io.lrok.internal.wire.Names;
import java.util.Locale;

/**
 * Host names as the edge routes by them: a Host header is compared case-insensitively, without its port and
 * without a trailing dot ({@code Violet-Mole.Example.COM.:8080} is {@code violet-mole.example.com}). Pure.
 */
final class Hosts {

    private Hosts() {
    }

    /**
     * @param host a Host header value or the authority of a request target
     * @return the host in lowercase without port and trailing dot; an IPv6 literal keeps its brackets; empty for
     *         an empty value
     */
    static String normalize(String host) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close < 0 ? h : h.substring(0, close + 1);
        }
        int colon = h.lastIndexOf(':');
        if (colon >= 0 && isDigits(h, colon + 1)) h = h.substring(0, colon);
        if (h.endsWith(".")) h = h.substring(0, h.length() - 1);
        return h;
    }

    /**
     * The subdomain a host names under a domain: {@code violet-mole} for {@code violet-mole.example.com} under
     * {@code example.com}. Only one level: {@code a.b.example.com} names none.
     *
     * @param host   a Host header value, as sent
     * @param domain the domain, lowercase, without a trailing dot
     * @return the subdomain, a valid one ({@link Names#isValidSubdomain}), or null if the host is not of that form
     */
    static String subdomain(String host, String domain) {
        String h = normalize(host);
        if (h.length() <= domain.length() + 1 || !h.endsWith(domain)) return null;
        int dot = h.length() - domain.length() - 1;
        if (h.charAt(dot) != '.') return null;
        String label = h.substring(0, dot);
        return Names.isValidSubdomain(label) ? label : null;
    }

    /**
     * @param domain a domain as configured
     * @return it checked and normalized: lowercase, no trailing dot
     * @throws IllegalArgumentException if it is not a dotted sequence of DNS labels
     */
    static String checkDomain(String domain) {
        String d = domain.strip().toLowerCase(Locale.ROOT);
        if (d.endsWith(".")) d = d.substring(0, d.length() - 1);
        if (d.isEmpty() || d.length() > 253) throw new IllegalArgumentException("not a domain: \"" + domain + "\"");
        for (String label : d.split("\\.", -1)) {
            if (!label.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
                throw new IllegalArgumentException("not a domain: \"" + domain + "\" (bad label \"" + label + "\")");
            }
        }
        return d;
    }

    private static boolean isDigits(String s, int from) {
        if (from >= s.length()) return false;
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        }
        return true;
    }
}
