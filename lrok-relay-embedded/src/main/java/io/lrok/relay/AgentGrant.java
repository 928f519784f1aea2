package io.lrok.relay;

import io.lrok.internal.wire.Names;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What a token grants an agent: the account it acts for, the subdomains reserved for that account, and the
 * account's limits. A {@link TokenVerifier} answers a valid token with one. Immutable.
 *
 * <p>The relay names the account in its logs (never the token), counts sessions per account, and lets only a
 * session of the account bind a reserved subdomain; every other session gets {@code subdomain_reserved}, also
 * while the account has no session at all (the relay asks {@link TokenVerifier#reservedBy(String)} for that).
 *
 * @param account            the account's name, for logs and for telling whose a reserved name is: 1 to
 *                           {@value #MAX_ACCOUNT_LENGTH} characters {@code A-Z a-z 0-9 . _ @ -}, starting with a
 *                           letter or digit
 * @param reservedSubdomains the subdomains only this account may bind; each a valid subdomain (one lowercase DNS
 *                           label)
 * @param limits             the account's limits; a zero value means the relay's default
 */
public record AgentGrant(String account, Set<String> reservedSubdomains, Limits limits) {

    /** The longest account name. */
    public static final int MAX_ACCOUNT_LENGTH = 64;
    private static final Pattern ACCOUNT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0," + (MAX_ACCOUNT_LENGTH - 1)
            + "}");

    /**
     * Checks the values and copies the names (sorted, for readable logs and equality).
     *
     * @throws IllegalArgumentException if the account name or a subdomain is not valid
     */
    public AgentGrant {
        if (!isValidAccount(account)) {
            throw new IllegalArgumentException("an account name is 1 to " + MAX_ACCOUNT_LENGTH
                    + " characters A-Z a-z 0-9 . _ @ -, starting with a letter or digit: " + account);
        }
        Set<String> names = new TreeSet<>();
        for (String name : Objects.requireNonNull(reservedSubdomains, "reservedSubdomains")) {
            if (!Names.isValidSubdomain(name)) {
                throw new IllegalArgumentException("not a valid subdomain (one lowercase DNS label): " + name);
            }
            names.add(name);
        }
        reservedSubdomains = java.util.Collections.unmodifiableSet(names);
        Objects.requireNonNull(limits, "limits");
    }

    /**
     * An account with no reserved subdomains and the relay's default limits.
     *
     * @param account the account's name
     * @return the grant
     * @throws IllegalArgumentException if the name is not valid
     */
    public static AgentGrant of(String account) {
        return new AgentGrant(account, Set.of(), Limits.RELAY_DEFAULTS);
    }

    /**
     * Changes the reserved subdomains.
     *
     * @param names the subdomains only this account may bind
     * @return a copy with them
     */
    public AgentGrant withReservedSubdomains(String... names) {
        return new AgentGrant(account, Set.copyOf(java.util.List.of(names)), limits);
    }

    /**
     * Changes the limits.
     *
     * @param value the account's limits
     * @return a copy with them
     */
    public AgentGrant withLimits(Limits value) {
        return new AgentGrant(account, reservedSubdomains, value);
    }

    /**
     * Whether a text is a valid account name.
     *
     * @param account the text, may be null
     * @return whether it is 1 to {@value #MAX_ACCOUNT_LENGTH} characters {@code A-Z a-z 0-9 . _ @ -}, starting with a
     *         letter or digit
     */
    public static boolean isValidAccount(String account) {
        return account != null && ACCOUNT.matcher(account).matches();
    }

    /**
     * An account's limits, each overriding the relay's default ({@link RelayLimits}) for this account; zero keeps the
     * relay's default. Immutable.
     *
     * @param maxSessions          agent sessions the account holds at once; a hello beyond it is answered
     *                             {@code limit_reached}. Default {@link RelayLimits#maxSessionsPerAccount()}
     * @param maxTunnelsPerSession tunnels one session of the account holds; a bind beyond it is answered
     *                             {@code limit_reached}. Default {@link RelayLimits#maxTunnelsPerSession()}
     * @param maxStreamsPerSession public exchanges (HTTP requests in progress, TCP connections) one session of the
     *                             account carries at once; an HTTP request beyond it gets a 503 page, a TCP
     *                             connection is reset. Default {@link RelayLimits#maxStreamsPerSession()}
     */
    public record Limits(int maxSessions, int maxTunnelsPerSession, int maxStreamsPerSession) {

        /** Every limit the relay's default. */
        public static final Limits RELAY_DEFAULTS = new Limits(0, 0, 0);

        /**
         * Checks the values.
         *
         * @throws IllegalArgumentException if one is negative
         */
        public Limits {
            requireNotNegative("maxSessions", maxSessions);
            requireNotNegative("maxTunnelsPerSession", maxTunnelsPerSession);
            requireNotNegative("maxStreamsPerSession", maxStreamsPerSession);
        }

        /**
         * Changes one limit.
         *
         * @param value sessions the account holds at once; 0 for the relay's default
         * @return a copy with it
         */
        public Limits withMaxSessions(int value) {
            return new Limits(value, maxTunnelsPerSession, maxStreamsPerSession);
        }

        /**
         * Changes one limit.
         *
         * @param value tunnels per session; 0 for the relay's default
         * @return a copy with it
         */
        public Limits withMaxTunnelsPerSession(int value) {
            return new Limits(maxSessions, value, maxStreamsPerSession);
        }

        /**
         * Changes one limit.
         *
         * @param value exchanges in progress per session; 0 for the relay's default
         * @return a copy with it
         */
        public Limits withMaxStreamsPerSession(int value) {
            return new Limits(maxSessions, maxTunnelsPerSession, value);
        }

        private static void requireNotNegative(String name, int value) {
            if (value < 0) throw new IllegalArgumentException(name + " must not be negative (0: the relay's default): "
                    + value);
        }
    }
}
