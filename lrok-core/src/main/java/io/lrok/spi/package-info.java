/**
 * The small types that connect the agent ({@code lrok-client}) to a relay without either depending on the other:
 * {@link io.lrok.spi.RelayEndpoint} says where a relay is and how to trust it; {@link io.lrok.spi.InProcessRelayProvider}
 * lets the agent find an in-process relay through {@link java.util.ServiceLoader} when the relay module is on the
 * class path and nothing else is configured.
 */
package io.lrok.spi;
