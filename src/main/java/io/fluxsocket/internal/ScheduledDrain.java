package io.fluxsocket.internal;

import io.netty.channel.EventLoop;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a drain on the event loop for signals from any thread: at once there, else once per burst;
 * or {@linkplain #later later} on the event loop, once for a burst of signals made there, through
 * the connection's {@link LoopSlice} (so that a chain of later runs cannot hold back socket reads).
 */
final class ScheduledDrain implements Runnable {

    private final EventLoop eventLoop;
    private final Runnable drain;
    /** Where runs asked for on the event loop are queued. */
    private final LoopSlice slice;
    /** A run is queued on the event loop and has not started yet (any thread). */
    private final AtomicBoolean scheduled = new AtomicBoolean();

    ScheduledDrain(EventLoop eventLoop, LoopSlice slice, Runnable drain) {
        this.eventLoop = eventLoop;
        this.slice = slice;
        this.drain = drain;
    }

    void schedule() {
        if (eventLoop.inEventLoop()) {
            drain.run();
        } else if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            eventLoop.execute(this);
        }
    }

    /**
     * Runs the drain as a task of the event loop (through the {@link LoopSlice}), once for every
     * call made before it starts. Event loop.
     */
    void later() {
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            slice.queue(this);
        }
    }

    /** The queued run (event loop). */
    @Override
    public void run() {
        scheduled.set(false);
        drain.run();
    }
}
