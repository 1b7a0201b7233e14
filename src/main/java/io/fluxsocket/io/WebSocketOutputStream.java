package io.fluxsocket.io;

import io.fluxsocket.StreamWebSocket;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.Operators;

/**
 * A blocking {@link OutputStream} that is one outbound binary message of a {@link StreamWebSocket}:
 * creating it subscribes one {@link StreamWebSocket#send send} whose publisher is fed by the writes;
 * {@link #close()} ends the message (its last frame carries FIN) and waits until it was written.
 * Sends subscribed after it wait behind it, as for any send: messages never interleave. Until it is
 * closed its message is in flight, so the connection's Close frame (this client's, or the reply to
 * the server's) waits behind it too: close the stream before closing the connection.
 *
 * <h2>Writes and flow control</h2>
 * {@link #write(byte[], int, int)} copies the caller's bytes into a {@value #CHUNK}-byte buffer;
 * each full buffer joins a queue of at most {@value #QUEUE_BYTES} bytes, from which the library
 * takes buffers as it asks for them, on its own thread and without waiting for the writer: the
 * writer fills the next buffers meanwhile, and blocks only while that queue is full (it resumes
 * once the queue is half empty). The library asks only while its outbound budget has room, so a
 * writer blocks while the socket is not writable. Small writes are thereby coalesced, and the
 * library's framer frames the buffers exactly as buffers of a reactive {@code send}. The bytes held
 * are bounded by the buffer being filled plus the queue ({@value #CHUNK} + {@value #QUEUE_BYTES}
 * bytes) plus the library's {@code outboundBufferBytes} plus one buffer.
 * {@link #flush()} queues the partial buffer (the framer writes it as a non-final frame) and
 * waits until every byte queued so far was written to the socket.
 *
 * <p>Known approximation of {@code flush}: the public API signals "written" only for a whole
 * message, so {@code flush} waits until {@link io.fluxsocket.WebSocketInfo#bytesSent()} grew by the
 * bytes this stream queued, counted from when the library started this message. Bytes of the
 * previous message whose write had not completed at that moment count as this stream's, so
 * {@code flush} can return while up to that many of its bytes are still being written. It polls
 * that counter at least every millisecond.
 *
 * <h2>Failures and threads</h2>
 * Writes and flushes after {@code close()}, or after the connection closed, throw a
 * {@link WebSocketIOException} with status {@code CLOSED}; when the message failed (the
 * connection was lost, or the library's send timeout passed without write progress, status
 * {@code TIMEOUT}) they throw one with the send's status, and a writer blocked at the time wakes
 * with it. An interrupted writer gets {@link InterruptedIOException} whose
 * {@code bytesTransferred} counts the bytes of that call that were taken; the stream stays usable.
 * Blocking methods called on a non-blocking thread (an event loop, a Reactor parallel or single
 * scheduler) throw {@link IllegalStateException} at once: they would deadlock; use {@code send}
 * there. Thread-safe: calls are serialized.
 */
public final class WebSocketOutputStream extends OutputStream {

    /** The size of the buffers the writes fill. */
    static final int CHUNK = 64 * 1024;
    /** The most bytes of filled buffers queued for the library; a writer blocks beyond it. */
    static final int QUEUE_BYTES = 256 * 1024;
    /** How often a flush looks at the written-bytes counter, at the least. */
    private static final long FLUSH_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final String INSTEAD = "use send() instead";

    private final StreamWebSocket socket;
    /** The send of this message: completes when its last frame was written. */
    private final CompletableFuture<Void> sent;
    /** Serializes write, flush and close, for their whole call (the queue's single producer). */
    private final ReentrantLock writer = new ReentrantLock();
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled on room in the queue, the end of the send and the connection's close. */
    private final Condition changed = lock.newCondition();

    // Guarded by lock; written by the event loop (subscription signals) and writers.
    /** Filled buffers not handed to the library yet, oldest first. */
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    /** The bytes in {@link #queue}. */
    private long queuedBytes;
    /** The library's subscriber of this message, once it started the message. */
    private Subscriber<? super ByteBuffer> subscriber;
    /** Buffers the subscriber requested and was not given yet. */
    private long demand;
    /** {@code info().bytesSent()} when the message started: the base of what flush waits for. */
    private long baseline;
    /** close() queued the end: onComplete follows the last queued buffer. */
    private boolean ending;
    /** onComplete was given, or the subscription was cancelled: nothing more is signalled. */
    private boolean finished;
    /** A thread is signalling the subscriber: onNext calls never overlap, the others leave it. */
    private boolean emitting;
    /** A writer waits for room in the queue. */
    private boolean writerWaiting;
    /** The connection's closeStatus() emitted (any thread). */
    private volatile boolean connectionClosed;

