package io.lrok.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.internal.wire.ControlMessage.ErrorMessage;
import io.lrok.internal.wire.ControlMessage.Unbind;
import io.lrok.internal.wire.ControlMessage.Welcome;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProtocolTest {

    @Test
    void theLimitsAreTheDocumentedOnes() {
        assertThat(Protocol.VERSION).isEqualTo(1);
        assertThat(Protocol.MAX_CONTROL_MESSAGE).isEqualTo(64 * 1024);
        assertThat(Protocol.MAX_STREAM_HEADER).isEqualTo(16 * 1024);
        assertThat(Protocol.HANDSHAKE_TIMEOUT).isEqualTo(Duration.ofSeconds(10));
        assertThat(Protocol.MAX_ID).isEqualTo(9_007_199_254_740_991L);
        assertThat(Protocol.ALPN_ID).isEqualTo("lrok/1");
    }

    @Test
    void theSpecNamesEveryConstantAndErrorCode() {
        String spec = Spec.text();
        for (Class<?> type : new Class<?>[] {Protocol.class, Names.class}) {
            for (Field f : type.getDeclaredFields()) {
                int mods = f.getModifiers();
                if (Modifier.isPublic(mods) && Modifier.isStatic(mods)) {
                    assertThat(spec).as("docs/protocol.md names %s", f.getName()).contains("`" + f.getName() + "`");
                }
            }
        }
        for (ErrorCode code : ErrorCode.values()) assertThat(spec).contains("`" + code.wireName() + "`");
    }

    @Test
    void theRelayRefusesOtherVersionsWithTheDocumentedMessage() {
        assertThat(Protocol.checkVersion(Protocol.VERSION)).isNull();
        assertThat(Protocol.checkVersion(2)).isEqualTo("relay speaks lrok protocol 1, agent sent 2");
        assertThat(Protocol.checkVersion(0)).isEqualTo("relay speaks lrok protocol 1, agent sent 0");
    }

    @Test
    void theAgentAcceptsAWelcomeOfItsOwnVersion() throws Exception {
        Welcome welcome = new Welcome(1, "s", "r", "relay-1", "lrok.example");
        assertThat(Protocol.expectWelcome(welcome)).isSameAs(welcome);
    }

    @Test
    void theAgentReportsAVersionMismatchClearly() {
        String relaySaid = Protocol.checkVersion(2);
        assertThatThrownBy(() -> Protocol.expectWelcome(new ErrorMessage(ErrorCode.UNSUPPORTED_VERSION, relaySaid, null)))
                .isInstanceOfSatisfying(WireException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION))
                .hasMessage("the relay does not support this agent's lrok protocol 1 (relay said: relay speaks lrok "
                        + "protocol 1, agent sent 2); use an lrok version that matches it");
        assertThatThrownBy(() -> Protocol.expectWelcome(new Welcome(2, "s", "r", "relay-1", "d")))
                .isInstanceOfSatisfying(WireException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION))
                .hasMessage("the relay answered with lrok protocol 2, this agent speaks 1");
    }

    @Test
    void theAgentReportsOtherRefusalsWithTheirCode() {
        assertThatThrownBy(() -> Protocol.expectWelcome(new ErrorMessage(ErrorCode.UNAUTHORIZED, "unknown token", null)))
                .isInstanceOfSatisfying(WireException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED))
                .hasMessage("the relay refused the session: unauthorized: unknown token");
        assertThatThrownBy(() -> Protocol.expectWelcome(null))
                .isInstanceOfSatisfying(WireException.class, e -> assertThat(e.code()).isNull())
                .hasMessageContaining("without answering hello");
        assertThatThrownBy(() -> Protocol.expectWelcome(new Unbind("t")))
                .isInstanceOf(WireException.class).hasMessage("expected welcome or error from the relay, got unbind");
    }
}
