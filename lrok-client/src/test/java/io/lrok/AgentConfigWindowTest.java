package io.lrok;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.mux.MuxConfig;
import org.junit.jupiter.api.Test;

/** The agent's receive window: larger than yamux's initial one by default, and still the user's to set. */
class AgentConfigWindowTest {

    @Test
    void theAgentAdvertisesItsLargerWindowByDefaultAndTakesAnother() {
        assertThat(AgentConfig.defaults().muxConfig().maxStreamWindow())
                .isEqualTo(AgentConfig.DEFAULT_STREAM_WINDOW)
                .isGreaterThan(MuxConfig.INITIAL_STREAM_WINDOW);
        AgentConfig yamuxWindow = AgentConfig.defaults().withMuxConfig(MuxConfig.defaults());
        assertThat(yamuxWindow.muxConfig().maxStreamWindow()).isEqualTo(MuxConfig.INITIAL_STREAM_WINDOW);
    }
}
