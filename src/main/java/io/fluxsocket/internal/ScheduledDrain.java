package io.fluxsocket.internal;

import io.netty.channel.EventLoop;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a drain on the event loop for signals from any thread: at once there, else once per burst;
 * or {@linkplain #later later} on the event loop, once for a burst of signals made there.
 */
final class ScheduledDrain implements Runnable {

    private final EventLoop eventLoop;
    private final Runnable drain;
    /** A run is queued on the event loop and has not started yet (any thread). */
    private final AtomicBoolean scheduled = new AtomicBoolean();

    ScheduledDrain(EventLoop eventLoop, Runnable drain) {
        this.eventLoop = eventLoop;
        this.drain = drain;
    }

    void schedule() {
        if (eventLoop.inEventLoop()) {
            drain.run();
        } else {
            later();
        }
    }

    /** Runs the drain as a task of the event loop, once for every call made before it starts. */
    void later() {
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            eventLoop.execute(this);
        }
    }

    /** The queued run (event loop). */
    @Override
    public void run() {
        scheduled.set(false);
        drain.run();
    }
}
