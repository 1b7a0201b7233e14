package io.fluxsocket.io;

import reactor.core.scheduler.Schedulers;

/** The guard of every blocking adapter method: it must not run on a non-blocking thread. */
final class Blocking {

    private Blocking() {
    }

    /**
     * Throws {@link IllegalStateException} when the calling thread is non-blocking: a Reactor
     * Netty event loop (every connection's events run on one) or a Reactor parallel or single
     * scheduler thread. Blocking there would deadlock: the bytes it waits for are moved by that
     * very thread.
     *
     * @param what the operation, e.g. "read", for the message
     * @param instead what to use on such a thread instead
     */
    static void check(String what, String instead) {
        if (Schedulers.isInNonBlockingThread()) {
            throw new IllegalStateException("blocking " + what + " on a non-blocking thread ("
                    + Thread.currentThread().getName() + ") would deadlock: the connection's events run on "
                    + "event-loop threads that must never wait; " + instead);
        }
    }
}
