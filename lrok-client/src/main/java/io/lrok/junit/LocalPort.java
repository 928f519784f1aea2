package io.lrok.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the field or no-argument method of a test class that gives the port of the server the test started, for a
 * {@link WithPublicUrl} that names no port. Static or not; of type {@code int} or {@code Integer}. It is read when the
 * tunnel opens; 0 or null then fails the test with a message (the server has not started yet).
 *
 * <pre>{@code
 * @WithPublicUrl
 * class WebhookTest {
 *     static HttpServer app;
 *
 *     @BeforeAll
 *     static void startApp() throws IOException {
 *         app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
 *         app.start();
 *     }
 *
 *     @LocalPort
 *     static int appPort() {
 *         return app.getAddress().getPort();
 *     }
 * }
 * }</pre>
 */
@Target({ElementType.FIELD, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface LocalPort {
}
