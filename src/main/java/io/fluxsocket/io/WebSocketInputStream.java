package io.fluxsocket.io;

import io.fluxsocket.StreamWebSocket;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.util.concurrent.Queues;

/**
 * A blocking {@link InputStream} of the bytes a {@link StreamWebSocket} receives: the sole
 * subscriber of its {@link StreamWebSocket#receive() receive()}, read by blocking threads.
 *
 * <h2>Reads and flow control</h2>
 * It subscribes when it is created (so a second {@code inputStream()}, or {@code receive()} already
 * subscribed, fails at once with {@link IllegalStateException}), but asks for data only when it is
 * first read. From then on it reads ahead by bytes, not by buffers: {@code receive()} emits pieces
 * of at most 64 KiB (one socket read), and the stream requests more pieces only while the bytes it
 * holds plus the pieces requested, each counted at an estimate (the largest piece read in the last
 * two rounds of requests, and at least {@value #PREFETCH_BYTES} / {@value #MAX_PIECES} bytes), stay
 * within {@value #PREFETCH_BYTES} bytes; it asks again once half of that room is free, so that a
 * stream of small messages costs one hand-over between the connection's thread and the reader per
 * many pieces. At most {@value #MAX_PIECES} pieces are requested or queued at a time. So a reader
 * that stops reading stops the socket being read (once the library's receive budget is full too),
 * and the stream then holds
 * <ul>
 * <li>at most {@value #PREFETCH_BYTES} bytes while no piece is larger than that estimate (a steady
 *     stream of messages of one size up to 64 KiB, for example);</li>
 * <li>at most {@value #MAX_PIECES} × 64 KiB ({@value #MAX_HELD} bytes) in any case: pieces
 *     requested while they were small can each bring up to 64 KiB if the server switches to
 *     larger frames;</li>
 * </ul>
 * on top of what the library itself holds for the connection (its receive budget, see
 * {@link StreamWebSocket}). {@link #read(byte[], int, int)} returns as soon as any bytes are
 * available, never waiting to fill the array; it returns {@code -1} after the server's Close (the
 * connection closed normally) and throws a {@link WebSocketIOException} with the status of the
 * failure (its cause is the {@link io.fluxsocket.WebSocketException}) when the connection failed,
 * on every later read too. {@link #available()} is the number of bytes received and not yet read.
 * The buffers are heap copies that {@code receive()} hands over: no Netty buffer is held, so
 * nothing needs releasing.
 *
 * <h2>Timeouts, interrupts, threads</h2>
 * A read waits at most the {@link #setReadTimeout read timeout} (default: none) and then throws
 * {@link SocketTimeoutException}; the stream stays usable. An interrupt of a waiting reader throws
 * {@link InterruptedIOException} (with the thread's interrupt status set again); no byte is taken
 * from the stream by a read that throws, so none is lost or read twice. Blocking methods called on a
 * non-blocking thread (an event loop, a Reactor parallel or single scheduler) throw
 * {@link IllegalStateException} at once: they would deadlock. Use {@code receive()} there.
 * Thread-safe; concurrent readers get disjoint bytes (they take turns; the read timeout counts the
 * wait for a turn too).
 *
 * <h2>Closing</h2>
 * {@link #close()} stops reading for this stream only: it cancels the {@code receive()}
 * subscription and drops the bytes it held. The connection stays open: an
 * {@link WebSocketOutputStream} or a {@code send} still writing goes on, and data that arrives
 * later is read and discarded (so the server's Close can still arrive). To end the connection, call
 * {@link StreamWebSocket#close(int, String)}. Reads after {@code close()} throw a
 * {@link WebSocketIOException} with status {@code CLOSED}.
 */
public final class WebSocketInputStream extends InputStream {

