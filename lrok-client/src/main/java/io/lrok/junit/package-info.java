/**
 * JUnit 5 support: {@link io.lrok.junit.WithPublicUrl} gives a test a public URL for a local port, with
 * {@link io.lrok.junit.LocalPort} to name the port of a server the test started and {@link io.lrok.junit.PublicUrl}
 * to inject it into fields. Needs {@code junit-jupiter-api} at run time (an optional dependency of lrok-client).
 */
package io.lrok.junit;
