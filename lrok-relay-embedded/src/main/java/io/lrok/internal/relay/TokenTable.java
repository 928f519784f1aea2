package io.lrok.internal.relay;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.lrok.internal.wire.Names;
import io.lrok.relay.AgentGrant;
import io.lrok.relay.TokenVerifier;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A fixed set of tokens and what each grants: the verifier behind {@code authTokens(...)},
 * {@code TokenVerifier.of(...)} and one version of a token file. Tokens are kept only as SHA-256 digests; a token is
 * compared against every digest, whatever matched, in constant time each, so that the time taken tells nothing about
 * the tokens. Nothing here logs a token or puts one in an exception message. Immutable.
 *
 * <p>The token file's format (docs/relay.md, "Tokens"): one token a line, optionally followed by
 * {@code key=value} fields separated by white space; blank lines and lines starting with {@code #} are ignored, and a
 * field starting with {@code #} starts a comment to the end of the line:
 *
 * <pre>
 * # token                                  account and what it may do
 * 3J9xQ0bqk7VfTjW2                                                      # a bare token: an anonymous account
 * p7Ls2d9KfQ1xZ0aR  account=alice  reserve=alice,alice-api  sessions=2 tunnels=10 streams=200
 * </pre>
 */
public final class TokenTable implements TokenVerifier {

    /** The account of every agent of a relay that needs no token. */
    public static final String ANONYMOUS = "anonymous";
    /** The prefix of the account name of a token given without one: {@code token-1a2b3c4d}. */
    static final String ANONYMOUS_TOKEN_PREFIX = "token-";
    /** Bytes of the keyed hash in an anonymous token's account name (8 hex digits). */
    static final int ANONYMOUS_NAME_BYTES = 4;

    /** The token file's keys. */
    static final String ACCOUNT = "account";
    static final String RESERVE = "reserve";
    static final String SESSIONS = "sessions";
    static final String TUNNELS = "tunnels";
    static final String STREAMS = "streams";
    private static final List<String> KEYS = List.of(ACCOUNT, RESERVE, SESSIONS, TUNNELS, STREAMS);

    /** Accepts everyone, as one account without a session limit of its own. */
    public static final TokenVerifier ANY_AGENT = new TokenVerifier() {
        private final Optional<AgentGrant> grant = Optional.of(new AgentGrant(ANONYMOUS, Set.of(),
                new AgentGrant.Limits(Integer.MAX_VALUE, 0, 0)));

        @Override
        public Optional<AgentGrant> verify(String token) {
            return grant;
        }

        @Override
        public Optional<String> reservedBy(String subdomain) {
            return Optional.empty();
        }

        @Override
        public String toString() {
            return "any agent";
        }
    };

    /** Keys the hash that names anonymous tokens' accounts; new in every JVM, never shown. */
    private static final byte[] NAME_KEY = new byte[32];

    static {
        new SecureRandom().nextBytes(NAME_KEY);
    }

    private record Entry(byte[] digest, AgentGrant grant) {
    }

    private final List<Entry> entries;
    /** Reserved subdomain → the account it is reserved for. */
    private final Map<String, String> owners;

    private TokenTable(List<Entry> entries, Map<String, String> owners) {
        this.entries = List.copyOf(entries);
        this.owners = Map.copyOf(owners);
    }

    /**
     * A table of tokens with their grants.
     *
     * @param grants what each token grants
     * @return the table
     * @throws IllegalArgumentException if a token is blank, there is none, or two accounts reserve one name
     */
    public static TokenTable of(Map<String, AgentGrant> grants) {
        if (grants.isEmpty()) throw new IllegalArgumentException("no token given");
        List<Entry> entries = new ArrayList<>();
        Map<String, String> owners = new HashMap<>();
        for (Map.Entry<String, AgentGrant> e : grants.entrySet()) {
            AgentGrant grant = e.getValue();
            entries.add(new Entry(digest(checkToken(e.getKey())), grant));
            for (String name : grant.reservedSubdomains()) {
                String other = owners.putIfAbsent(name, grant.account());
                if (other != null && !other.equals(grant.account())) {
                    throw new IllegalArgumentException("the subdomain " + name + " is reserved by both " + other
                            + " and " + grant.account());
                }
            }
        }
        return new TokenTable(entries, owners);
    }

    /**
     * A table of tokens, each its own account, named by a keyed hash of the token.
     *
     * @param tokens the accepted tokens, each its own anonymous account
     * @return the table
     * @throws IllegalArgumentException if a token is blank, or there is none
     */
    public static TokenTable anonymous(Collection<String> tokens) {
        if (tokens.isEmpty()) throw new IllegalArgumentException("no token given");
        List<Entry> entries = new ArrayList<>();
        for (String token : tokens) {
            entries.add(new Entry(digest(checkToken(token)), AgentGrant.of(anonymousAccount(token))));
        }
        return new TokenTable(entries, Map.of());
    }

    @Override
    public Optional<AgentGrant> verify(String token) {
        if (token == null) return Optional.empty();
        byte[] presented = digest(token);
        AgentGrant found = null;
        for (Entry e : entries) {
            boolean equal = MessageDigest.isEqual(e.digest(), presented); // every entry, whatever matched
            if (equal) found = e.grant();
        }
        return Optional.ofNullable(found);
    }

    @Override
    public Optional<String> reservedBy(String subdomain) {
        return Optional.ofNullable(owners.get(subdomain));
    }

    /**
     * Returns the number of tokens.
     *
     * @return the number of tokens
     */
    public int size() {
        return entries.size();
    }

    /**
     * Returns the accounts, for logs.
     *
     * @return the accounts, in the order of their tokens
     */
    public Set<String> accounts() {
        Set<String> accounts = new LinkedHashSet<>();
        for (Entry e : entries) accounts.add(e.grant().account());
        return accounts;
    }

    @Override
    public String toString() {
        return entries.size() + " tokens";
    }

    /**
     * A token file's content, parsed.
     *
     * @param table      its tokens
     * @param firstToken the first token, which an {@code EmbeddedRelay} hands the agents it configures
     */
    public record Parsed(TokenTable table, String firstToken) {
        @Override
        public String toString() {
            return "Parsed[" + table + "]"; // never the token
        }
    }

    /**
     * Parses a token file (the format above). Error messages name the line and the field's key, never a field's
     * text: a token with a space in it must not reach a log.
     *
     * @param lines the file's lines
     * @return the tokens
     * @throws IllegalArgumentException if a line is malformed, a token, an account or a reserved name appears twice,
     *                                  or the file holds no token
     */
    public static Parsed parse(List<String> lines) {
        List<Entry> entries = new ArrayList<>();
        Map<String, String> owners = new HashMap<>();
        Map<String, Integer> accountLines = new HashMap<>();
        Map<String, Integer> ownerLines = new HashMap<>();
        List<Integer> tokenLines = new ArrayList<>();
        String first = null;
        for (int i = 0; i < lines.size(); i++) {
            int lineNo = i + 1;
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] fields = line.split("\\s+");
            String token = fields[0];
            Map<String, String> values = new HashMap<>();
            for (int f = 1; f < fields.length; f++) {
                String field = fields[f];
                if (field.startsWith("#")) break;
                int eq = field.indexOf('=');
                String key = eq < 0 ? null : field.substring(0, eq);
                if (key == null || !KEYS.contains(key)) {
                    throw new IllegalArgumentException("line " + lineNo + ": field " + (f + 1) + " is not one of "
                            + String.join("=, ", KEYS) + "= (a token has no white space in it)");
                }
                if (values.put(key, field.substring(eq + 1)) != null) {
                    throw new IllegalArgumentException("line " + lineNo + ": " + key + "= given twice");
                }
            }
            byte[] digest = digest(token);
            for (int e = 0; e < entries.size(); e++) {
                if (MessageDigest.isEqual(entries.get(e).digest(), digest)) {
                    throw new IllegalArgumentException("line " + lineNo + ": the same token as line "
                            + tokenLines.get(e));
                }
            }
            AgentGrant grant = grant(lineNo, token, values);
            Integer before = accountLines.putIfAbsent(grant.account(), lineNo);
            if (before != null) {
                throw new IllegalArgumentException("line " + lineNo + ": account " + grant.account()
                        + " is on line " + before + " too; give each account one token");
            }
            for (String name : grant.reservedSubdomains()) {
                String other = owners.putIfAbsent(name, grant.account());
                if (other != null) {
                    throw new IllegalArgumentException("line " + lineNo + ": the subdomain " + name
                            + " is reserved by account " + other + " on line " + ownerLines.get(name) + " already");
                }
                ownerLines.put(name, lineNo);
            }
            entries.add(new Entry(digest, grant));
            tokenLines.add(lineNo);
            if (first == null) first = token;
        }
        if (entries.isEmpty()) throw new IllegalArgumentException("it holds no token");
        return new Parsed(new TokenTable(entries, owners), first);
    }

    private static AgentGrant grant(int lineNo, String token, Map<String, String> values) {
        String account = values.get(ACCOUNT);
        if (account == null) {
            account = anonymousAccount(token);
        } else if (!AgentGrant.isValidAccount(account)) {
            throw new IllegalArgumentException("line " + lineNo + ": account= takes 1 to "
                    + AgentGrant.MAX_ACCOUNT_LENGTH + " characters A-Z a-z 0-9 . _ @ -, starting with a letter or"
                    + " digit");
        }
        Set<String> reserved = new LinkedHashSet<>();
        String names = values.get(RESERVE);
        if (names != null) {
            for (String name : names.split(",", -1)) {
                if (!Names.isValidSubdomain(name)) {
                    throw new IllegalArgumentException("line " + lineNo + ": reserve= takes subdomains separated by"
                            + " commas, each one DNS label of a-z, 0-9 and -; name " + (reserved.size() + 1)
                            + " of the list is not one");
                }
                reserved.add(name);
            }
        }
        AgentGrant.Limits limits = new AgentGrant.Limits(number(lineNo, values, SESSIONS),
                number(lineNo, values, TUNNELS), number(lineNo, values, STREAMS));
        return new AgentGrant(account, reserved, limits);
    }

    /** @return the value of a count, or 0 (the relay's default) when absent */
    private static int number(int lineNo, Map<String, String> values, String key) {
        String value = values.get(key);
        if (value == null) return 0;
        try {
            int n = Integer.parseInt(value);
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("line " + lineNo + ": " + key + "= takes a whole number, 1 or more");
    }

    /** @return the account name of a token given without one: a keyed hash, so it says nothing about the token */
    static String anonymousAccount(String token) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(NAME_KEY, "HmacSHA256"));
            byte[] h = mac.doFinal(token.getBytes(UTF_8));
            return ANONYMOUS_TOKEN_PREFIX + HexFormat.of().formatHex(h, 0, ANONYMOUS_NAME_BYTES);
        } catch (GeneralSecurityException e) {
            throw new AssertionError("every JDK has HmacSHA256", e);
        }
    }

    private static String checkToken(String token) {
        if (token == null || token.isBlank()) throw new IllegalArgumentException("blank token");
        return token;
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
