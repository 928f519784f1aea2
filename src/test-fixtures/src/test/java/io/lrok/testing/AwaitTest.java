package io.lrok.testing;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class AwaitTest {

  @Test
  void returnsOnceTheConditionHoldsAndFailsWithTheReasonAfterTheBound() {
    AtomicInteger polls = new AtomicInteger();
    assertThatCode(() -> Await.until("three polls", Duration.ofSeconds(5), () -> polls.incrementAndGet() >= 3))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> Await.until("never", Duration.ofMillis(20), () -> false))
        .isInstanceOf(AssertionError.class).hasMessage("still not true after 20 ms: never");
  }

  @Test
  void latchSaysHowManyCountsWereMissing() {
    CountDownLatch latch = new CountDownLatch(2);
    latch.countDown();
    assertThatThrownBy(() -> Await.latch("two events", Duration.ofMillis(20), latch))
        .isInstanceOf(AssertionError.class).hasMessage("still not true after 20 ms: two events (1 to go)");
    latch.countDown();
    assertThatCode(() -> Await.latch("two events", Duration.ofMillis(20), latch)).doesNotThrowAnyException();
  }
}
