package io.fluxsocket.testing.fault;

import io.fluxsocket.testing.fault.Fault.Direction;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One direction of a {@link Link}: reads its source one read at a time (auto-read off), delays
 * the bytes as the direction's timing fault says, writes them to its destination in order, and
 * applies the terminal fault at its position. At most {@link #QUEUE_LIMIT} bytes wait in the
 * relay and it reads only while its destination is writable, so a slow side slows the other down
 * as TCP would. Event loop of the link only.
 */
final class Relay {

    /** The most bytes read and not yet written before the relay stops reading its source. */
    static final int QUEUE_LIMIT = 64 * 1024;

    private final Direction direction;
    private final Link link;
    private final Channel source;
    private final Channel destination;
    /** The latency, throttle or drip of this direction, or null. */
    private final Fault timing;
    /** The cut or stall of this direction, or null; found by {@link #locator}. */
    private final Fault terminal;
    private final Locator locator;
    private final SplittableRandom random;

    /** Bytes read from the source, written to the destination (completed), and dropped. */
    private long read;
    private long forwarded;
    private long dropped;
    /** The terminal position was passed: later bytes are dropped. */
    private boolean ended;
    /** No more reads of the source: stalled, or the link is being torn down. */
    private boolean stopped;
    /** Bytes, and actions (a terminal fault, a close), waiting for their time, in order. */
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private long queuedBytes;
    /** When the last queued item is due: nothing is due before it. */
    private long lastDue;
    /** The pump scheduled for the head's due time, or null. */
    private ScheduledFuture<?> wake;

    private record Pending(ByteBuf bytes, long due, Runnable action) {
    }

    Relay(Direction direction, Link link, Channel source, Channel destination, Fault timing, Fault terminal, long seed) {
        this.direction = direction;
        this.link = link;
        this.source = source;
        this.destination = destination;
        this.timing = timing;
        this.terminal = terminal;
        this.locator = terminal == null ? null : new Locator(terminal.at());
        this.random = new SplittableRandom(seed);
    }

    Direction direction() {
        return direction;
    }

    long read() {
        return read;
    }

    long forwarded() {
        return forwarded;
    }

    long dropped() {
        return dropped;
    }

    /** Asks for the first read. */
    void start() {
        maybeRead();
    }

    /** A read of the source; takes the buffer. */
    void onRead(ByteBuf buf) {
        int length = buf.readableBytes();
        read += length;
        if (ended) {
            dropped += length;
            buf.release();
            return;
        }
        if (locator != null) {
            int before = locator.before(buf);
            if (locator.reached()) {
                ended = true;
                if (terminal.kind() == Fault.Kind.STALL) {
                    stopped = true;
                }
                if (before > 0) {
                    enqueue(buf.retainedSlice(buf.readerIndex(), before));
                }
                dropped += length - before;
                buf.release();
                enqueueAction(this::fire);
                pump();
                return;
            }
        }
        enqueue(buf);
        pump();
    }

    /** The source's read loop ended: ask for the next read if there is room. */
    void onReadComplete() {
        maybeRead();
    }

    /** The destination's writability changed. */
    void onWritable() {
        pump();
        maybeRead();
    }

    /**
     * The source closed: the destination is closed after the bytes before it were written, or
     * reset if the source was reset. Nothing is closed after a stall (the other side must not
     * learn of it), nor after a FIN (closing a side whose bytes are not all read would reset it: the
     * side closes when it has seen the FIN and closed its end).
     */
    void onSourceClosed(boolean reset) {
        if (ended && terminal != null && terminal.kind() == Fault.Kind.STALL || link.finished()) {
            return;
        }
        enqueueAction(() -> link.closeQuietly(destination, reset));
        pump();
    }

    /** From now on every read is dropped, and the source is read until it closes (after a FIN). */
    void drainAndDrop() {
        ended = true;
        releaseQueue();
        source.config().setAutoRead(true);
    }

    /** Releases what waits; no more reads. */
    void stop() {
        stopped = true;
        releaseQueue();
    }

    private void releaseQueue() {
        if (wake != null) {
            wake.cancel(false);
            wake = null;
        }
        for (Pending p : queue) {
            if (p.bytes() != null) {
                dropped += p.bytes().readableBytes();
                p.bytes().release();
            }
        }
        queue.clear();
        queuedBytes = 0;
    }

    private void fire() {
        link.faulted(direction, terminal);
    }

    private void enqueue(ByteBuf buf) {
        long now = System.nanoTime();
        if (timing == null) {
            add(buf, Math.max(now, lastDue));
        } else if (timing.kind() == Fault.Kind.LATENCY) {
            long jitter = timing.jitter().toNanos();
            long offset = jitter == 0 ? 0 : random.nextLong(-jitter, jitter + 1);
            add(buf, Math.max(lastDue, now + timing.delay().toNanos() + offset));
        } else {
            // Throttle: pieces of at most a twentieth of a second's bytes; drip: one byte each.
            int piece = timing.kind() == Fault.Kind.DRIP ? 1 : (int) Math.max(1, Math.min(16 * 1024, timing.rate() / 20));
            while (buf.isReadable()) {
                ByteBuf part = buf.readRetainedSlice(Math.min(piece, buf.readableBytes()));
                long due = Math.max(now, lastDue);
                long spacing = timing.kind() == Fault.Kind.DRIP
                        ? timing.delay().toNanos()
                        : part.readableBytes() * 1_000_000_000L / timing.rate();
                add(part, due);
                // The next piece may go only after this one's share of the time.
                lastDue = due + spacing;
            }
            buf.release();
        }
    }

    private void add(ByteBuf buf, long due) {
        queue.add(new Pending(buf, due, null));
        queuedBytes += buf.readableBytes();
        lastDue = Math.max(lastDue, due);
    }

    private void enqueueAction(Runnable action) {
        long due = Math.max(System.nanoTime(), lastDue);
        queue.add(new Pending(null, due, action));
        lastDue = due;
    }

    /** Writes what is due while the destination is writable; wakes again for what is not due yet. */
    private void pump() {
        boolean wrote = false;
        while (!queue.isEmpty()) {
            Pending head = queue.peek();
            long wait = head.due() - System.nanoTime();
            if (wait > 0) {
                if (wake == null) {
                    wake = source.eventLoop().schedule(() -> {
                        wake = null;
                        pump();
                        maybeRead();
                    }, wait, TimeUnit.NANOSECONDS);
                }
                break;
            }
            if (head.action() != null) {
                queue.poll();
                if (wrote) {
                    destination.flush();
                    wrote = false;
                }
                head.action().run();
                continue;
            }
            if (!destination.isWritable()) {
                break;
            }
            queue.poll();
            int length = head.bytes().readableBytes();
            queuedBytes -= length;
            destination.write(head.bytes()).addListener(f -> {
                if (f.isSuccess()) {
                    forwarded += length;
                } else {
                    dropped += length;
                }
            });
            wrote = true;
        }
        if (wrote) {
            destination.flush();
        }
    }

    private void maybeRead() {
        if (!stopped && !ended && queuedBytes < QUEUE_LIMIT && destination.isWritable() && source.isActive()) {
            source.read();
        }
    }

    @Override
    public String toString() {
        return direction + ": read " + read + ", forwarded " + forwarded + ", dropped " + dropped
                + (ended ? ", ended" : "") + (stopped ? ", stopped" : "");
    }
}
