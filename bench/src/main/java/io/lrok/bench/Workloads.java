package io.lrok.bench;

import io.lrok.bench.Transport.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The throughput and rate workloads, written once against {@link Transport} so that lrok and raw TCP run the same
 * code. Each mirrors the measurement of the same name in yamuxbench (the Go baseline), so the three columns
 * compare like with like.
 */
final class Workloads {
    /** The size of every write and every read buffer, as in yamuxbench. */
    static final int IO_SIZE = 64 * 1024;
    /** How long any one measurement may take before it is declared stuck. */
    private static final Duration STUCK = Duration.ofMinutes(10);
    /** The open/close loop checks the clock every this many operations, as yamuxbench does. */
    private static final int CLOCK_CHECK_EVERY = 16;

    private static final byte[] PATTERN = new byte[IO_SIZE];

    static {
        for (int i = 0; i < PATTERN.length; i++) PATTERN[i] = (byte) (i * 31);
    }

    private Workloads() {
    }

    /**
     * Moves {@code totalBytes} from client to server over {@code streams} concurrent streams (the first takes the
     * remainder of the split), each written in 64 KiB writes by its own virtual thread and read to EOF by another.
     *
     * @return MB/s (10^6 bytes per second) from before the first open to the server's last EOF
     */
    static double bulkMBps(Transport transport, long totalBytes, int streams) throws Exception {
        long per = totalBytes / streams;
        AtomicLong received = new AtomicLong();
        CountDownLatch eofs = new CountDownLatch(streams);
        FirstFailure failure = new FirstFailure(transport);
        long elapsed;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            threads.execute(failure.guard(() -> {
                for (int i = 0; i < streams; i++) {
                    Channel channel = transport.accept();
                    threads.execute(failure.guard(() -> {
                        try (channel) {
                            received.addAndGet(drain(channel.in()));
                        }
                        eofs.countDown();
                    }));
                }
            }));
            long start = System.nanoTime();
            for (int i = 0; i < streams; i++) {
                long size = i == 0 ? per + totalBytes - per * streams : per;
                threads.execute(failure.guard(() -> {
                    try (Channel channel = transport.open()) {
                        OutputStream out = channel.out();
                        for (long left = size; left > 0; left -= IO_SIZE) out.write(PATTERN, 0, (int) Math.min(left, IO_SIZE));
                        channel.shutdownOutput();
                    }
                }));
            }
            failure.await(eofs);
            elapsed = System.nanoTime() - start;
        }
        failure.rethrow();
        if (received.get() != totalBytes) {
            throw new IllegalStateException("the server received " + received.get() + " bytes, not " + totalBytes);
        }
        return totalBytes / 1e6 / (elapsed / 1e9);
    }

    /**
     * Sequentially, for {@code duration}: the client opens a stream and writes one byte; the server accepts,
     * reads the byte and closes; the client reads EOF and closes.
     *
     * @return operations per second
     */
    static double openClosePerSecond(Transport transport, Duration duration) throws Exception {
        FirstFailure failure = new FirstFailure(transport);
        Thread acceptor = Thread.ofVirtual().name("bench-open-close-acceptor").start(() -> {
            byte[] one = new byte[1];
            while (true) {
                Channel channel;
                try {
                    channel = transport.accept();
                } catch (IOException e) {
                    return; // the transport closed: the run is over
                }
                try (channel) {
                    if (channel.in().readNBytes(one, 0, 1) != 1) throw new IOException("no byte before EOF");
                } catch (IOException e) {
                    failure.record(e);
                    return;
                }
            }
        });
        long[] opsAndNanos = new long[2];
        // The client is a virtual thread, as its counterpart in yamuxbench is a goroutine.
        Thread client = Thread.ofVirtual().name("bench-open-close-client").start(() -> {
            long ops = 0;
            long start = System.nanoTime();
            long deadline = start + duration.toNanos();
            try {
                while (ops % CLOCK_CHECK_EVERY != 0 || System.nanoTime() < deadline) {
                    try (Channel channel = transport.open()) {
                        channel.out().write(42);
                        int eof = channel.in().read();
                        if (eof != -1) throw new IllegalStateException("expected EOF after the server closed, read " + eof);
                    }
                    ops++;
                }
            } catch (IOException | RuntimeException e) {
                failure.record(e);
            }
            opsAndNanos[0] = ops;
            opsAndNanos[1] = System.nanoTime() - start;
        });
        if (!client.join(duration.plus(STUCK))) failure.record(new IllegalStateException("the open/close client is stuck"));
        transport.close();
        acceptor.join(STUCK.toMillis());
        failure.rethrow();
        return opsAndNanos[0] / (opsAndNanos[1] / 1e9);
    }

    /** Reads to EOF; returns the byte count. */
    private static long drain(InputStream in) throws IOException {
        byte[] buf = new byte[IO_SIZE];
        long total = 0;
        for (int n; (n = in.read(buf, 0, buf.length)) >= 0; ) total += n;
        return total;
    }

    /** A task that may throw, for {@link FirstFailure#guard}. */
    @FunctionalInterface
    interface Task {
        void run() throws Exception;
    }

    /**
     * Keeps the first failure of a workload's threads and closes the transport on it, so that every other thread
     * unblocks instead of waiting for data that will never come.
     */
    static final class FirstFailure {
        private final Transport transport;
        private final AtomicReference<Throwable> first = new AtomicReference<>();

        FirstFailure(Transport transport) {
            this.transport = transport;
        }

        Runnable guard(Task task) {
            return () -> {
                try {
                    task.run();
                } catch (Throwable t) {
                    record(t);
                }
            };
        }

        /** Later failures are dropped: they are the other threads seeing the transport close. */
        void record(Throwable t) {
            if (first.compareAndSet(null, t)) transport.close();
        }

        /** Waits for the latch, or until a failure, or until the run is declared stuck. */
        void await(CountDownLatch latch) throws InterruptedException {
            long deadline = System.nanoTime() + STUCK.toNanos();
            while (first.get() == null && !latch.await(100, TimeUnit.MILLISECONDS)) {
                if (System.nanoTime() > deadline) {
                    record(new IllegalStateException("the workload made no progress for " + STUCK.toMinutes() + " min"));
                }
            }
        }

        void rethrow() throws Exception {
            Throwable t = first.get();
            if (t == null) return;
            if (t instanceof Exception e) throw e;
            throw (Error) t;
        }
    }
}
