package io.lrok.mux;

import io.lrok.testing.Await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The per-stream receive buffer: order, partial reads, coalescing, owned chunks and memory release. */
class ReceiveBufferTest {

    @Test
    void emptyBufferReadsNothing() {
        ReceiveBuffer buffer = new ReceiveBuffer();
        assertThat(buffer.size()).isZero();
        assertThat(buffer.read(new byte[8], 0, 8)).isZero();
    }

    @Test
    void smallFramesAreCopiedAndCoalescedInOrder() {
        ReceiveBuffer buffer = new ReceiveBuffer();
        byte[] src = new byte[1];
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < 100_000; i++) {
            src[0] = (byte) i;
            buffer.appendCopy(src, 0, 1);
            expected.write(i);
        }
        src[0] = 42; // a copy: changing the source later changes nothing
        assertThat(buffer.size()).isEqualTo(100_000);
        assertThat(drain(buffer, 777)).isEqualTo(expected.toByteArray());
    }

    @Test
    void copiesHonourTheSourceOffsetAndMixWithLargerCopies() {
        ReceiveBuffer buffer = new ReceiveBuffer();
        byte[] src = "..abc..".getBytes();
        buffer.appendCopy(src, 2, 3);
        byte[] big = new byte[ReceiveBuffer.COALESCE_BELOW];
        Arrays.fill(big, (byte) 'x');
        buffer.appendCopy(big, 0, big.length); // larger than the first chunk's free room
        buffer.appendCopy(src, 2, 1);
        byte[] out = drain(buffer, 1000);
        assertThat(out).hasSize(3 + big.length + 1);
        assertThat(new String(out, 0, 3)).isEqualTo("abc");
        assertThat(out[3 + big.length]).isEqualTo((byte) 'a');
    }

    @Test
    void ownedChunksAreKeptAsTheyArrivedAndOnlyTheirLengthCounts() {
        ReceiveBuffer buffer = new ReceiveBuffer();
        byte[] payload = new byte[10_000];
        Arrays.fill(payload, (byte) 7);
        buffer.appendOwned(payload, 9_000);
        assertThat(buffer.size()).isEqualTo(9_000);
        payload[0] = 8; // owned: not copied, so the buffer sees what is in the array
        byte[] out = drain(buffer, 4096);
        assertThat(out).hasSize(9_000);
        assertThat(out[0]).isEqualTo((byte) 8);
        assertThat(out[8_999]).isEqualTo((byte) 7);
    }

    @Test
    void partialReadsCrossChunkBoundaries() {
        ReceiveBuffer buffer = new ReceiveBuffer();
        buffer.appendCopy(new byte[] {1, 2, 3}, 0, 3);
        buffer.appendOwned(new byte[] {4, 5, 6, 7, 8, 0}, 5);
        buffer.appendCopy(new byte[] {9}, 0, 1);
        byte[] dst = new byte[16];
        assertThat(buffer.read(dst, 0, 2)).isEqualTo(2);
        assertThat(buffer.read(dst, 2, 4)).isEqualTo(4);
        assertThat(buffer.size()).isEqualTo(3);
        assertThat(buffer.read(dst, 6, 10)).isEqualTo(3);
        assertThat(Arrays.copyOf(dst, 9)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(buffer.size()).isZero();
        assertThat(buffer.read(dst, 0, 1)).isZero();
    }

    @Test
    void clearDropsEverythingAndTheBufferStaysUsable() {
        ReceiveBuffer buffer = new ReceiveBuffer();
        buffer.appendCopy(new byte[100], 0, 100);
        buffer.appendOwned(new byte[5000], 5000);
        assertThat(buffer.clear()).isEqualTo(5100);
        assertThat(buffer.size()).isZero();
        assertThat(buffer.clear()).isZero();
        buffer.appendCopy(new byte[] {1}, 0, 1);
        assertThat(drain(buffer, 10)).containsExactly(1);
    }

    @Test
    void drainedChunksAreReleased() {
        ReceiveBuffer buffer = new ReceiveBuffer();
        WeakReference<byte[]> first = appendOwned(buffer, 8192);
        WeakReference<byte[]> second = appendOwned(buffer, 8192);
        byte[] dst = new byte[8192 + 100];
        buffer.read(dst, 0, dst.length); // consumes the first chunk and part of the second
        awaitCollected(first);
        assertThat(second.get()).as("a chunk with unread bytes is kept").isNotNull();
        buffer.read(dst, 0, dst.length);
        assertThat(buffer.size()).isZero();
        awaitCollected(second);
    }

    @Test
    void clearedChunksAreReleased() {
        ReceiveBuffer buffer = new ReceiveBuffer();
        WeakReference<byte[]> owned = appendOwned(buffer, 8192);
        buffer.clear();
        awaitCollected(owned);
    }

    @Test
    void aFloodOfOneByteFramesCostsAboutAByteEach() {
        int frames = MuxConfig.INITIAL_STREAM_WINDOW; // the most one stream may hold
        byte[] one = {1};
        long before = Leaks.usedHeapAfterGc();
        ReceiveBuffer buffer = new ReceiveBuffer();
        for (int i = 0; i < frames; i++) buffer.appendCopy(one, 0, 1);
        long grown = Leaks.usedHeapAfterGc() - before;
        assertThat(buffer.size()).isEqualTo(frames);
        // Coalesced: about 256 KiB. An array and a chunk object per frame would take over 12 MiB.
        assertThat(grown).as("heap growth in bytes").isLessThan(4L << 20);
    }

    private static WeakReference<byte[]> appendOwned(ReceiveBuffer buffer, int len) {
        byte[] payload = new byte[len];
        buffer.appendOwned(payload, len);
        return new WeakReference<>(payload);
    }

    private static void awaitCollected(WeakReference<?> ref) {
        Await.until("the buffer no longer holds a drained chunk", Duration.ofSeconds(10), () -> {
            System.gc();
            return ref.get() == null;
        });
    }

    private static byte[] drain(ReceiveBuffer buffer, int step) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] dst = new byte[step];
        int n;
        while ((n = buffer.read(dst, 0, step)) > 0) out.write(dst, 0, n);
        return out.toByteArray();
    }
}
