package io.lrok.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
