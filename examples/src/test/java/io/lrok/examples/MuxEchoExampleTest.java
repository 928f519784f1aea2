package io.lrok.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class MuxEchoExampleTest {
    @Test
    void eachMessageComesBackOnItsOwnStream() throws Exception {
        assertThat(MuxEchoExample.run("hello", "world"))
                .containsExactly("stream 1: hello", "stream 3: world");
    }
}
