package io.fluxsocket.io;

import io.fluxsocket.StreamWebSocket;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;

/**
 * A blocking {@link InputStream} of the bytes a {@link StreamWebSocket} receives: the sole
 * subscriber of its {@link StreamWebSocket#receive() receive()}, read by blocking threads.
 *
 * <h2>Reads and flow control</h2>
 * It subscribes when it is created (so a second {@code inputStream()}, or {@code receive()} already
 * subscribed, fails at once with {@link IllegalStateException}), but asks for data only when it is
 * first read. It then keeps at most {@value #PREFETCH} received buffers (each at most one socket
 * read, 64 KiB) requested or queued, and requests one more each time the reader used one up: a
 * reader that stops reading stops the socket being read, within the library's receive budget plus
 * those buffers. {@link #read(byte[], int, int)} returns as soon as any bytes are available, never
 * waiting to fill the array; it returns {@code -1} after the server's Close (the connection closed
 * normally) and throws a {@link WebSocketIOException} with the status of the failure (its cause is
 * the {@link io.fluxsocket.WebSocketException}) when the connection failed, on every later read too.
 * {@link #available()} is the number of bytes received and not yet read. The buffers are heap
 * copies that {@code receive()} hands over: no Netty buffer is held, so nothing needs releasing.
 *
 * <h2>Timeouts, interrupts, threads</h2>
 * A read waits at most the {@link #setReadTimeout read timeout} (default: none) and then throws
 * {@link SocketTimeoutException}; the stream stays usable. An interrupt of a waiting reader throws
 * {@link InterruptedIOException} (with the thread's interrupt status set again); no byte is taken
 * from the stream by a read that throws, so none is lost or read twice. Blocking methods called on a
 * non-blocking thread (an event loop, a Reactor parallel or single scheduler) throw
 * {@link IllegalStateException} at once: they would deadlock. Use {@code receive()} there.
 * Thread-safe; concurrent readers get disjoint bytes.
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

    /** Buffers requested or queued at most, beyond what the reader consumed. */
    static final int PREFETCH = 2;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when data, the end, or a close arrives. */
    private final Condition changed = lock.newCondition();

    // Guarded by lock; written by the event loop (signals) and readers.
    /** Received buffers not yet read, oldest first; the head may be partly read. */
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    /** Sum of the remaining bytes in {@link #queue}. */
    private long queuedBytes;
    /** The receive() subscription, once given. */
    private Subscription upstream;
    /** Demand was first requested (on the first read). */
    private boolean started;
    /** receive() ended: normally if {@link #error} is null. */
    private boolean done;
    private Throwable error;
    /** close() was called. */
    private boolean closed;
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
        in.lock.lock();
        try {
            if (in.done && in.error instanceof IllegalStateException) {
                throw new IllegalStateException("inputStream(): receive() already has a subscriber (an earlier "
                        + "inputStream() or a receive() subscription) and accepts only one", in.error);
            }
        } finally {
            in.lock.unlock();
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
        int requests;
        int n = 0;
        lock.lock();
        try {
            if (!awaitData()) {
                return -1;
            }
            requests = startIfNeeded();
            while (n < len && !queue.isEmpty()) {
                ByteBuffer head = queue.peek();
                int take = Math.min(len - n, head.remaining());
                head.get(b, off + n, take);
                n += take;
                requests += consumed(head, take);
            }
        } finally {
            lock.unlock();
        }
        request(requests);
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
        int requests;
        lock.lock();
        try {
            if (!awaitData()) {
                return 0;
            }
            requests = startIfNeeded();
            while (skipped < n && !queue.isEmpty()) {
                ByteBuffer head = queue.peek();
                int take = (int) Math.min(n - skipped, head.remaining());
                head.position(head.position() + take);
                skipped += take;
                requests += consumed(head, take);
            }
        } finally {
            lock.unlock();
        }
        request(requests);
        return skipped;
    }

    /** Bytes received and not yet read: a read of at most this many does not block. */
    @Override
    public int available() throws IOException {
        lock.lock();
        try {
            if (closed) {
                throw WebSocketIOException.closed("the input stream is closed");
            }
            return (int) Math.min(Integer.MAX_VALUE, queuedBytes);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops reading for this stream: cancels the {@code receive()} subscription, drops what was
     * held and wakes blocked readers with {@code CLOSED}. The connection is not closed (see the
     * class description). Idempotent; may be called on any thread.
     */
    @Override
    public void close() {
        Subscription s;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            queuedBytes = 0;
            s = upstream;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (s != null) {
            s.cancel();
        }
    }

    /**
     * Waits until data is queued (true) or the stream ended normally (false); throws for a
     * failure, a close, the read timeout or an interrupt. Holds the lock.
     */
    private boolean awaitData() throws IOException {
        long timeout = readTimeoutNanos;
        long left = timeout;
        boolean requested = false;
        while (true) {
            if (closed) {
                throw WebSocketIOException.closed("the input stream is closed");
            }
            if (!queue.isEmpty()) {
                return true;
            }
            if (done) {
                if (error == null) {
                    return false;
                }
                throw WebSocketIOException.of(error);
            }
            if (!requested && !started) {
                // The first read asks for data; the request must go out before waiting on it.
                int n = startIfNeeded();
                lock.unlock();
                try {
                    request(n);
                } finally {
                    lock.lock();
                }
                requested = true;
                continue;
            }
            try {
                if (timeout == 0) {
                    changed.await();
                } else if (left <= 0) {
                    throw new SocketTimeoutException("no data within the read timeout of "
                            + TimeUnit.NANOSECONDS.toMillis(timeout) + " ms");
                } else {
                    left = changed.awaitNanos(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                InterruptedIOException io = new InterruptedIOException("interrupted while waiting for data");
                io.initCause(e);
                throw io;
            }
        }
    }

    /** On the first read: how many buffers to request now. Holds the lock. */
    private int startIfNeeded() {
        if (started) {
            return 0;
        }
        started = true;
        return PREFETCH;
    }

    /** Accounts {@code take} bytes read from the head; 1 if it was used up (request another). */
    private int consumed(ByteBuffer head, int take) {
        queuedBytes -= take;
        if (head.hasRemaining()) {
            return 0;
        }
        queue.poll();
        return done ? 0 : 1;
    }

    /** Requests more buffers, outside the lock: the subscription hops to the event loop. */
    private void request(int n) {
        Subscription s;
        lock.lock();
        try {
            s = closed || done ? null : upstream;
        } finally {
            lock.unlock();
        }
        if (n > 0 && s != null) {
            s.request(n);
        }
    }

    /** The subscriber of receive(): its signals arrive on the event loop and never block. */
    private final class Receiver implements CoreSubscriber<ByteBuffer> {

        @Override
        public void onSubscribe(Subscription s) {
            lock.lock();
            try {
                upstream = s;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onNext(ByteBuffer buffer) {
            lock.lock();
            try {
                // Closed: the cancel is on its way; what still arrives is dropped.
                if (!closed) {
                    queue.add(buffer);
                    queuedBytes += buffer.remaining();
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
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
            lock.lock();
            try {
                done = true;
                error = t;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
