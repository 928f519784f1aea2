package io.lrok.internal.inspect;

import java.time.Duration;
import java.util.Objects;

/**
 * What an HTTP tunnel records and whether it serves the inspector page; every limit of the inspector. Immutable.
 *
 * @param capture             whether exchanges are recorded at all; without it there is no inspector either
 * @param capacity            how many exchanges the ring keeps; the oldest goes when a new one comes
 * @param bodyLimit           how many bytes of each request body and each response body are kept
 * @param inspector           whether the inspector web server runs
 * @param inspectorPort       its port on 127.0.0.1; 0 for a free one
 * @param replayTimeout       how long a replay waits for the local app's response (each read of it)
 * @param maxPendingEvents    how many server-sent events may wait for one slow page before it is disconnected (it
 *                            reconnects and reloads the list)
 * @param eventsHeartbeat     how often an idle event stream gets a comment line, so a page that went away is
 *                            noticed
 */
public record InspectSettings(boolean capture, int capacity, int bodyLimit, boolean inspector, int inspectorPort,
        Duration replayTimeout, int maxPendingEvents, Duration eventsHeartbeat) {

    /** Exchanges kept per tunnel: 1,000. */
    public static final int DEFAULT_CAPACITY = 1_000;
    /** Bytes kept of each body: 64 KiB. With the default capacity a tunnel holds at most 1,000 × 2 × 64 KiB. */
    public static final int DEFAULT_BODY_LIMIT = 64 * 1024;
    /** A replay waits 30 s for each read of the local app's response. */
    public static final Duration DEFAULT_REPLAY_TIMEOUT = Duration.ofSeconds(30);
    /** 10,000 events queued for one page: far more than a burst of a full ring's worth of updates. */
    public static final int DEFAULT_MAX_PENDING_EVENTS = 10_000;
    /** A comment line every 15 s on an idle event stream. */
    public static final Duration DEFAULT_EVENTS_HEARTBEAT = Duration.ofSeconds(15);
    /** The largest body limit: 16 MiB per body. */
    public static final int MAX_BODY_LIMIT = 16 * 1024 * 1024;

    /** Checks the values. */
    public InspectSettings {
        if (capacity < 1) throw new IllegalArgumentException("capture capacity must be at least 1: " + capacity);
        if (bodyLimit < 0 || bodyLimit > MAX_BODY_LIMIT) {
            throw new IllegalArgumentException("capture body limit must be between 0 and " + MAX_BODY_LIMIT + ": "
                    + bodyLimit);
        }
        if (inspectorPort < 0 || inspectorPort > 65_535) {
            throw new IllegalArgumentException("inspector port must be between 0 and 65535: " + inspectorPort);
        }
        Objects.requireNonNull(replayTimeout, "replayTimeout");
        if (replayTimeout.isNegative() || replayTimeout.isZero()) {
            throw new IllegalArgumentException("replayTimeout must be positive");
        }
        if (maxPendingEvents < 1) throw new IllegalArgumentException("maxPendingEvents must be at least 1");
        Objects.requireNonNull(eventsHeartbeat, "eventsHeartbeat");
        if (eventsHeartbeat.isNegative() || eventsHeartbeat.isZero()) {
            throw new IllegalArgumentException("eventsHeartbeat must be positive");
        }
    }

    /** @return capture on, the inspector on a free port, and the {@code DEFAULT_*} limits */
    public static InspectSettings defaults() {
        return new InspectSettings(true, DEFAULT_CAPACITY, DEFAULT_BODY_LIMIT, true, 0, DEFAULT_REPLAY_TIMEOUT,
                DEFAULT_MAX_PENDING_EVENTS, DEFAULT_EVENTS_HEARTBEAT);
    }

    /** @param value whether to record @return a copy with it */
    public InspectSettings withCapture(boolean value) {
        return new InspectSettings(value, capacity, bodyLimit, inspector, inspectorPort, replayTimeout,
                maxPendingEvents, eventsHeartbeat);
    }

    /** @param value the ring's capacity @return a copy with it */
    public InspectSettings withCapacity(int value) {
        return new InspectSettings(capture, value, bodyLimit, inspector, inspectorPort, replayTimeout,
                maxPendingEvents, eventsHeartbeat);
    }

    /** @param value the body limit @return a copy with it */
    public InspectSettings withBodyLimit(int value) {
        return new InspectSettings(capture, capacity, value, inspector, inspectorPort, replayTimeout,
                maxPendingEvents, eventsHeartbeat);
    }

    /** @param value whether to serve the inspector @return a copy with it */
    public InspectSettings withInspector(boolean value) {
        return new InspectSettings(capture, capacity, bodyLimit, value, inspectorPort, replayTimeout,
                maxPendingEvents, eventsHeartbeat);
    }

    /** @param value the inspector's port, 0 for a free one @return a copy with it */
    public InspectSettings withInspectorPort(int value) {
        return new InspectSettings(capture, capacity, bodyLimit, inspector, value, replayTimeout, maxPendingEvents,
                eventsHeartbeat);
    }

    /** @param value the replay timeout @return a copy with it */
    public InspectSettings withReplayTimeout(Duration value) {
        return new InspectSettings(capture, capacity, bodyLimit, inspector, inspectorPort, value, maxPendingEvents,
                eventsHeartbeat);
    }
}
