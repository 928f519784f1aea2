package io.lrok.internal.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The forwarder's copy loop: every read is written at once, and the end hook runs before the last write. */
class PipeTest {

    /** Records each write and flush, and marks where the end hook ran. */
    private static final class RecordingOutput extends OutputStream {
        final List<String> events = new ArrayList<>();

        @Override
        public void write(int b) {
            events.add("write 1");
        }

        @Override
        public void write(byte[] b, int off, int len) {
            events.add("write " + len);
        }

        @Override
        public void flush() {
            events.add("flush");
        }
    }

    @Test
    void theEndHookRunsAfterTheLastReadAndBeforeItIsWritten() throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(new byte[10]);
        RecordingOutput out = new RecordingOutput();
        long copied = Pipe.copy(in, out, new byte[4], () -> in.available() == 0, () -> out.events.add("end"));
        assertThat(copied).isEqualTo(10);
        assertThat(out.events).containsExactly("write 4", "flush", "write 4", "flush", "end", "write 2", "flush");
    }

    @Test
    void theEndHookRunsAtTheEndOfTheSourceWhenCompletenessIsNeverReported() throws IOException {
        RecordingOutput out = new RecordingOutput();
        Pipe.copy(new ByteArrayInputStream(new byte[3]), out, new byte[8], () -> false, () -> out.events.add("end"));
        assertThat(out.events).containsExactly("write 3", "flush", "end");

        RecordingOutput empty = new RecordingOutput();
        Pipe.copy(new ByteArrayInputStream(new byte[0]), empty, new byte[8], () -> true, () -> empty.events.add("end"));
        assertThat(empty.events).as("an empty source").containsExactly("end");
    }

    @Test
    void aFailedWriteIsReportedAsSuchAndTheEndHookDoesNotRunAgain() {
        List<String> ends = new ArrayList<>();
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("peer gone");
            }
        };
        assertThatThrownBy(() -> Pipe.copy(new ByteArrayInputStream(new byte[3]), broken, new byte[8],
                () -> true, () -> ends.add("end")))
                .isInstanceOf(Pipe.WriteFailed.class).hasMessage("peer gone");
        assertThat(ends).as("the end hook ran once, before the write that failed").containsExactly("end");
    }

    @Test
    void theTwoArgumentCopyCopiesEverything() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(Pipe.copy(new ByteArrayInputStream("hello".getBytes()), out, new byte[2])).isEqualTo(5);
        assertThat(out.toString()).isEqualTo("hello");
    }
}
