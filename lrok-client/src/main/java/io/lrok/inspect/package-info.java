/**
 * What an HTTP tunnel recorded: every exchange that passed through it, as immutable values, for test code
 * ({@link io.lrok.Tunnel#takeRequest(java.time.Duration)}, {@link io.lrok.Tunnel#awaitRequest}) and for the inspector
 * web page. See {@link io.lrok.inspect.RecordedExchange} for what is kept and when.
 */
package io.lrok.inspect;
