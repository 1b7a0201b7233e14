package io.fluxsocket.internal;

import io.fluxsocket.BandwidthStatistics;
import io.netty.channel.EventLoop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The bandwidth statistics of one connection: wire bytes and messages each way, the time reads were
 * paused, and the rates over the last second ({@link BandwidthStatistics}).
 *
 * <p>The counts are updated on the event loop, once per socket read, frame write completion or
 * message, with plain arithmetic and ordered stores (one writer); they are read from any thread.
 * Nothing here reads the clock per frame: the rates come from a {@link Sampler} that, while data
 * moves, reads the counts every {@link #SAMPLE_NANOS} on the event loop and stops once nothing
 * moved for a whole window. An idle connection has no sampler and no timer, and a connection that
 * ended has no timer left. Per socket read or frame written, the cost is a plain add, an ordered
 * store and a test of a plain flag.
 */
final class Traffic {

    /** The sliding window of the rates, in samples. */
    private static final int SAMPLES = 4;
    private static final long SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private static final VarHandle WIRE_SENT;
    private static final VarHandle WIRE_RECEIVED;
    private static final VarHandle MESSAGES_SENT;
    private static final VarHandle MESSAGES_RECEIVED;
    private static final VarHandle PAUSED_NANOS;
    private static final VarHandle PAUSED_SINCE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            WIRE_SENT = lookup.findVarHandle(Traffic.class, "wireSent", long.class);
            WIRE_RECEIVED = lookup.findVarHandle(Traffic.class, "wireReceived", long.class);
            MESSAGES_SENT = lookup.findVarHandle(Traffic.class, "messagesSent", long.class);
            MESSAGES_RECEIVED = lookup.findVarHandle(Traffic.class, "messagesReceived", long.class);
            PAUSED_NANOS = lookup.findVarHandle(Traffic.class, "pausedNanos", long.class);
            PAUSED_SINCE = lookup.findVarHandle(Traffic.class, "pausedSince", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final EventLoop loop;
    // Single writer (the event loop), through the VarHandles; any thread reads.
    private volatile long wireSent;
    private volatile long wireReceived;
    private volatile long messagesSent;
    private volatile long messagesReceived;
    /** Time reads were paused, ended pauses only. */
    private volatile long pausedNanos;
    /** When the pause going on began ({@link System#nanoTime()}), or 0. */
    private volatile long pausedSince;
    /** Samples the rates while data moves; made when data first moves (event loop, published for readers). */
    private volatile Sampler sampler;
    /** The sampler runs, or the connection ended: moving data starts nothing (event loop). */
    private boolean sampling;

    Traffic(EventLoop loop) {
        this.loop = loop;
    }

    // ---- counting (event loop) ----

    /** A frame of {@code bytes} (header included) was sent. */
    void sent(long bytes) {
        WIRE_SENT.setRelease(this, wireSent + bytes);
        moved();
    }

    /** A data message's last frame was sent. */
    void messageSent() {
        MESSAGES_SENT.setRelease(this, messagesSent + 1);
    }

    /** {@code bytes} of frames were read from the socket. */
    void received(long bytes) {
        WIRE_RECEIVED.setRelease(this, wireReceived + bytes);
        moved();
    }

    /** A data message's last frame was received. */
    void messageReceived() {
        MESSAGES_RECEIVED.setRelease(this, messagesReceived + 1);
    }

    /** Socket reads stopped ({@code paused}) or started again. */
    void readsPaused(boolean paused) {
        long since = pausedSince;
        if (paused && since == 0) {
            PAUSED_SINCE.setRelease(this, Math.max(1, System.nanoTime()));
        } else if (!paused && since != 0) {
            PAUSED_NANOS.setRelease(this, pausedNanos + (System.nanoTime() - since));
            PAUSED_SINCE.setRelease(this, 0L);
        }
    }

    /** The connection ended: the sampler stops and its timer goes (the statistics stay readable). */
    void stop() {
        sampling = true;
        Sampler s = sampler;
        if (s != null) {
            s.stop();
        }
        readsPaused(false);
    }

    private void moved() {
        if (!sampling) {
            startSampling();
        }
    }

    /** Data moved while the sampler rested (or before there was one): it starts. */
    private void startSampling() {
        Sampler s = sampler;
        if (s == null) {
            sampler = s = new Sampler();
        }
        sampling = true;
        s.start();
    }

    // ---- reading (any thread) ----

    BandwidthStatistics snapshot(long bytesSent, long bytesReceived) {
        long since = pausedSince;
        long paused = pausedNanos + (since == 0 ? 0 : Math.max(0, System.nanoTime() - since));
        Sampler s = sampler;
        long out = s == null ? 0 : s.outBps;
        long in = s == null ? 0 : s.inBps;
        return new BandwidthStatistics(bytesSent, bytesReceived, wireSent, wireReceived, messagesSent,
                messagesReceived, out, in, s != null && peaked(out, s.outPeak), s != null && peaked(in, s.inPeak),
                Duration.ofNanos(paused));
    }

    private static boolean peaked(long rate, long peak) {
        return rate > 0 && rate * 10 >= peak * 9;
    }

    /**
     * Reads the wire counts every {@link #SAMPLE_NANOS} while data moves, and from the last
     * {@link #SAMPLES} + 1 readings the rates over the last second. Event loop; the rates are read
     * from any thread.
     */
    private final class Sampler implements Runnable {

        /** Readings, a ring: times and wire counts each way. */
        private final long[] times = new long[SAMPLES + 1];
        private final long[] outs = new long[SAMPLES + 1];
        private final long[] ins = new long[SAMPLES + 1];
        /** Where the next reading goes, and how many readings there are (at most the ring's size). */
        private int next;
        private int count;
        /** Readings in a row with nothing moved. */
        private int quiet;
        /** The next reading, while the sampler runs; null while it rests or once stopped. */
        private ScheduledFuture<?> timer;
        volatile long outBps;
        volatile long inBps;
        volatile long outPeak;
        volatile long inPeak;

        void start() {
            count = 0;
            quiet = 0;
            read();
            timer = loop.schedule(this, SAMPLE_NANOS, TimeUnit.NANOSECONDS);
        }

        /** The connection ended: no more readings, and the rates are 0. */
        void stop() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
            outBps = 0;
            inBps = 0;
        }

        @Override
        public void run() {
            if (timer == null) {
                // Stopped after this reading was due (its cancel came too late).
                return;
            }
            int previous = last(1);
            boolean moved = outs[previous] != wireSent || ins[previous] != wireReceived;
            read();
            int newest = last(1);
            int oldest = last(count);
            long elapsed = times[newest] - times[oldest];
            long out = rate(outs[newest] - outs[oldest], elapsed);
            long in = rate(ins[newest] - ins[oldest], elapsed);
            outBps = out;
            inBps = in;
            if (out > outPeak) {
                outPeak = out;
            }
            if (in > inPeak) {
                inPeak = in;
            }
            quiet = moved ? 0 : quiet + 1;
            if (quiet >= SAMPLES) {
                // Nothing moved for a whole window: the rates are 0, and the sampler rests until data moves.
                outBps = 0;
                inBps = 0;
                timer = null;
                sampling = false;
                return;
            }
            timer = loop.schedule(this, SAMPLE_NANOS, TimeUnit.NANOSECONDS);
        }

        private void read() {
            times[next] = System.nanoTime();
            outs[next] = wireSent;
            ins[next] = wireReceived;
            next = (next + 1) % times.length;
            count = Math.min(count + 1, times.length);
        }

        /** The index of the reading {@code back} readings ago (1: the newest). */
        private int last(int back) {
            return (next - back + times.length) % times.length;
        }

        private long rate(long bytes, long nanos) {
            return nanos <= 0 ? 0 : (long) (bytes * 8 * 1e9 / nanos);
        }
    }
}
