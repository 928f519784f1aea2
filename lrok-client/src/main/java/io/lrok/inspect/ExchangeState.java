package io.lrok.inspect;

/** Where a recorded exchange stands. */
public enum ExchangeState {
    /** Still running: the request or the response is still flowing (or an upgraded connection is still open). */
    IN_PROGRESS,
    /** Ended cleanly: the whole response reached the relay (for an upgrade, both sides of the connection ended). */
    COMPLETE,
    /** Ended early: the public client went away, the local app failed mid-response, or the session ended. */
    FAILED
}
