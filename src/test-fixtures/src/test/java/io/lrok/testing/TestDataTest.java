package io.lrok.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TestDataTest {

  // Known answers computed independently (a few lines of Python) from the definition of PATTERN.
  private static final String FIRST_20_BYTES = "ad4df30bae771bdc76606e02b9eef064366190e5";
  private static final String SHA_0 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  private static final String SHA_7 = "d18763d56749066628fdbe64f29fcff730f17704a45bcd1fce40f9bedf257f01";
  private static final String SHA_9 = "550287c916dbe218cc9e158013f978b156d977171c255a0220b6cab7730e74d3";
  private static final String SHA_1000003 = "8d0292001a29ccf02baad6cc3ee3bc67edfd71d84c26c353ffcfa88801e6b5bf";
  private static final String SHA_1048576 = "f29fb072131fcfc725b5ec446ad19960b2b1b4fd78a3cbf5867009111fe602e0";

  @Test
  void patternMatchesKnownAnswers() {
    assertThat(HexFormat.of().formatHex(TestData.patternBytes(20))).isEqualTo(FIRST_20_BYTES);
    assertThat(TestData.patternSha256(0)).isEqualTo(SHA_0);
    assertThat(TestData.patternSha256(7)).isEqualTo(SHA_7);
    assertThat(TestData.patternSha256(9)).isEqualTo(SHA_9);
    assertThat(TestData.patternSha256(1_000_003)).isEqualTo(SHA_1000003);
    assertThat(TestData.patternSha256(1_048_576)).isEqualTo(SHA_1048576);
  }

  @Test
  void patternIsTheSameWhateverTheReadSizes() throws IOException {
    int n = 300_001;
    byte[] whole = TestData.patternBytes(n);
    assertThat(TestData.sha256Hex(whole)).isEqualTo(TestData.patternSha256(n));

    Random random = new Random(42);
    ByteArrayOutputStream pieces = new ByteArrayOutputStream();
    try (InputStream in = TestData.pattern(n)) {
      byte[] buf = new byte[70_000];
      while (true) {
        if (random.nextInt(10) == 0) {
          int b = in.read();
          if (b < 0) {
            break;
          }
          pieces.write(b);
          continue;
        }
        int k = in.read(buf, 3, 1 + random.nextInt(buf.length - 3));
        if (k < 0) {
          break;
        }
        pieces.write(buf, 3, k);
      }
    }
    assertThat(pieces.toByteArray()).isEqualTo(whole);

    ByteArrayOutputStream written = new ByteArrayOutputStream();
    TestData.writePattern(written, n);
    assertThat(written.toByteArray()).isEqualTo(whole);
  }

  @Test
  void patternIsAPrefixOfLongerPatterns() throws IOException {
    byte[] longer = TestData.patternBytes(1000);
    try (InputStream in = TestData.pattern(13)) {
      byte[] shorter = in.readAllBytes();
      assertThat(shorter).hasSize(13).isEqualTo(java.util.Arrays.copyOf(longer, 13));
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void sha256SinkHashesAndCounts() throws IOException {
    TestData.Sha256Sink sink = new TestData.Sha256Sink();
    TestData.writePattern(sink, 1_000_003);
    assertThat(sink.count()).isEqualTo(1_000_003);
    assertThat(sink.hex()).isEqualTo(SHA_1000003);
    assertThat(TestData.sha256Hex(new byte[0])).isEqualTo(SHA_0);
  }
}