    /*
     * The event loop is the single producer of the piece queue and takes no lock; one reader at a
     * time (holding the lock) consumes it, and waits for data by parking. Invariants:
     * - a piece is offered to the queue before arrivedBytes counts it (a volatile write, then
     *   arrivedPieces), and then the producer reads parked; a reader that finds no piece publishes
     *   itself in parked (a volatile write) and reads arrivedBytes again before it parks: either
     *   it sees the piece, or the producer sees it and unparks it (the two volatile write-then-read
     *   pairs cannot both miss each other). The producer clears parked as it unparks: one unpark
     *   per wait, however many pieces follow, so a stream of small pieces costs no lock and no
     *   system call per piece on the event loop;
     * - a request is made only while queued + (requested - arrived pieces) x estimate fits in
     *   PREFETCH_BYTES, and estimate >= PREFETCH_BYTES / MAX_PIECES; every piece is at most
     *   MAX_PIECE bytes. So what is held never exceeds MAX_PIECES x MAX_PIECE.
     */

    /** The bytes the stream reads ahead while pieces stay the size of recent ones. */
    static final int PREFETCH_BYTES = 256 * 1024;
    /** The most pieces requested or queued at once; it also floors the size estimate. */
    static final int MAX_PIECES = 128;
    /** The largest piece {@code receive()} emits: one socket read. */
    static final int MAX_PIECE = 64 * 1024;
    /** The most bytes the stream ever holds: {@link #MAX_PIECES} pieces of {@link #MAX_PIECE}. */
    static final int MAX_HELD = MAX_PIECES * MAX_PIECE;
    /** The smallest size a requested piece is counted at. */
    private static final int MIN_ESTIMATE = PREFETCH_BYTES / MAX_PIECES;

    /** Held by a reader for its whole call, waits included: one reader at a time takes pieces. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Received pieces not yet read, oldest first; the head may be partly read. Single producer. */
    private final Queue<ByteBuffer> queue = Queues.<ByteBuffer>unbounded(Queues.SMALL_BUFFER_SIZE).get();

    // Written by the event loop (receive()'s signals), read by readers.
    /** Bytes of the pieces offered to {@link #queue} so far. */
    private volatile long arrivedBytes;
    /** Pieces offered to {@link #queue} so far (written after {@link #arrivedBytes}). */
    private volatile long arrivedPieces;
    /** receive() ended: normally if {@link #error} is null (written before done). */
    private volatile boolean done;
    private volatile Throwable error;
    /** The receive() subscription, once given. */
    private volatile Subscription upstream;

    /** The reader parked waiting for data, or null: set by it, cleared by whoever unparks it. */
    private volatile Thread parked;
    /** close() was called (any thread): pieces that still arrive are dropped. */
    private volatile boolean closed;
    /** Bytes taken from {@link #queue} by reads and skips (written under lock, read by available()). */
    private volatile long takenBytes;

    // Guarded by lock.
    /** Pieces requested from receive() so far; 0 until the first read. */
    private long requestedPieces;
    /** The largest piece taken since the last request, and in the window before it. */
    private int largestRecent;
    private int largestBefore = MAX_PIECE;

    /** The read timeout in nanoseconds; 0: none (any thread, volatile for setReadTimeout). */
    private volatile long readTimeoutNanos;

    private WebSocketInputStream() {
    }

    /**
     * Subscribes to {@code socket.receive()} (requesting nothing yet) and returns the stream.
     *
     * @throws IllegalStateException if {@code receive()} already has a subscriber: an earlier
     *     input stream or a reactive subscriber; it accepts one
     */
    public static WebSocketInputStream of(StreamWebSocket socket) {
        WebSocketInputStream in = new WebSocketInputStream();
        socket.receive().subscribe(in.new Receiver());
        if (in.done && in.error instanceof IllegalStateException) {
            throw new IllegalStateException("inputStream(): receive() already has a subscriber (an earlier "
                    + "inputStream() or a receive() subscription) and accepts only one", in.error);
        }
        return in;
    }

