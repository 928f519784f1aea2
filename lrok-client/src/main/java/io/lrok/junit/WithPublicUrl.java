package io.lrok.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a JUnit 5 test a public URL for a local port: an HTTP {@link io.lrok.Tunnel} opened before the tests and
 * closed after them.
 *
 * <pre>{@code
 * @WithPublicUrl(port = 8080)
 * class WebhookTest {
 *     @Test
 *     void paymentProviderCallsUs(URI publicUrl, Tunnel tunnel) throws Exception {
 *         paymentProvider.registerWebhook(publicUrl.resolve("/hooks"));
 *         RecordedRequest hook = tunnel.takeRequest(Duration.ofSeconds(10));
 *         assertThat(hook.path()).isEqualTo("/hooks");
 *     }
 * }
 * }</pre>
 *
 * <p><b>Lifetime.</b> On a class (or an enclosing class of a {@code @Nested} one) it opens one tunnel for all the
 * class's tests, closed after the last; on a method, a tunnel for that test alone, closed after it (a method's
 * annotation wins over its class's for that method). Tests that run in parallel share a class's tunnel safely.
 *
 * <p><b>The port.</b> {@link #port()} when it is given; otherwise the value of the field or no-argument method of
 * the test class annotated {@link LocalPort} (static or not, an {@code int} or {@code Integer}), read when the tunnel
 * opens, so a server started in a {@code @BeforeAll} or {@code @BeforeEach} method can publish its port there.
 *
 * <p><b>When it opens.</b> A tunnel whose port the annotation names opens before anything of its scope runs
 * (a class's before its {@code @BeforeAll} methods, a method's before its {@code @BeforeEach} methods). A tunnel
 * whose port comes from {@link LocalPort} opens when it is first needed (a parameter of a {@code @BeforeAll},
 * {@code @BeforeEach} or test method) and at the latest right before the test method runs, after the
 * {@code @BeforeEach} methods.
 *
 * <p><b>What is injected.</b> Parameters of type {@link io.lrok.Tunnel} or {@link java.net.URI} (the public URL)
 * of test, lifecycle and constructor methods; and fields annotated {@link PublicUrl} of either type, set before each
 * test (static ones when a class's tunnel opens).
 *
 * <p><b>The relay</b> comes from {@link #relay()} or, when that is empty, from the usual resolution (system
 * property {@code lrok.relay}, {@code LROK_RELAY}, the config file, else a relay inside the test JVM when
 * lrok-relay-embedded is on the test class path), so a suite runs offline. A tunnel that cannot open fails the test
 * with a message that says what to configure.
 *
 * <p>The extension needs {@code org.junit.jupiter:junit-jupiter-api} on the test class path, which every JUnit 5
 * suite has; lrok-client depends on it only optionally. Reading a {@code @LocalPort} or setting a {@code @PublicUrl}
 * member uses reflection: on the module path the test module must open its package to {@code io.lrok.client}.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(WithPublicUrlExtension.class)
public @interface WithPublicUrl {

    /** @return the local port to give a public URL, or 0 (the default) to read it from a {@link LocalPort} member */
    int port() default 0;

    /** @return the subdomain to ask the relay for; empty (the default) for a random name */
    String subdomain() default "";

    /**
     * @return whether to send the local app {@code Host: 127.0.0.1:<port>} instead of the public host name, as dev
     *         servers that check the Host header want (see {@link io.lrok.HttpTunnelBuilder#rewriteHostHeader()})
     */
    boolean rewriteHostHeader() default false;

    /**
     * @return whether to serve the tunnel's inspector page on 127.0.0.1; off by default in tests, where
     *         {@link io.lrok.Tunnel#takeRequest} reads the recorded exchanges without it
     */
    boolean inspector() default false;

    /**
     * @return the relay to dial, such as {@code lrok://relay.example.com} or {@code lrok+plain://127.0.0.1:4443};
     *         empty (the default) for the usual resolution
     */
    String relay() default "";
}
