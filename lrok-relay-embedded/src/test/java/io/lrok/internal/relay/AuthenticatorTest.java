package io.lrok.internal.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class AuthenticatorTest {

    @Test
    void noTokensAcceptsEveryone() {
        Authenticator open = new Authenticator(List.of());
        assertThat(open.required()).isFalse();
        assertThat(open.accepts(null)).isTrue();
        assertThat(open.accepts("anything")).isTrue();
    }

    @Test
    void tokensAcceptExactlyThemselves() {
        Authenticator auth = new Authenticator(List.of("alpha", "beta"));
        assertThat(auth.required()).isTrue();
        assertThat(auth.accepts("alpha")).isTrue();
        assertThat(auth.accepts("beta")).isTrue();
        assertThat(auth.accepts("Alpha")).isFalse();
        assertThat(auth.accepts("alph")).isFalse();
        assertThat(auth.accepts("")).isFalse();
        assertThat(auth.accepts(null)).isFalse();
        assertThatThrownBy(() -> new Authenticator(List.of(" "))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void secretsAndIdsAreFreshAndLongEnough() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            String secret = Authenticator.newResumeSecret();
            assertThat(Base64.getUrlDecoder().decode(secret)).hasSize(Authenticator.RESUME_SECRET_BYTES);
            assertThat(seen.add(secret)).isTrue();
            assertThat(Authenticator.newSessionId()).matches("s-[0-9a-f]{12}");
        }
    }
}
