package io.lrok.junit;

import static io.lrok.junit.NamedApp.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.lrok.Tunnel;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.ClassSelector;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Runs sample test classes (the nested classes below, which the build's own run skips as inner classes) through the
 * Jupiter engine with EngineTestKit and checks their results: tunnel lifetimes, injection, parallel execution, and
 * the messages of tests whose tunnel cannot open. Each sample records the tunnels it saw in a static queue.
 */
@Timeout(120)
class WithPublicUrlEngineTest {
    static final Queue<Tunnel> SEEN = new ConcurrentLinkedQueue<>();
    static final Map<String, String> REPLIES = new ConcurrentHashMap<>();

    @BeforeEach
    void forgetSamples() {
        SEEN.clear();
        REPLIES.clear();
        together = new CountDownLatch(2);
    }

    private static EngineExecutionResults run(boolean parallel, Class<?>... samples) {
        var kit = EngineTestKit.engine("junit-jupiter").configurationParameter(SamplesOnly.PARAMETER, "true");
        if (parallel) {
            kit = kit.configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
                    .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
                    .configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
                    .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
                    .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "4");
        }
        ClassSelector[] selectors = java.util.Arrays.stream(samples).map(c -> selectClass(c)).toArray(ClassSelector[]::new);
        return kit.selectors(selectors).execute();
    }

    private static List<Throwable> failures(EngineExecutionResults results) {
        return results.testEvents().failed().stream().map(Event::getPayload)
                .map(p -> p.map(TestExecutionResult.class::cast).flatMap(TestExecutionResult::getThrowable).orElseThrow())
                .toList();
    }

    private static void assertAllPassed(EngineExecutionResults results, int tests) {
        assertThat(failures(results)).as("failures").isEmpty();
        results.testEvents().assertStatistics(stats -> stats.started(tests).succeeded(tests).failed(0));
    }

    @Test
    void aClassTunnelIsOpenedOnceForAllTestsAndClosedAfter() {
        assertAllPassed(run(false, ClassScopeSample.class), 3);
        assertThat(SEEN).hasSize(3);
        assertThat(SEEN.stream().distinct()).as("one tunnel for the class").hasSize(1);
        assertThat(SEEN.peek().isOpen()).as("closed after the class").isFalse();
        assertThat(REPLIES.values()).containsOnly("200 class sample saw /hook");
    }

    @Test
    void aMethodTunnelIsOpenedForEachTestToTheServerItsBeforeEachStarted() {
        assertAllPassed(run(false, MethodScopeSample.class), 3);
        assertThat(SEEN).hasSize(3);
        assertThat(SEEN.stream().map(Tunnel::publicUrl).distinct()).as("a tunnel per test").hasSize(3);
        assertThat(SEEN).allSatisfy(t -> assertThat(t.isOpen()).as("closed after its test").isFalse());
        // Each test reached the app its own @BeforeEach started: the reply names that test.
        assertThat(REPLIES).containsOnly(Map.entry("one", "200 app one saw /one"),
                Map.entry("two", "200 app two saw /two"), Map.entry("three", "200 app three saw /three"));
    }

    @Test
    void parallelTestsShareTheirClassTunnelOrGetTheirOwn() {
        assertAllPassed(run(true, ParallelClassSample.class, ParallelMethodSample.class), 8);
        assertThat(SEEN).hasSize(8);
        // Four tests of the class-level sample saw one tunnel; four method-level ones, one each.
        assertThat(SEEN.stream().map(Tunnel::publicUrl).distinct()).hasSize(5);
        assertThat(SEEN).allSatisfy(t -> assertThat(t.isOpen()).isFalse());
        assertThat(REPLIES).hasSize(8);
        REPLIES.forEach((test, reply) -> assertThat(reply).endsWith("saw /" + test));
    }

    @Test
    void noPortFailsEachTestWithWhatToWrite() {
        EngineExecutionResults results = run(false, NoPortSample.class);
        results.testEvents().assertStatistics(stats -> stats.started(2).failed(2));
        assertThat(failures(results)).allSatisfy(e -> assertThat(e.getMessage())
                .contains("names no port").contains("@WithPublicUrl(port = 8080)").contains("@io.lrok.junit.LocalPort"));
    }

    @Test
    void aServerNotStartedYetFailsWithWhatToDo() {
        EngineExecutionResults results = run(false, PortNotSetSample.class);
        results.testEvents().assertStatistics(stats -> stats.started(1).failed(1));
        assertThat(failures(results)).singleElement().satisfies(e -> assertThat(e.getMessage())
                .contains("@LocalPort PortNotSetSample.port is 0 when the tunnel opens")
                .contains("start the server in a @BeforeAll or @BeforeEach method"));
    }

    @Test
    void aRelayThatCannotBeReachedFailsEveryTestWithWhereTheRelayComesFrom() {
        EngineExecutionResults results = run(false, UnreachableRelaySample.class);
        results.testEvents().assertStatistics(stats -> stats.started(2).failed(2));
        assertThat(failures(results)).allSatisfy(e -> assertThat(e.getMessage())
                .contains("could not open a tunnel [relay_unreachable]")
                .contains("-Dlrok.relay=").contains("LROK_RELAY").contains("config.properties")
                .contains("io.lrok:lrok-relay-embedded"));
    }

    // ---- samples: run only through run(...) above ----

    @SamplesOnly
    @WithPublicUrl
    static class ClassScopeSample {
        static NamedApp app;

        @BeforeAll
        static void start() throws Exception {
            app = NamedApp.start("class sample");
        }

        @AfterAll
        static void stop() {
            app.close();
        }

        @LocalPort
        static Integer port() {
            return app.port();
        }

        @Test
        void a(Tunnel tunnel) throws Exception {
            use("a", tunnel);
        }

        @Test
        void b(Tunnel tunnel) throws Exception {
            use("b", tunnel);
        }

        @Test
        void c(Tunnel tunnel) throws Exception {
            use("c", tunnel);
        }

        private static void use(String test, Tunnel tunnel) throws Exception {
            SEEN.add(tunnel);
            REPLIES.put(test, get(tunnel.publicUrl().resolve("/hook")));
        }
    }

    @SamplesOnly
    static class MethodScopeSample {
        NamedApp app;
        @LocalPort
        int port;
        @PublicUrl
        URI publicUrl;

        @BeforeEach
        void start(org.junit.jupiter.api.TestInfo info) throws Exception {
            app = NamedApp.start("app " + info.getTestMethod().orElseThrow().getName());
            port = app.port();
        }

        @AfterEach
        void stop() {
            app.close();
        }

        @Test
        @WithPublicUrl
        void one(Tunnel tunnel) throws Exception {
            use("one", tunnel);
        }

        @Test
        @WithPublicUrl
        void two(Tunnel tunnel) throws Exception {
            use("two", tunnel);
        }

        @Test
        @WithPublicUrl
        void three(Tunnel tunnel) throws Exception {
            use("three", tunnel);
        }

        private void use(String test, Tunnel tunnel) throws Exception {
            assertThat(publicUrl).isEqualTo(tunnel.publicUrl());
            SEEN.add(tunnel);
            REPLIES.put(test, get(publicUrl.resolve("/" + test)));
        }
    }

    /** Released when two tests run at once: the samples below check they really ran in parallel. */
    static volatile CountDownLatch together = new CountDownLatch(2);

    static void meet() throws InterruptedException {
        together.countDown();
        assertThat(together.await(60, TimeUnit.SECONDS)).as("another test ran at the same time").isTrue();
    }

    @SamplesOnly
    @WithPublicUrl
    @Execution(ExecutionMode.CONCURRENT)
    static class ParallelClassSample {
        static NamedApp app;

        @BeforeAll
        static void start() throws Exception {
            app = NamedApp.start("shared");
        }

        @AfterAll
        static void stop() {
            app.close();
        }

        @LocalPort
        static int port() {
            return app.port();
        }

        @Test
        void c1(Tunnel tunnel) throws Exception {
            use("c1", tunnel);
        }

        @Test
        void c2(Tunnel tunnel) throws Exception {
            use("c2", tunnel);
        }

        @Test
        void c3(Tunnel tunnel) throws Exception {
            use("c3", tunnel);
        }

        @Test
        void c4(Tunnel tunnel) throws Exception {
            use("c4", tunnel);
        }

        static void use(String test, Tunnel tunnel) throws Exception {
            meet();
            SEEN.add(tunnel);
            REPLIES.put(test, get(tunnel.publicUrl().resolve("/" + test)));
            assertThat(tunnel.awaitRequest(r -> r.path().equals("/" + test), Duration.ofSeconds(10))).isNotNull();
        }
    }

    @SamplesOnly
    @Execution(ExecutionMode.CONCURRENT)
    static class ParallelMethodSample {
        static NamedApp app;

        @BeforeAll
        static void start() throws Exception {
            app = NamedApp.start("own");
        }

        @AfterAll
        static void stop() {
            app.close();
        }

        @LocalPort
        static int port() {
            return app.port();
        }

        @Test
        @WithPublicUrl
        void m1(Tunnel tunnel) throws Exception {
            ParallelClassSample.use("m1", tunnel);
        }

        @Test
        @WithPublicUrl
        void m2(Tunnel tunnel) throws Exception {
            ParallelClassSample.use("m2", tunnel);
        }

        @Test
        @WithPublicUrl
        void m3(Tunnel tunnel) throws Exception {
            ParallelClassSample.use("m3", tunnel);
        }

        @Test
        @WithPublicUrl
        void m4(Tunnel tunnel) throws Exception {
            ParallelClassSample.use("m4", tunnel);
        }
    }

    @SamplesOnly
    @WithPublicUrl
    static class NoPortSample {
        @Test
        void a(URI publicUrl) {
            assertThat(publicUrl).isNotNull();
        }

        @Test
        void b() {
            // fails before it runs: the tunnel opens before each test at the latest
        }
    }

    @SamplesOnly
    static class PortNotSetSample {
        @LocalPort
        int port;

        @Test
        @WithPublicUrl
        void a() {
            // fails before it runs: the port is still 0
        }
    }

    @SamplesOnly
    @WithPublicUrl(port = 9, relay = "lrok+plain://127.0.0.1:1")
    static class UnreachableRelaySample {
        @Test
        void a(URI publicUrl) {
            assertThat(publicUrl).isNotNull();
        }

        @Test
        void b() {
            // fails before it runs: the class's tunnel opens before all tests
        }
    }
}
