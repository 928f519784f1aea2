package io.lrok.relay;

import io.lrok.internal.relay.TokenTable;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * Decides which agents a relay accepts, and what each may do: give one to
 * {@link EmbeddedRelay.Builder#tokenVerifier(TokenVerifier)} to check tokens against your own store. The relay calls
 * {@link #verify} once per hello (and again for every live session when told to, see
 * {@link EmbeddedRelay#recheckTokens()}), and {@link #reservedBy} on every bind that names a subdomain and for every
 * random name it considers, on the session's thread: both must be fast (an in-memory lookup; cache what lives in a
 * database) and thread-safe, and must not log the token.
 *
 * <p>The two must agree: {@code reservedBy(name)} returns the account of the grant whose
 * {@link AgentGrant#reservedSubdomains()} hold {@code name}. It exists so that a name stays its account's while that
 * account has no agent connected.
 *
 * <pre>{@code
 * TokenVerifier verifier = TokenVerifier.of(Map.of(
 *         System.getenv("ALICE_TOKEN"), AgentGrant.of("alice").withReservedSubdomains("alice", "alice-api"),
 *         System.getenv("CI_TOKEN"), AgentGrant.of("ci").withLimits(AgentGrant.Limits.RELAY_DEFAULTS.withMaxSessions(20))));
 * EmbeddedRelay relay = EmbeddedRelay.builder().tokenVerifier(verifier).start();
 * }</pre>
 */
public interface TokenVerifier {

    /**
     * Checks a token.
     *
     * @param token the token an agent presented in its hello; null when it presented none
     * @return what the token grants, or empty to refuse the agent ({@code unauthorized})
     */
    Optional<AgentGrant> verify(String token);

    /**
     * Tells whose a subdomain is.
     *
     * @param subdomain a valid subdomain
     * @return the account the name is reserved for, or empty when it is free for anyone
     */
    Optional<String> reservedBy(String subdomain);

    /**
     * A verifier that accepts every agent, with or without a token, as the account {@code anonymous}, without a
     * limit of sessions for it (the relay's {@link RelayLimits#maxSessions()} still applies) and with no reserved
     * names: what a relay without tokens does.
     *
     * @return the verifier
     */
    static TokenVerifier anyAgent() {
        return TokenTable.ANY_AGENT;
    }

    /**
     * A verifier that accepts these tokens. Each token is its own account, named {@code token-} and eight hex
     * digits of a keyed hash of the token (a different key in every JVM, so the name tells nothing about the
     * token), with no reserved names and the relay's default limits. Tokens are kept as SHA-256 digests and
     * compared in constant time.
     *
     * @param tokens the accepted tokens, none blank
     * @return the verifier
     * @throws IllegalArgumentException if a token is blank, or the collection is empty
     */
    static TokenVerifier of(Collection<String> tokens) {
        return TokenTable.anonymous(tokens);
    }

    /**
     * A verifier that accepts these tokens, each granting what it maps to. Tokens are kept as SHA-256 digests and
     * compared in constant time; {@link #reservedBy} answers from the grants' reserved subdomains.
     *
     * @param grants what each token grants
     * @return the verifier
     * @throws IllegalArgumentException if a token is blank, the map is empty, or two accounts reserve one name
     */
    static TokenVerifier of(Map<String, AgentGrant> grants) {
        return TokenTable.of(grants);
    }
}
