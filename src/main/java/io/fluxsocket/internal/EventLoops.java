package io.fluxsocket.internal;

import io.netty.channel.EventLoop;

/** Running work on a connection's event loop, where its state lives. */
final class EventLoops {

    private EventLoops() {
    }

    /** Runs {@code task} now if the caller is on {@code eventLoop}, else queues it there. */
    static void run(EventLoop eventLoop, Runnable task) {
        if (eventLoop.inEventLoop()) {
            task.run();
        } else {
            eventLoop.execute(task);
        }
    }
}
