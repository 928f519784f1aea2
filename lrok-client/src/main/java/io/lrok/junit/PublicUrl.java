package io.lrok.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a field of a {@link WithPublicUrl} test class that receives the tunnel: of type {@link io.lrok.Tunnel}, or
 * {@link java.net.URI} for its public URL. Instance fields are set before each test; static fields when a class's
 * tunnel opens. A field must not be final.
 *
 * <pre>{@code
 * @WithPublicUrl(port = 8080)
 * class WebhookTest {
 *     @PublicUrl URI publicUrl;
 *     @PublicUrl Tunnel tunnel;
 * }
 * }</pre>
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface PublicUrl {
}
