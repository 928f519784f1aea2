/**
 * The request inspector's machinery (not API): the per-tunnel ring of recorded exchanges and the recorder the
 * forwarder feeds as bytes pass ({@link io.lrok.internal.inspect.ExchangeStore},
 * {@link io.lrok.internal.inspect.ExchangeRecorder}), replay against the local app, and the inspector web server
 * with its JSON API and page. docs/inspector.md describes them.
 */
package io.lrok.internal.inspect;
