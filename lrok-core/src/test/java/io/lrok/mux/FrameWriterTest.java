package io.lrok.mux;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * The writer's group commit: a frame is left in the buffer only for a writer already waiting for the lock, which sends
 * it with its own; with no one waiting, every frame leaves at once. Driven deterministically: the first write call
 * blocks until the test has seen the other writers queue up behind it.
 */
class FrameWriterTest {

    private static final Duration BOUND = Duration.ofSeconds(30);

    @Test
    void aLoneWriterWritesEachFrameAtOnce() throws IOException {
        RecordingOutput out = new RecordingOutput(false);
        FrameWriter writer = new FrameWriter(out, 64 * 1024, 64, e -> { });

        writer.writeData(1, 0, bytes("first"), 0, 5);
        assertThat(out.calls()).hasSize(1);
        writer.writeData(3, 0, bytes("second"), 0, 6);

        assertThat(out.calls()).hasSize(2);
        assertThat(frames(out.calls().get(0))).containsExactly("1:first");
        assertThat(frames(out.calls().get(1))).containsExactly("3:second");
    }

    @Test
    void writersQueuedBehindABlockedWriteLeaveInOneWriteCall() throws Exception {
        RecordingOutput out = new RecordingOutput(true);
        FrameWriter writer = new FrameWriter(out, 64 * 1024, 64, e -> { });
        List<Thread> threads = new ArrayList<>();
        threads.add(Thread.ofVirtual().start(() -> write(writer, 1, "holder")));
        Await.latch("the first write call to start", BOUND, out.firstCallStarted);

        for (int id = 3; id <= 7; id += 2) {
            int streamId = id;
            threads.add(Thread.ofVirtual().start(() -> write(writer, streamId, "queued-" + streamId)));
        }
        Await.until("three writers waiting for the lock", BOUND, () -> writer.waitingWriters() == 3);
        out.releaseFirstCall.countDown();
        for (Thread t : threads) t.join(BOUND.toMillis());

        // the first holder's frame alone, then the three queued frames together, each once, whatever their order
        assertThat(out.calls()).hasSize(2);
        assertThat(frames(out.calls().get(0))).containsExactly("1:holder");
        assertThat(frames(out.calls().get(1))).containsExactlyInAnyOrder("3:queued-3", "5:queued-5", "7:queued-7");
        assertThat(writer.waitingWriters()).isZero();
    }

    @Test
    void aWriterWhosePendingBytesFillARecordWritesEvenWithOthersWaiting() throws Exception {
        RecordingOutput out = new RecordingOutput(true);
        FrameWriter writer = new FrameWriter(out, 64 * 1024, 64, e -> { });
        Thread holder = Thread.ofVirtual().start(() -> write(writer, 1, "holder"));
        Await.latch("the first write call to start", BOUND, out.firstCallStarted);

        String large = "x".repeat(FrameWriter.GROUP_COMMIT_BYTES);
        Thread big = Thread.ofVirtual().start(() -> write(writer, 3, large));
        Await.until("the large writer waiting", BOUND, () -> writer.waitingWriters() == 1);
        Thread small = Thread.ofVirtual().start(() -> write(writer, 5, "small"));
        Await.until("both writers waiting", BOUND, () -> writer.waitingWriters() == 2);
        out.releaseFirstCall.countDown();
        for (Thread t : List.of(holder, big, small)) t.join(BOUND.toMillis());

        // Whichever of the two took the lock first, the large frame ends the second write call: either it went
        // alone (the small one then found no one waiting and went in a third), or the small one was left to it.
        // Never is the large frame left behind for the small writer.
        List<String> all = new ArrayList<>();
        for (byte[] call : out.calls()) all.addAll(frames(call));
        assertThat(all).containsExactlyInAnyOrder("1:holder", "3:" + large, "5:small");
        assertThat(frames(out.calls().get(1))).last().isEqualTo("3:" + large);
    }

    private static void write(FrameWriter writer, int streamId, String payload) {
        byte[] b = bytes(payload);
        try {
            writer.writeData(streamId, 0, b, 0, b.length);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** @return the Data frames in one write call, as "streamId:payload"; fails on a partial frame */
    private static List<String> frames(byte[] call) throws MuxException {
        List<String> frames = new ArrayList<>();
        int pos = 0;
        while (pos < call.length) {
            Frame f = Frame.decode(call, pos);
            assertThat(f.type()).isEqualTo(Frame.TYPE_DATA);
            int start = pos + Frame.HEADER_SIZE;
            assertThat(start + f.length()).isLessThanOrEqualTo(call.length);
            frames.add(f.streamId() + ":" + new String(call, start, f.length(), StandardCharsets.US_ASCII));
            pos = start + f.length();
        }
        return frames;
    }

    /**
     * Records each write call's bytes; with {@code blockFirst}, the first call waits for {@link #releaseFirstCall}.
     * Locking: {@code lock} guards {@code calls}.
     */
    private static final class RecordingOutput extends OutputStream {
        final CountDownLatch firstCallStarted = new CountDownLatch(1);
        final CountDownLatch releaseFirstCall = new CountDownLatch(1);
        private final boolean blockFirst;
        private final ReentrantLock lock = new ReentrantLock();
        private final List<byte[]> calls = new ArrayList<>();

        RecordingOutput(boolean blockFirst) {
            this.blockFirst = blockFirst;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ByteArrayOutputStream copy = new ByteArrayOutputStream();
            copy.write(b, off, len);
            boolean first;
            lock.lock();
            try {
                first = calls.isEmpty();
                calls.add(copy.toByteArray());
            } finally {
                lock.unlock();
            }
            if (first && blockFirst) {
                firstCallStarted.countDown();
                try {
                    Await.latch("the test to release the first write", BOUND, releaseFirstCall);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        List<byte[]> calls() {
            lock.lock();
            try {
                return List.copyOf(calls);
            } finally {
                lock.unlock();
            }
        }
    }
}
