package io.lrok.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lrok.http.HttpLimits;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpHeadersTest {
    private final HttpHeaders headers = HttpHeaders.of("Host", "a", "Accept", "text/html", "accept", "*/*");

    @Test
    void looksUpIgnoringCaseAndKeepsOrder() {
        assertThat(headers.get("ACCEPT")).isEqualTo("text/html");
        assertThat(headers.all("Accept")).containsExactly("text/html", "*/*");
        assertThat(headers.all("missing")).isEmpty();
        assertThat(headers.get("missing")).isNull();
        assertThat(headers.contains("host")).isTrue();
        assertThat(headers.count("accept")).isEqualTo(2);
        List<String> names = new ArrayList<>();
        headers.forEach(f -> names.add(f.name()));
        assertThat(names).containsExactly("Host", "Accept", "accept");
    }

    @Test
    void copiesOnChange() {
        HttpHeaders more = headers.with("X-Forwarded-For", "10.0.0.1");
        assertThat(more.size()).isEqualTo(4);
        assertThat(headers.size()).isEqualTo(3);
        HttpHeaders fewer = headers.without("accept");
        assertThat(fewer).isEqualTo(HttpHeaders.of("Host", "a"));
        assertThat(headers.without("nothing")).isSameAs(headers);
        HttpHeaders set = headers.set("ACCEPT", "x");
        assertThat(set).isEqualTo(HttpHeaders.of("Host", "a", "ACCEPT", "x"));
        assertThat(headers.set("New", "n").name(3)).isEqualTo("New");
    }

    @Test
    void findsTokensInLists() {
        HttpHeaders h = HttpHeaders.of("Connection", "keep-alive , Upgrade", "connection", "foo");
        assertThat(h.containsToken("connection", "upgrade")).isTrue();
        assertThat(h.containsToken("Connection", "foo")).isTrue();
        assertThat(h.containsToken("Connection", "close")).isFalse();
    }

    @Test
    void refusesWhatCouldSplitAHead() {
        assertThatThrownBy(() -> headers.with("X", "a\r\nInjected: 1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> headers.with("X", "a\u0000")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> headers.with("X Y", "a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> headers.with("X", "\u20ac")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpHeaders.of("odd")).isInstanceOf(IllegalArgumentException.class);
        assertThat(headers.with("X", "tab\there").get("x")).isEqualTo("tab\there");
    }

    @Test
    void hidesCredentialsInToString() {
        HttpHeaders h = HttpHeaders.of("Host", "a", "Authorization", "Bearer secret", "Cookie", "s=1");
        assertThat(h.toString()).isEqualTo("[Host: a, Authorization: <redacted>, Cookie: <redacted>]");
    }

    @Test
    void matchesNamesIgnoringAsciiCaseOnly() {
        assertThat(HttpHeaders.sameName("Content-Length", "content-LENGTH")).isTrue();
        assertThat(HttpHeaders.sameName("Host", "Hos")).isFalse();
        assertThat(HttpHeaders.sameName("X-[", "x-{")).isFalse(); // 0x5B and 0x7B differ by the case bit only
        assertThat(HttpHeaders.sameName("X-@", "x-`")).isFalse();
        // outside ASCII (no field name is) it answers as String.equalsIgnoreCase does
        for (String[] pair : new String[][] {{"\u00c0", "\u00e0"}, {"\u00c0", "`"}, {"\u212a", "k"}, {"\u00ff", "\u00df"}}) {
            assertThat(HttpHeaders.sameName(pair[0], pair[1])).as(pair[0] + " " + pair[1])
                    .isEqualTo(pair[0].equalsIgnoreCase(pair[1]));
        }
    }

    @Test
    void findsTokensWithWhitespaceAndEmptyElements() {
        HttpHeaders h = HttpHeaders.of("Connection", "\t Keep-Alive\t,, x ,", "X", "close");
        assertThat(h.containsToken("connection", "keep-alive")).isTrue();
        assertThat(h.containsToken("Connection", "x")).isTrue();
        assertThat(h.containsToken("Connection", "")).isTrue(); // an empty element, as split found it before
        assertThat(h.containsToken("Connection", "close")).isFalse();
        assertThat(h.containsToken("Connection", "keep")).isFalse();
        assertThat(HttpHeaders.of("Connection", "closed").containsToken("Connection", "close")).isFalse();
    }

    @Test
    void aBuilderChecksWhatUsersGiveAndCopiesWhatIsValid() {
        HttpHeaders.Builder builder = HttpHeaders.builder(1);
        assertThatThrownBy(() -> builder.add("X", "a\r\nInjected: 1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.add("X Y", "a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.add("X", "\u20ac")).isInstanceOf(IllegalArgumentException.class);
        HttpHeaders built = builder.addFrom(headers, 1).add("X", "tab\there").addValid("Y", "1").addFrom(headers, 0)
                .build();
        assertThat(built).isEqualTo(HttpHeaders.of("Accept", "text/html", "X", "tab\there", "Y", "1", "Host", "a"));
        assertThatThrownBy(() -> HttpHeaders.builder(0).addFrom(headers, 3))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void addValidIsAssertedInTests() {
        assumeTrue(HttpHeaders.class.desiredAssertionStatus(), "assertions are off");
        assertThatThrownBy(() -> HttpHeaders.builder(1).addValid("X", "a\r\nInjected: 1"))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void wellKnownNamesAreParsedAsTheConstants() throws Exception {
        HttpHeaders parsed = HttpTestSupport.reader("GET / HTTP/1.1\r\nHost: a\r\nhost2: b\r\ncontent-length: 0\r\n"
                + "Content-length: 0\r\nX-Forwarded-For: c\r\n\r\n").readRequestHead(HttpLimits.defaults()).headers();
        assertThat(parsed.name(0)).isSameAs("Host");
        assertThat(parsed.name(1)).isEqualTo("host2");
        assertThat(parsed.name(2)).isEqualTo("content-length"); // the case as received
        assertThat(parsed.name(3)).isSameAs("Content-length");
        assertThat(parsed.name(4)).isSameAs("X-Forwarded-For");
        assertThat(parsed.get("HOST")).isEqualTo("a");
    }
}
