package io.lrok.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Deterministic test bytes that Java and the Go peers ({@code yamuxpeer}) both produce, and
 * SHA-256 helpers to compare them.
 *
 * <p>PATTERN(n): a {@code uint64} state {@code x = 0x9E3779B97F4A7C15}; for each 8-byte block
 * {@code x ^= x << 13; x ^= x >>> 7; x ^= x << 17}, then emit {@code x} as 8 little-endian bytes;
 * the final block is truncated to {@code n}. PATTERN(n) is a prefix of PATTERN(m) for n &lt; m.
 */
public final class TestData {

  /** The xorshift64 seed; the first emitted block is the state after one step. */
  public static final long PATTERN_SEED = 0x9E3779B97F4A7C15L;

  private static final int BLOCK = 64 * 1024;
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final Map<Long, String> SHA_CACHE = new ConcurrentHashMap<>();

  private TestData() {}

  /** Produces PATTERN bytes in order, whatever the sizes of the requests. Not thread-safe. */
  public static final class PatternGenerator {
    private long x = PATTERN_SEED;
    private final byte[] pending = new byte[8];
    private int pendingCount; // unread bytes at the end of pending

    private long next() {
      long v = x;
      v ^= v << 13;
      v ^= v >>> 7;
      v ^= v << 17;
      x = v;
      return v;
    }

    /** Fills {@code b[off, off+len)} with the next {@code len} bytes of the pattern. */
    public void fill(byte[] b, int off, int len) {
      Objects.checkFromIndexSize(off, len, b.length);
      int i = off;
      int end = off + len;
      while (pendingCount > 0 && i < end) {
        b[i++] = pending[8 - pendingCount--];
      }
      for (; i + 8 <= end; i += 8) {
        LONG_LE.set(b, i, next());
      }
      if (i < end) {
        LONG_LE.set(pending, 0, next());
        pendingCount = 8;
        while (i < end) {
          b[i++] = pending[8 - pendingCount--];
        }
      }
    }
  }

  /** PATTERN(n) as a stream. */
  public static InputStream pattern(long n) {
    if (n < 0) {
      throw new IllegalArgumentException("n < 0: " + n);
    }
    return new InputStream() {
      private final PatternGenerator gen = new PatternGenerator();
      private long remaining = n;

      @Override
      public int read() {
        if (remaining == 0) {
          return -1;
        }
        byte[] one = new byte[1];
        gen.fill(one, 0, 1);
        remaining--;
        return one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
          return 0;
        }
        if (remaining == 0) {
          return -1;
        }
        int k = (int) Math.min(len, remaining);
        gen.fill(b, off, k);
        remaining -= k;
        return k;
      }

      @Override
      public int available() {
        return (int) Math.min(Integer.MAX_VALUE, remaining);
      }
    };
  }

  /** Writes PATTERN(n) to {@code out} in 64 KiB writes (does not flush or close it). */
  public static void writePattern(OutputStream out, long n) throws IOException {
    if (n < 0) {
      throw new IllegalArgumentException("n < 0: " + n);
    }
    PatternGenerator gen = new PatternGenerator();
    byte[] buf = new byte[(int) Math.min(BLOCK, Math.max(n, 1))];
    long left = n;
    while (left > 0) {
      int k = (int) Math.min(buf.length, left);
      gen.fill(buf, 0, k);
      out.write(buf, 0, k);
      left -= k;
    }
  }

  /** PATTERN(n) as an array. */
  public static byte[] patternBytes(int n) {
    byte[] b = new byte[n];
    new PatternGenerator().fill(b, 0, n);
    return b;
  }

  /** Lower-case hex SHA-256 of PATTERN(n); results are cached. */
  public static String patternSha256(long n) {
    return SHA_CACHE.computeIfAbsent(n, len -> {
      Sha256Sink sink = new Sha256Sink();
      try {
        writePattern(sink, len);
      } catch (IOException impossible) {
        throw new AssertionError(impossible);
      }
      return sink.hex();
    });
  }

  /** Lower-case hex SHA-256 of {@code data}. */
  public static String sha256Hex(byte[] data) {
    return HexFormat.of().formatHex(sha256().digest(data));
  }

  /** A new SHA-256 digest. */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("SHA-256 is missing from this JDK", e);
    }
  }

  /** An {@link OutputStream} that hashes (SHA-256) and counts what is written to it. */
  public static final class Sha256Sink extends OutputStream {
    private final MessageDigest digest = sha256();
    private long count;
    private String hex;

    @Override
    public void write(int b) {
      checkOpen();
      digest.update((byte) b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      checkOpen();
      digest.update(b, off, len);
      count += len;
    }

    private void checkOpen() {
      if (hex != null) {
        throw new IllegalStateException("hex() was called; this sink is finished");
      }
    }

    /** Bytes written so far. */
    public long count() {
      return count;
    }

    /** The lower-case hex SHA-256 of everything written; after this call, writes fail. */
    public String hex() {
      if (hex == null) {
        hex = HexFormat.of().formatHex(digest.digest());
      }
      return hex;
    }
  }
}
