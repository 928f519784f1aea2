/**
 * A tiny, strict JSON codec (RFC 8259) for the lrok wire protocol and configuration files: {@link
 * io.lrok.internal.json.Json#parse(String, int)} into plain Java values and {@link
 * io.lrok.internal.json.Json#write(Object)} back. Internal: not part of lrok's API.
 */
package io.lrok.internal.json;
