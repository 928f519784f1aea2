package io.lrok.internal.http;

import io.lrok.http.HttpLimits;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.internal.http.HttpTestSupport.GeneratedInputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A peer that sends an endless line (10 MB here) gets its status once the limit is passed, having made the reader
 * read at most the limit plus one buffer, and allocate about as much.
 */
@Timeout(30)
class BoundedReadTest {
    private static final long FLOOD = 10L * 1024 * 1024;
    private static final HttpLimits LIMITS = HttpLimits.defaults();
    private static final String HEAD = "GET / HTTP/1.1\r\nHost: a\r\n";
    private static final String CHUNKED = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    /** What a head may cost beyond the limits: one read buffer, field strings, an exception. */
    private static final long ALLOCATION_SLACK = 256 * 1024;

    static Stream<Arguments> floods() {
        return Stream.of(
                Arguments.of("endless request line", "GET /", "a", 414, LIMITS.maxRequestLineLength()),
                Arguments.of("endless empty lines", "", "\r\n", 414, LIMITS.maxRequestLineLength()),
                Arguments.of("endless field value", HEAD + "X: ", "a", 431, LIMITS.maxHeaderSectionSize()),
                Arguments.of("endless field name", HEAD, "a", 431, LIMITS.maxHeaderSectionSize()),
                Arguments.of("endless fields", HEAD, "X: 1\r\n", 431, LIMITS.maxHeaderSectionSize()),
                Arguments.of("endless chunk extension", CHUNKED + "5;", "a", 400, LIMITS.maxChunkSizeLineLength()),
                Arguments.of("endless chunk size", CHUNKED, "0", 400, LIMITS.maxChunkSizeLineLength()),
                Arguments.of("endless trailer", CHUNKED + "0\r\nX: ", "a", 431, LIMITS.maxTrailerSectionSize()),
                Arguments.of("endless trailers", CHUNKED + "0\r\n", "X: 1\r\n", 431, LIMITS.maxTrailerSectionSize()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("floods")
    void stopsAtTheLimit(String name, String prefix, String pattern, int status, int limit) throws Exception {
        GeneratedInputStream in = new GeneratedInputStream(prefix, pattern, FLOOD);
        HttpReader reader = new HttpReader(in);
        long allocatedBefore = allocatedBytes();
        int actual = HttpTestSupport.readAll(reader, false).status();
        long allocated = allocatedBytes() - allocatedBefore;
        assertThat(actual).isEqualTo(status);
        assertThat(in.bytesRead()).as("bytes read")
                .isLessThanOrEqualTo(prefix.length() + limit + HttpReader.DEFAULT_BUFFER_SIZE);
        if (allocatedBefore >= 0) {
            assertThat(allocated).as("bytes allocated")
                    .isLessThan(limit + HttpReader.DEFAULT_BUFFER_SIZE + ALLOCATION_SLACK);
        }
    }

    /**
     * The bytes this thread has allocated so far, or -1 where the JVM cannot tell. Reflective because the test
     * sources compile inside the module, which does not read java.management; the tests run on the class path.
     */
    private static long allocatedBytes() {
        try {
            Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                    .invoke(null);
            Class<?> type = Class.forName("com.sun.management.ThreadMXBean");
            if (!type.isInstance(bean) || !(boolean) type.getMethod("isThreadAllocatedMemoryEnabled").invoke(bean)) {
                return -1;
            }
            return (long) type.getMethod("getCurrentThreadAllocatedBytes").invoke(bean);
        } catch (ReflectiveOperationException | LinkageError e) {
            return -1;
        }
    }
}
