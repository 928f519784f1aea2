package io.lrok.bench;

import io.lrok.mux.MuxConfig;
import io.lrok.mux.MuxStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The heap that idle lrok streams cost, both ends together (both sessions live in this JVM), measured as
 * yamuxbench does for hashicorp/yamux: open the streams, write one byte on each, let the server accept each,
 * read its byte and keep the stream; compare the heap used after GC before and after.
 */
final class IdleStreams {
    /** The number of idle streams, as in yamuxbench. */
    static final int COUNT = 10_000;
    /** Full GCs per heap reading: at least MIN, at most MAX, until two readings differ by no more than STABLE_WITHIN. */
    private static final int MIN_GC_ROUNDS = 3;
    private static final int MAX_GC_ROUNDS = 20;
    private static final long STABLE_WITHIN = 16 * 1024;
    private static final Duration GC_PAUSE = Duration.ofMillis(50);

    private IdleStreams() {
    }

    /** @return the growth in heap used after GC, in bytes, for {@link #COUNT} idle streams */
    static long heapBytes(MuxConfig config) throws Exception {
        try (MuxTransport transport = MuxTransport.create(config)) {
            List<MuxStream> clientEnds = new ArrayList<>(COUNT);
            List<MuxStream> serverEnds = new ArrayList<>(COUNT);
            Workloads.FirstFailure failure = new Workloads.FirstFailure(transport);
            long before = heapUsedAfterGc();
            Thread acceptor = Thread.ofVirtual().name("bench-idle-acceptor").start(failure.guard(() -> {
                byte[] one = new byte[1];
                for (int i = 0; i < COUNT; i++) {
                    MuxStream stream = transport.server().acceptStream();
                    if (stream.getInputStream().readNBytes(one, 0, 1) != 1) {
                        throw new IllegalStateException("no byte on " + stream);
                    }
                    serverEnds.add(stream);
                }
            }));
            try {
                for (int i = 0; i < COUNT; i++) {
                    MuxStream stream = transport.client().openStream();
                    stream.getOutputStream().write(1);
                    clientEnds.add(stream);
                }
            } catch (Exception e) {
                failure.record(e);
            }
            acceptor.join();
            failure.rethrow();
            long after = heapUsedAfterGc();
            int clientCount = transport.client().streamCount();
            int serverCount = transport.server().streamCount();
            if (clientCount != COUNT || serverCount != COUNT) {
                throw new IllegalStateException("expected " + COUNT + " streams on each end, found " + clientCount
                        + " (client) and " + serverCount + " (server)");
            }
            Reference.reachabilityFence(clientEnds);
            Reference.reachabilityFence(serverEnds);
            return after - before;
        }
    }

    /**
     * The heap in use after full collections, repeated until two readings in a row agree: after earlier workloads
     * the Cleaner and reference-handler threads may still be releasing closed sockets, and one GC alone can catch
     * that half done.
     */
    static long heapUsedAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long previous = -1;
        long used = Long.MAX_VALUE;
        for (int i = 0; i < MAX_GC_ROUNDS; i++) {
            System.gc();
            long reading = memory.getHeapMemoryUsage().getUsed();
            used = Math.min(used, reading);
            if (i >= MIN_GC_ROUNDS - 1 && Math.abs(reading - previous) <= STABLE_WITHIN) break;
            previous = reading;
            Thread.sleep(GC_PAUSE.toMillis()); // lets the Cleaner run between collections
        }
        return used;
    }
}
