package io.lrok.spi;

import java.io.IOException;

/**
 * Supplies a relay running in this JVM, for when the code and the environment name none. The relay module
 * registers an implementation with {@link java.util.ServiceLoader}; the agent uses it only when it is on the
 * class path, and then says once in the log that the URL is reachable from this machine only.
 */
public interface InProcessRelayProvider {
    /**
     * Returns this JVM's shared in-process relay, starting it on first use. It lives until the JVM exits.
     *
     * @return the relay to dial
     * @throws IOException if it cannot start
     */
    RelayEndpoint sharedRelay() throws IOException;
}
