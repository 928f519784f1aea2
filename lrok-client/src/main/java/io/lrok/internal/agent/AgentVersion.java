package io.lrok.internal.agent;

/** The agent's version, as sent in hello ({@code lrok-java/<version>}). */
public final class AgentVersion {
    /** From the jar's manifest; the development version when run from classes. */
    public static final String VERSION = AgentVersion.class.getPackage().getImplementationVersion() != null
            ? AgentVersion.class.getPackage().getImplementationVersion() : "0.1.0-SNAPSHOT";

    private AgentVersion() {
    }
}
