package io.lrok.internal.wire;

/** What a tunnel carries: in {@link ControlMessage.Bind#proto()} and {@link StreamHeader#kind()}. */
public enum Proto {
    /** HTTP/1.1 exchanges routed by Host, one stream per exchange; WebSocket upgrades included. */
    HTTP("http"),
    /** Raw TCP connections on a public port, one stream per connection. */
    TCP("tcp");

    private final String wireName;

    Proto(String wireName) {
        this.wireName = wireName;
    }

    /** @return the name on the wire: {@code http} or {@code tcp} */
    public String wireName() {
        return wireName;
    }

    /** @param name a wire name @return the constant, or null for a name this version does not know */
    public static Proto fromWire(String name) {
        for (Proto p : values()) {
            if (p.wireName.equals(name)) return p;
        }
        return null;
    }
}