    /**
     * Sets how long a read waits for data before it throws {@link SocketTimeoutException}.
     *
     * @param timeout a positive duration, or {@link Duration#ZERO} for no limit (the default)
     */
    public void setReadTimeout(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("read timeout must not be negative: " + timeout);
        }
        readTimeoutNanos = timeout.toNanos();
    }

    /** The read timeout; {@link Duration#ZERO} for none. */
    public Duration readTimeout() {
        return Duration.ofNanos(readTimeoutNanos);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        Blocking.check("read", "use receive() instead");
        int n = 0;
        long more;
        long timeout = readTimeoutNanos;
        long deadline = System.nanoTime() + timeout;
        lockReader(timeout);
        try {
            if (!awaitData(timeout, deadline)) {
                return -1;
            }
            for (ByteBuffer head; n < len && (head = queue.peek()) != null; ) {
                int take = Math.min(len - n, head.remaining());
                head.get(b, off + n, take);
                n += take;
                taken(head, take);
            }
            more = moreToRequest();
        } finally {
            lock.unlock();
        }
        request(more);
        return n;
    }

    /**
     * Skips up to {@code n} bytes, waiting (as {@link #read} does) until at least one is
     * available; returns 0 at the end of the stream.
     */
    @Override
    public long skip(long n) throws IOException {
        if (n <= 0) {
            return 0;
        }
        Blocking.check("skip", "use receive() instead");
        long skipped = 0;
        long more;
        long timeout = readTimeoutNanos;
        long deadline = System.nanoTime() + timeout;
        lockReader(timeout);
        try {
            if (!awaitData(timeout, deadline)) {
                return 0;
            }
            for (ByteBuffer head; skipped < n && (head = queue.peek()) != null; ) {
                int take = (int) Math.min(n - skipped, head.remaining());
                head.position(head.position() + take);
                skipped += take;
                taken(head, take);
            }
            more = moreToRequest();
        } finally {
            lock.unlock();
        }
        request(more);
        return skipped;
    }

    /** Bytes received and not yet read: a read of at most this many does not block. */
    @Override
    public int available() throws IOException {
        if (closed) {
            throw WebSocketIOException.closed("the input stream is closed");
        }
        // A piece can be taken before arrivedBytes counts it: never report less than 0.
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, arrivedBytes - takenBytes));
    }

    /**
     * Stops reading for this stream: cancels the {@code receive()} subscription, drops what was
     * held and wakes blocked readers with {@code CLOSED}. The connection is not closed (see the
     * class description). Idempotent; may be called on any thread.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        unparkReader();
        // A reader holding the lock drops the pieces itself when it sees the close.
        if (lock.tryLock()) {
            try {
                dropQueue();
            } finally {
                lock.unlock();
            }
        }
        Subscription s = upstream;
        if (s != null) {
            s.cancel();
        }
    }

    /** Pieces requested and not received yet (for tests: a stalled reader's state is settled at 0). */
    long outstandingPieces() {
        lock.lock();
        try {
            return requestedPieces - arrivedPieces;
        } finally {
            lock.unlock();
        }
    }

    /** Takes the reader lock, waiting at most {@code timeout} nanoseconds (0: no limit) for it. */
    private void lockReader(long timeout) throws IOException {
        if (lock.tryLock()) {
            // No other reader: an interrupt matters only to a reader that has to wait.
            return;
        }
        try {
            if (timeout == 0) {
                lock.lockInterruptibly();
            } else if (!lock.tryLock(timeout, TimeUnit.NANOSECONDS)) {
                throw timedOut(timeout);
            }
        } catch (InterruptedException e) {
            throw interrupted(e);
        }
    }

    /**
     * Waits until data is queued (true) or the stream ended normally (false); throws for a
     * failure, a close, the read timeout ({@code timeout} nanoseconds, 0: none, ending at
     * {@code deadline}) or an interrupt. Holds the lock.
     */
    private boolean awaitData(long timeout, long deadline) throws IOException {
        while (true) {
            if (closed) {
                dropQueue();
                throw WebSocketIOException.closed("the input stream is closed");
            }
            // Read done before looking at the queue: pieces offered before the end are then visible.
            boolean ended = done;
            if (queue.peek() != null) {
                return true;
            }
            if (ended) {
                if (error == null) {
                    return false;
                }
                throw WebSocketIOException.of(error);
            }
            if (requestedPieces == 0) {
                // The first read asks for data (the request only queues a task on the event loop).
                request(moreToRequest());
                continue;
            }
            if (Thread.currentThread().isInterrupted()) {
                // The interrupt status stays set, as the JDK's blocking streams leave it.
                throw new InterruptedIOException("interrupted while waiting for data");
            }
            long left = deadline - System.nanoTime();
            if (timeout != 0 && left <= 0) {
                throw timedOut(timeout);
            }
            parked = Thread.currentThread();
            // Published as parked: a piece counted from now on unparks; look once more for one
            // counted just before (see the invariants).
            if (arrivedBytes > takenBytes || queue.peek() != null || done || closed) {
                parked = null;
                continue;
            }
            if (timeout == 0) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, left);
            }
            parked = null;
        }
    }

    private static SocketTimeoutException timedOut(long timeout) {
        return new SocketTimeoutException("no data within the read timeout of "
                + TimeUnit.NANOSECONDS.toMillis(timeout) + " ms");
    }

    private static InterruptedIOException interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        InterruptedIOException io = new InterruptedIOException("interrupted while waiting for data");
        io.initCause(e);
        return io;
    }

    /** Drops the queued pieces after a close. Holds the lock (the queue's one consumer). */
    private void dropQueue() {
        while (queue.poll() != null) {
            // Dropped: the stream is closed.
        }
    }

    /** Accounts {@code take} bytes read from the head, removing it once used up. Holds the lock. */
    private void taken(ByteBuffer head, int take) {
        takenBytes += take;
        if (!head.hasRemaining()) {
            queue.poll();
            largestRecent = Math.max(largestRecent, head.limit());
        }
    }

    /**
     * How many pieces to request now, counted as requested: as many as fit in the prefetch bound
     * at the estimated piece size, once at least half of the full window fits (a request hops to
     * the event loop: batching them is what makes small pieces cheap). Holds the lock.
     */
    private long moreToRequest() {
        if (closed || done) {
            return 0;
        }
        int estimate = Math.max(MIN_ESTIMATE, Math.max(largestRecent, largestBefore));
        // Pieces before bytes (the producer counts them the other way round): a piece that is
        // arriving is then counted as held and requested both, never as neither.
        long outstanding = requestedPieces - arrivedPieces;
        long held = Math.max(0, arrivedBytes - takenBytes);
        long fit = (PREFETCH_BYTES - held) / estimate - outstanding;
        if (fit <= 0 || fit < PREFETCH_BYTES / estimate / 2) {
            return 0;
        }
        requestedPieces += fit;
        largestBefore = largestRecent;
        largestRecent = 0;
        return fit;
    }

    /** Requests {@code n} more pieces, outside the lock: the subscription hops to the event loop. */
    private void request(long n) {
        Subscription s = upstream;
        if (n > 0 && s != null && !closed) {
            s.request(n);
        }
    }

    /** Wakes the parked reader, if any; called after a change it waits for (any thread). */
    private void unparkReader() {
        Thread t = parked;
        if (t != null) {
            parked = null;
            LockSupport.unpark(t);
        }
    }

    /** The subscriber of receive(): its signals arrive on the event loop and never block. */
    private final class Receiver implements CoreSubscriber<ByteBuffer> {

        @Override
        public void onSubscribe(Subscription s) {
            upstream = s;
        }

        @Override
        public void onNext(ByteBuffer buffer) {
            // Closed: the cancel is on its way; what still arrives is dropped.
            if (closed) {
                return;
            }
            queue.offer(buffer);
            arrivedBytes += buffer.remaining();
            arrivedPieces++;
            unparkReader();
        }

        @Override
        public void onError(Throwable t) {
            end(t);
        }

        @Override
        public void onComplete() {
            end(null);
        }

        private void end(Throwable t) {
            error = t;
            done = true;
            unparkReader();
        }
    }
}
