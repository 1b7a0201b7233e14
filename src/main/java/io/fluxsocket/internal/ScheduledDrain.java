package io.fluxsocket.internal;

import io.netty.channel.EventLoop;

import java.util.concurrent.atomic.AtomicBoolean;

/** Runs a drain on the event loop for signals from any thread: at once there, else once per burst. */
final class ScheduledDrain {

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
        } else if (scheduled.compareAndSet(false, true)) {
            eventLoop.execute(() -> {
                scheduled.set(false);
                drain.run();
            });
        }
    }
}
