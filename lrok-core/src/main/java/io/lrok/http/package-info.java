/**
 * HTTP settings shared by the agent and the relay: {@link io.lrok.http.HttpLimits}, the size limits of the
 * HTTP/1.1 heads lrok reads. The HTTP codec itself is internal.
 */
package io.lrok.http;