    // Owned by the thread holding the writer lock.
    /** The buffer being filled, or null. */
    private ByteBuffer buffer;
    /** Bytes queued for the library in all. */
    private long handedOver;
    /** The message was ended (close() queued its end). */
    private boolean completed;
    /** close() was called and either completed the message or failed for good. */
    private boolean closed;

    private WebSocketOutputStream(StreamWebSocket socket) {
        this.socket = socket;
        Disposable closeWatch = socket.closeStatus().subscribe(status -> {
            connectionClosed = true;
            wake();
        });
        this.sent = socket.send(new Source()).toFuture();
        // Once the message ended, the connection's close no longer concerns this stream: a
        // connection that writes one stream per message keeps no subscriber per stream.
        sent.whenComplete((v, e) -> {
            closeWatch.dispose();
            wake();
        });
    }

    /** Starts one binary message on {@code socket} and returns the stream that writes it. */
    public static WebSocketOutputStream of(StreamWebSocket socket) {
        return new WebSocketOutputStream(Objects.requireNonNull(socket, "socket"));
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        Blocking.check("write", INSTEAD);
        lockWriter();
        try {
            checkWritable();
            int written = 0;
            while (written < len) {
                if (buffer != null && !buffer.hasRemaining()) {
                    try {
                        enqueue();
                    } catch (InterruptedIOException e) {
                        e.bytesTransferred = written;
                        throw e;
                    }
                }
                if (buffer == null) {
                    buffer = ByteBuffer.allocate(CHUNK);
                }
                int n = Math.min(len - written, buffer.remaining());
                buffer.put(b, off + written, n);
                written += n;
            }
        } finally {
            writer.unlock();
        }
    }

    /**
     * Sends the buffered bytes as a non-final frame and waits until every byte queued so far was
     * written to the socket (see the class description for how "written" is approximated).
     */
    @Override
    public void flush() throws IOException {
        Blocking.check("flush", INSTEAD);
        lockWriter();
        try {
            checkWritable();
            if (buffer != null && buffer.position() > 0) {
                enqueue();
            }
            awaitWritten(handedOver);
        } finally {
            writer.unlock();
        }
    }

    /**
     * Ends the message: queues the buffered bytes, completes the publisher after them (the last
     * frame carries FIN) and waits until the message was written. Throws the send's failure as a
     * {@link WebSocketIOException}. Calling it again after it returned or threw has no effect.
     */
    @Override
    public void close() throws IOException {
        Blocking.check("close", INSTEAD);
        lockWriter();
        try {
            if (closed && sent.isDone()) {
                return;
            }
            if (!completed) {
                try {
                    if (buffer != null && buffer.position() > 0) {
                        enqueue();
                    }
                } catch (InterruptedIOException e) {
                    throw e;
                } catch (IOException e) {
                    closed = true;
                    throw e;
                }
                completed = true;
                closed = true;
                lock.lock();
                try {
                    ending = true;
                } finally {
                    lock.unlock();
                }
                // Signalled now if the library already took the rest, else after its last buffer.
                emit();
            }
            awaitSent();
        } finally {
            writer.unlock();
        }
    }

    private void lockWriter() throws InterruptedIOException {
        try {
            writer.lockInterruptibly();
        } catch (InterruptedException e) {
            throw interrupted(e, "waiting for another writer");
        }
    }

    private void checkWritable() throws IOException {
        if (closed || completed) {
            throw WebSocketIOException.closed("the output stream is closed");
        }
        if (sent.isCompletedExceptionally()) {
            throw failure();
        }
        if (connectionClosed) {
            throw WebSocketIOException.closed("the connection is closed");
        }
    }

    /**
     * Queues the filled buffer for the library, waiting while the queue is full, and hands out
     * what the library asked for. Writer lock held.
     */
    private void enqueue() throws IOException {
        ByteBuffer b = buffer;
        int size = b.position();
        lock.lock();
        try {
            // Room for it, or an empty queue (a buffer larger than the queue's share still goes).
            while (finished || (!queue.isEmpty() && queuedBytes + size > QUEUE_BYTES)) {
                if (sent.isDone()) {
                    throw failure();
                }
                writerWaiting = true;
                try {
                    await("waiting for the socket to take more bytes");
                } finally {
                    writerWaiting = false;
                }
            }
            buffer = null;
            b.flip();
            handedOver += size;
            // From here on the buffer is the library's.
            queue.add(b);
            queuedBytes += size;
        } finally {
            lock.unlock();
        }
        emit();
    }

