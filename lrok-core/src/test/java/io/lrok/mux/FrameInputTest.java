package io.lrok.mux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Where FrameInput's reads land: payload bytes beyond what it has buffered go straight to their destination. */
class FrameInputTest {

    /** A source that, like a TLS socket, returns at most one record per read, and records every read's target. */
    private static final class RecordSource extends ByteArrayInputStream {
        static final int RECORD = 16 * 1024;
        final List<byte[]> targets = new ArrayList<>();

        RecordSource(byte[] bytes) {
            super(bytes);
        }

        @Override
        public int read(byte[] b, int off, int len) {
            targets.add(b);
            int recordLeft = RECORD - pos % RECORD;
            return super.read(b, off, Math.min(len, recordLeft));
        }
    }

    @Test
    void aPayloadBeyondTheBufferedPartIsReadStraightIntoItsDestination() throws IOException {
        // One frame of 64 KiB with its header: four 16 KiB records.
        byte[] wire = new byte[64 * 1024];
        new Random(1).nextBytes(wire);
        RecordSource source = new RecordSource(wire);
        FrameInput in = new FrameInput(source, 64 * 1024);

        byte[] header = new byte[Frame.HEADER_SIZE];
        assertThat(in.readFully(header, 0, header.length)).isTrue(); // fills the buffer with the first record
        byte[] payload = new byte[wire.length - Frame.HEADER_SIZE];
        assertThat(in.readFully(payload, 0, payload.length)).isTrue();

        assertThat(header).isEqualTo(Arrays.copyOf(wire, Frame.HEADER_SIZE));
        assertThat(payload).isEqualTo(Arrays.copyOfRange(wire, Frame.HEADER_SIZE, wire.length));
        // The first read went to the buffer (header and the rest of record one); records two to four to the payload.
        assertThat(source.targets).hasSize(4);
        assertThat(source.targets.subList(1, 4)).allSatisfy(target -> assertThat(target).isSameAs(payload));
    }

    @Test
    void aShortRemainderGoesThroughTheBuffer() throws IOException {
        int payloadLength = RecordSource.RECORD - Frame.HEADER_SIZE + FrameInput.DIRECT_READ_MIN - 1;
        byte[] wire = new byte[Frame.HEADER_SIZE + payloadLength + Frame.HEADER_SIZE];
        new Random(2).nextBytes(wire);
        RecordSource source = new RecordSource(wire);
        FrameInput in = new FrameInput(source, 64 * 1024);

        byte[] header = new byte[Frame.HEADER_SIZE];
        assertThat(in.readFully(header, 0, header.length)).isTrue();
        byte[] payload = new byte[payloadLength];
        assertThat(in.readFully(payload, 0, payloadLength)).isTrue();
        // What was left after record one is under DIRECT_READ_MIN: read into the buffer with the next header.
        assertThat(source.targets).hasSize(2).allSatisfy(target -> assertThat(target).isNotSameAs(payload));
        byte[] next = new byte[Frame.HEADER_SIZE];
        assertThat(in.readFully(next, 0, next.length)).isTrue();
        assertThat(source.targets).hasSize(2); // the next header came with it

        assertThat(payload).isEqualTo(Arrays.copyOfRange(wire, Frame.HEADER_SIZE, Frame.HEADER_SIZE + payloadLength));
        assertThat(next).isEqualTo(Arrays.copyOfRange(wire, wire.length - Frame.HEADER_SIZE, wire.length));
    }
}
