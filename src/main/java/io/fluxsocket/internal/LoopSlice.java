package io.fluxsocket.internal;

import io.netty.channel.EventLoop;

import java.util.concurrent.TimeUnit;

/**
 * Queues the outbound path's own continuations on the event loop (the drain after write
 * completions, the flush of writes made inside a completion) so that they cannot keep the loop
 * from its sockets: as plain tasks while the path has run for less than {@link #SLICE_NANOS}
 * since the loop last polled I/O for it, then as tasks due at once ({@code schedule(task, 0)}),
 * which Netty 4.2's loop takes only after its next I/O poll.
 *
 * <p>Why: the loop runs queued tasks, including those queued by the tasks it runs, for up to
 * {@code io.netty.eventLoop.maxTaskProcessingQuantumMs} (1 s) before it polls the sockets again,
 * and a send whose writes complete inside the flush (a writable socket) queues its next
 * continuation from the one running, without end: the server's FIN, Close, Ping or data waited up
 * to 1 s while megabytes more were written. With this, a read waits at most one slice (plus one
 * continuation and the loop's other tasks) behind a busy send. Scheduled tasks, unlike plain
 * ones, are taken from their queue only at the start of a run of tasks, after the I/O poll.
 *
 * <p>Every continuation of one connection goes through one slice: once it is used up, all of them
 * wait for the poll, so no other continuation carries the chain on. Confined to the event loop.
 */
final class LoopSlice {

    /** How long the outbound path's continuations may run in a row before the loop polls I/O. */
    static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final EventLoop eventLoop;
    /** When the slice began: the last continuation that ran after an I/O poll (or the start). */
    private long sliceStart = System.nanoTime();
    /** The slice is used up: continuations wait for the next I/O poll. */
    private boolean yielding;

    LoopSlice(EventLoop eventLoop) {
        this.eventLoop = eventLoop;
    }

    /** Queues {@code task} on the event loop: at once, or after the loop's next I/O poll. Event loop. */
    void queue(Runnable task) {
        if (hasTime()) {
            eventLoop.execute(task);
            return;
        }
        eventLoop.schedule(() -> {
            if (yielding) {
                yielding = false;
                sliceStart = System.nanoTime();
            }
            task.run();
        }, 0, TimeUnit.NANOSECONDS);
    }

    /**
     * Whether the outbound path may go on now, inside its slice; once it is used up, false until
     * a continuation queued by {@link #queue} ran after the loop's next I/O poll. Event loop.
     */
    boolean hasTime() {
        if (!yielding && System.nanoTime() - sliceStart >= SLICE_NANOS) {
            yielding = true;
        }
        return !yielding;
    }
}
