package io.lrok.internal.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class AuthenticatorTest {

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
