package io.lrok.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GoYamuxBenchTest {

  @Test
  void shortRunReportsEveryMeasurement() {
    Map<String, Double> result = GoYamuxBench.run(Duration.ofMinutes(2), "-bytes", "67108864", "-duration", "1s");
    System.out.println("yamuxbench: " + result);
    assertThat(result).containsKeys(
        "bulk_single_MBps", "bulk_64_MBps", "open_close_per_s", "idle_stream_heap_bytes", "idle_streams");
    for (String key : new String[] {
        "bulk_single_MBps", "bulk_64_MBps", "open_close_per_s", "idle_stream_heap_bytes", "idle_streams"}) {
      assertThat(result.get(key)).as(key).isPositive();
    }
    assertThat(result.get("idle_streams")).isEqualTo(10_000.0);
  }

  @Test
  void onlyRunsTheSubsetAsked() {
    Map<String, Double> result = GoYamuxBench.run(Duration.ofMinutes(1), "-only", "open_close", "-ops", "200");
    assertThat(result).containsKey("open_close_per_s").doesNotContainKeys("bulk_single_MBps", "idle_streams");
    assertThat(result.get("open_close_ops")).isEqualTo(200.0);
  }

  @Test
  void parsesFlatJson() {
    assertThat(GoYamuxBench.parseFlatJson("{\"a\":1,\"b\": -2.5e3 , \"c\":0.25}"))
        .containsExactly(Map.entry("a", 1.0), Map.entry("b", -2500.0), Map.entry("c", 0.25));
    assertThat(GoYamuxBench.parseFlatJson("{}")).isEmpty();
    assertThatThrownBy(() -> GoYamuxBench.parseFlatJson("{\"a\":\"x\"}")).isInstanceOf(IllegalArgumentException.class);
  }
}
