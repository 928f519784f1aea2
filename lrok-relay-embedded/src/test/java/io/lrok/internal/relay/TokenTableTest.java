package io.lrok.internal.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.relay.AgentGrant;
import io.lrok.relay.TokenVerifier;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The token file's format, and the verifiers made from a fixed set of tokens. */
@Timeout(10)
class TokenTableTest {

    @Test
    void theOldFormatStillParses() {
        TokenTable.Parsed parsed = TokenTable.parse(List.of("# agents", "", "  first-token  ", "second", "# old"));
        assertThat(parsed.firstToken()).isEqualTo("first-token");
        TokenTable table = parsed.table();
        assertThat(table.size()).isEqualTo(2);
        AgentGrant first = table.verify("first-token").orElseThrow();
        assertThat(first.account()).matches("token-[0-9a-f]{8}").doesNotContain("first");
        assertThat(first.reservedSubdomains()).isEmpty();
        assertThat(first.limits()).isEqualTo(AgentGrant.Limits.RELAY_DEFAULTS);
        assertThat(table.verify("second").orElseThrow().account()).isNotEqualTo(first.account());
        assertThat(table.verify("first-token").orElseThrow()).as("the same name on every look-up").isEqualTo(first);
        assertThat(table.verify("# old")).isEmpty();
        assertThat(table.verify(null)).isEmpty();
        assertThat(table.verify("first-toke")).isEmpty();
    }

    @Test
    void fieldsNameTheAccountItsNamesAndLimits() {
        TokenTable table = TokenTable.parse(List.of(
                "p7Ls2d9KfQ1x=  account=alice  reserve=alice,alice-api  sessions=2 tunnels=10 streams=200 # laptop",
                "\tci-token\taccount=ci@build.example   streams=5")).table();
        assertThat(table.verify("p7Ls2d9KfQ1x=")).contains(new AgentGrant("alice", Set.of("alice", "alice-api"),
                new AgentGrant.Limits(2, 10, 200)));
        assertThat(table.verify("ci-token")).contains(new AgentGrant("ci@build.example", Set.of(),
                new AgentGrant.Limits(0, 0, 5)));
        assertThat(table.reservedBy("alice-api")).contains("alice");
        assertThat(table.reservedBy("alice")).contains("alice");
        assertThat(table.reservedBy("bob")).isEmpty();
        assertThat(table.accounts()).containsExactly("alice", "ci@build.example");
    }

    @Test
    void mistakesNameTheLineAndNeverTheToken() {
        assertError(List.of("ok", "s3cret-one s3cret-two"), "line 2: field 2 is not one of account=");
        assertError(List.of("s3cret unknown=1"), "line 1: field 2 is not one of");
        assertError(List.of("s3cret account=a account=b"), "line 1: account= given twice");
        assertError(List.of("s3cret account=-bad"), "line 1: account= takes");
        assertError(List.of("s3cret reserve=ok,Not_Ok"), "line 1: reserve= takes subdomains");
        assertError(List.of("s3cret reserve="), "line 1: reserve= takes subdomains");
        assertError(List.of("s3cret sessions=0"), "line 1: sessions= takes a whole number, 1 or more");
        assertError(List.of("s3cret tunnels=many"), "line 1: tunnels= takes a whole number");
        assertError(List.of("s3cret account=a", "#", "s3cret account=b"), "line 3: the same token as line 1");
        assertError(List.of("s3cret account=a", "other account=a"), "line 2: account a is on line 1 too");
        assertError(List.of("s3cret account=a reserve=x", "other account=b reserve=y,x"),
                "line 2: the subdomain x is reserved by account a on line 1 already");
        assertError(List.of("# nothing", ""), "it holds no token");
    }

    private static void assertError(List<String> lines, String message) {
        assertThatThrownBy(() -> TokenTable.parse(lines)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret", "Not_Ok", "other", "many"));
    }

    @Test
    void verifiersFromCode() {
        TokenVerifier tokens = TokenVerifier.of(List.of("one", "two"));
        assertThat(tokens.verify("one")).isPresent();
        assertThat(tokens.verify("three")).isEmpty();
        assertThat(tokens.reservedBy("anything")).isEmpty();

        TokenVerifier grants = TokenVerifier.of(Map.of("t-a", AgentGrant.of("a").withReservedSubdomains("app"),
                "t-b", AgentGrant.of("b")));
        assertThat(grants.verify("t-a").orElseThrow().account()).isEqualTo("a");
        assertThat(grants.reservedBy("app")).contains("a");
        assertThatThrownBy(() -> TokenVerifier.of(Map.of("t-a", AgentGrant.of("a").withReservedSubdomains("app"),
                "t-b", AgentGrant.of("b").withReservedSubdomains("app")))).hasMessageContaining("reserved by both");
        assertThatThrownBy(() -> TokenVerifier.of(List.of(" "))).isInstanceOf(IllegalArgumentException.class);

        TokenVerifier any = TokenVerifier.anyAgent();
        assertThat(any.verify(null).orElseThrow().account()).isEqualTo(TokenTable.ANONYMOUS);
        assertThat(any.verify("x")).isPresent();
    }

    @Test
    void grantsCheckTheirValues() {
        assertThatThrownBy(() -> AgentGrant.of("has space")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AgentGrant.of("x".repeat(65))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AgentGrant.of("a").withReservedSubdomains("UPPER"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AgentGrant.Limits(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        AgentGrant grant = AgentGrant.of("a").withReservedSubdomains("b", "a", "b")
                .withLimits(AgentGrant.Limits.RELAY_DEFAULTS.withMaxSessions(1).withMaxTunnelsPerSession(2)
                        .withMaxStreamsPerSession(3));
        assertThat(grant.reservedSubdomains()).containsExactly("a", "b");
        assertThat(grant.limits()).isEqualTo(new AgentGrant.Limits(1, 2, 3));
        assertThatThrownBy(() -> grant.reservedSubdomains().add("c")).isInstanceOf(UnsupportedOperationException.class);
    }
}
