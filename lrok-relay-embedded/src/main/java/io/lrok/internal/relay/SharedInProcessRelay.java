package io.lrok.internal.relay;

import io.lrok.relay.EmbeddedRelay;
import io.lrok.spi.InProcessRelayProvider;
import io.lrok.spi.RelayEndpoint;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The relay an agent uses when nothing else is configured: one {@link EmbeddedRelay} per JVM, started on first
 * use with the defaults (loopback, free ports, no token), closed by a shutdown hook. Its threads are virtual, so
 * it never keeps the JVM alive. Found by {@link java.util.ServiceLoader} as an {@link InProcessRelayProvider}.
 *
 * <p>Locking: {@code LOCK} guards {@code shared}; the relay is started under it (a blocking bind, hence a
 * {@link ReentrantLock}), so that two first callers get the same relay.
 */
public final class SharedInProcessRelay implements InProcessRelayProvider {
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static EmbeddedRelay shared;

    /** For {@link java.util.ServiceLoader}. */
    public SharedInProcessRelay() {
    }

    @Override
    public RelayEndpoint sharedRelay() throws IOException {
        LOCK.lock();
        try {
            if (shared == null) {
                EmbeddedRelay relay = EmbeddedRelay.start();
                Runtime.getRuntime().addShutdownHook(new Thread(relay::close, "lrok-shared-relay-shutdown"));
                shared = relay;
            }
            return shared;
        } finally {
            LOCK.unlock();
        }
    }
}