    /**
     * Gives the subscriber the queued buffers it asked for, then its onComplete once the message
     * was ended and the queue is empty. Called by writers and by the subscription's request, on any
     * thread; a call while another thread signals leaves the work to it (it loops until nothing is
     * left), so signals never overlap. The lock is not held while signalling.
     */
    private void emit() {
        lock.lock();
        try {
            if (emitting) {
                return;
            }
            emitting = true;
            try {
                Subscriber<? super ByteBuffer> s;
                while ((s = subscriber) != null && !finished) {
                    if (demand > 0 && !queue.isEmpty()) {
                        ByteBuffer b = queue.poll();
                        queuedBytes -= b.remaining();
                        demand--;
                        if (writerWaiting && queuedBytes <= QUEUE_BYTES / 2) {
                            // Half empty: the writer fills several buffers per wake-up.
                            changed.signalAll();
                        }
                        signal(s, b);
                    } else if (ending && queue.isEmpty()) {
                        finished = true;
                        signal(s, null);
                    } else {
                        return;
                    }
                }
            } finally {
                emitting = false;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Gives {@code b} (null: the end) to the subscriber outside the lock. Lock held on entry and exit. */
    private void signal(Subscriber<? super ByteBuffer> s, ByteBuffer b) {
        lock.unlock();
        try {
            if (b != null) {
                s.onNext(b);
            } else {
                s.onComplete();
            }
        } finally {
            lock.lock();
        }
    }

    /** Waits until {@code target} bytes of this message were written, polling bytesSent(). */
    private void awaitWritten(long target) throws IOException {
        lock.lock();
        try {
            while (target > 0 && socket.info().bytesSent() - baseline < target) {
                if (sent.isDone()) {
                    if (sent.isCompletedExceptionally()) {
                        throw failure();
                    }
                    return;
                }
                try {
                    changed.awaitNanos(FLUSH_POLL_NANOS);
                } catch (InterruptedException e) {
                    throw interrupted(e, "waiting for a flush to be written");
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void awaitSent() throws IOException {
        try {
            sent.get();
        } catch (InterruptedException e) {
            throw interrupted(e, "waiting for the message to be written");
        } catch (ExecutionException e) {
            throw WebSocketIOException.of(e.getCause());
        }
    }

    /** Awaits a change; lock held. */
    private void await(String what) throws InterruptedIOException {
        try {
            changed.await();
        } catch (InterruptedException e) {
            throw interrupted(e, what);
        }
    }

    /** The send's failure; CLOSED if it ended without one (the stream was cancelled). */
    private IOException failure() {
        if (sent.isCompletedExceptionally()) {
            try {
                sent.join();
            } catch (RuntimeException e) {
                return WebSocketIOException.of(e.getCause() != null ? e.getCause() : e);
            }
        }
        return WebSocketIOException.closed("the message ended before the output stream was closed");
    }

    private static InterruptedIOException interrupted(InterruptedException e, String what) {
        Thread.currentThread().interrupt();
        InterruptedIOException io = new InterruptedIOException("interrupted while " + what);
        io.initCause(e);
        return io;
    }

    private void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The publisher of this message: the writes are its single producer. */
    private final class Source implements Publisher<ByteBuffer>, Subscription {

        @Override
        public void subscribe(Subscriber<? super ByteBuffer> s) {
            lock.lock();
            try {
                if (subscriber != null) {
                    Operators.error(s, new IllegalStateException("an output stream's message is sent once"));
                    return;
                }
                subscriber = s;
                baseline = socket.info().bytesSent();
            } finally {
                lock.unlock();
            }
            s.onSubscribe(this);
            // What was queued while earlier messages were being sent can go now; or the end.
            emit();
        }

        @Override
        public void request(long n) {
            lock.lock();
            try {
                demand = Operators.addCap(demand, n);
            } finally {
                lock.unlock();
            }
            // On the library's thread: the queued buffers go at once, without waking the writer.
            emit();
        }

        @Override
        public void cancel() {
            lock.lock();
            try {
                // The send failed or was cancelled: its outcome (sent completes) tells the writers why.
                finished = true;
                queue.clear();
                queuedBytes = 0;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
