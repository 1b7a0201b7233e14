package io.fluxsocket.internal;

import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketException;
import io.netty.channel.EventLoop;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The send-timeout watchdog of one connection: while data frames wait to be written, it looks
 * every eighth of the send timeout whether a write completed since it last looked, and tells
 * the owner once none did for the whole timeout. So a stall is reported between 1 and 1.25
 * times the timeout after the last progress, with no clock read per write. Event loop only.
 */
final class SendTimeout {

    private final EventLoop eventLoop;
    private final long timeoutNanos;
    /** Knows the payload bytes written to the channel and not completed. */
    private final FrameWriter writer;
    /** Told of a timeout. */
    private final OutboundOwner owner;

    /** A write completed, or writes started, since the check last looked. */
    private boolean progressed;
    /** When the check last saw progress. */
    private long lastProgressNanos;
    /** The next check, while armed. */
    private ScheduledFuture<?> check;
    /** Stopped for good: the connection sends no more. */
    private boolean stopped;

    SendTimeout(EventLoop eventLoop, long timeoutNanos, FrameWriter writer, OutboundOwner owner) {
        this.eventLoop = eventLoop;
        this.timeoutNanos = timeoutNanos;
        this.writer = writer;
        this.owner = owner;
    }

    /** A data frame is about to be written; {@code idle}: nothing was in flight before it. */
    void writing(boolean idle) {
        if (idle) {
            progressed = true;
        }
        if (check == null && !stopped) {
            check = eventLoop.schedule(this::check, tick(), TimeUnit.NANOSECONDS);
        }
    }

    /** A write completed. */
    void progressed() {
        progressed = true;
    }

    void stop() {
        stopped = true;
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    private long tick() {
        return Math.max(1, timeoutNanos / 8);
    }

    private void check() {
        check = null;
        long waiting = writer.inFlight();
        if (waiting == 0 || stopped) {
            // Nothing waits to be written: armed again by the next write.
            return;
        }
        long now = System.nanoTime();
        if (progressed) {
            progressed = false;
            lastProgressNanos = now;
        }
        if (now - lastProgressNanos >= timeoutNanos) {
            owner.sendTimedOut(new WebSocketException(WebErrorStatus.TIMEOUT, "no write progress for "
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms (sendTimeout); "
                    + waiting + " bytes were still waiting to be written"));
        } else {
            check = eventLoop.schedule(this::check, tick(), TimeUnit.NANOSECONDS);
        }
    }
}
