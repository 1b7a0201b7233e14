package io.fluxsocket.tck;

import org.reactivestreams.tck.TestEnvironment;

/** The TCK's settings for this library's verifications: its timeouts, raised for real sockets. */
final class Tck {

    /**
     * How long the TCK waits for a signal it expects, and how long {@code verifyNoAsyncErrors()}
     * waits before it looks (TCK default: 100 ms). Raised for loopback connections under Netty's
     * PARANOID leak detection, which records every buffer access.
     */
    static final long DEFAULT_TIMEOUT_MILLIS = 500;
    /**
     * How long the TCK waits to be sure that no signal comes ({@code expectNone}); every such check
     * costs this much, so it is kept at the TCK's default (100 ms), ample on loopback.
     */
    static final long NO_SIGNALS_TIMEOUT_MILLIS = 100;
    /** How often the TCK polls while it waits for a signal. */
    static final long POLL_TIMEOUT_MILLIS = 10;
    /** §3.13: how long after a cancel the publisher may still hold the subscriber (TCK default: 300 ms). */
    static final long PUBLISHER_REFERENCE_GC_TIMEOUT_MILLIS = 300;

    private Tck() {
    }

    static TestEnvironment environment() {
        return new TestEnvironment(DEFAULT_TIMEOUT_MILLIS, NO_SIGNALS_TIMEOUT_MILLIS, POLL_TIMEOUT_MILLIS);
    }
}
