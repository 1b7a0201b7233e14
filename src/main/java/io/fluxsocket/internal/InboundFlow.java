package io.fluxsocket.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import org.reactivestreams.Subscription;

/**
 * The inbound side of one connection: the bytes of received data frames, queued within a byte
 * budget and handed to the single subscriber of {@code receive()} as it requests them.
 *
 * <p>Confined to the connection's event loop: every field below is read and written there only;
 * {@link #request}, {@link #cancel} and the binding of a subscriber hop onto it. The owner asks
 * {@link #wantsRead()} before it reads the socket, which is what makes demand drive TCP.
 *
 * <p>Bound on what it holds: the owner reads only while {@link #wantsRead()} is true, i.e. while
 * fewer than {@code budget} bytes are queued, and one socket read is at most 64 KiB, all of which
 * {@link FrameDecoder} passes on at once as payload pieces. So the queue stays under
 * {@code budget + 64 KiB}; the decoder itself keeps at most a partial header or control frame.
 */
final class InboundFlow extends Flux<ByteBuffer> implements Inbound, Subscription {

    private final EventLoop eventLoop;
    private final int budget;
    private final Runnable readCheck;
    /** Set once by the first subscribe call, from any thread: later ones are refused. */
    private final AtomicBoolean subscribed = new AtomicBoolean();

    /** Payload copies not yet delivered, oldest first. */
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    /** Sum of the remaining bytes in {@link #queue}. */
    private long queuedBytes;
    /** The subscriber, once bound on the event loop; null before, and after cancel or a terminal signal. */
    private CoreSubscriber<? super ByteBuffer> subscriber;
    /** Requested and not yet delivered. */
    private long demand;
    /** The subscriber cancelled: data is read and dropped from now on. */
    private boolean cancelled;
    /**
     * Closing: reads go ahead of demand up to the budget, and without a subscriber data is
     * dropped, so that the server's Close can be reached.
     */
    private boolean closing;
    /** No more data will arrive; {@link #error} says how it ended (null: normally). */
    private boolean done;
    private Throwable error;
    /** The terminal signal was delivered. */
    private boolean terminated;
    /** A drain is running on the stack: re-entrant calls only note that it must loop again. */
    private boolean draining;

    /**
     * @param readCheck run after anything that can change {@link #wantsRead()}; the owner reads
     *                  the socket from it when it should
     */
    InboundFlow(EventLoop eventLoop, int budget, Runnable readCheck) {
        this.eventLoop = eventLoop;
        this.budget = budget;
        this.readCheck = readCheck;
    }

    @Override
    public long queuedBytes() {
        return queuedBytes;
    }

    /**
     * Whether the socket should be read for this flow: there is room and unmet demand, or nobody
     * listens and data is dropped anyway (cancelled, or closing before anyone subscribed).
     */
    @Override
    public boolean wantsRead() {
        if (done) {
            return false;
        }
        if (discarding()) {
            return true;
        }
        // Closing reads ahead of demand, within the budget, so the server's Close can arrive.
        return queuedBytes < budget && (demand > queue.size() || closing);
    }

    /** Nobody will read what arrives beyond the budget: it is dropped rather than stopping reads. */
    private boolean discarding() {
        return cancelled || (closing && !subscribed.get());
    }

    /** A piece of a binary message arrived; copied, so the caller keeps (and releases) its buffer. */
    @Override
    public void onData(ByteBuf payload, boolean start, boolean text, boolean end) {
        if (start && text) {
            throw new CorruptedWebSocketFrameException(WebSocketCloseStatus.INVALID_MESSAGE_TYPE,
                    "stream mode accepts binary messages only; the server sent a text message");
        }
        int n = payload.readableBytes();
        if (done || cancelled || n == 0 || (discarding() && queuedBytes >= budget)) {
            // Nobody will read it: the subscriber left, the flow ended, or closing with nobody subscribed.
            return;
        }
        ByteBuffer copy = ByteBuffer.allocate(n);
        payload.getBytes(payload.readerIndex(), copy);
        copy.flip();
        queue.add(copy);
        queuedBytes += n;
        drain();
    }

    /**
     * This client sent its Close. Reads go on ahead of demand, up to the budget; a subscriber
     * still gets every byte, with backpressure (a slow one makes the closing handshake wait, within
     * the close timeout); if there is none, data beyond the budget is dropped so that reads go on
     * to the server's Close.
     */
    @Override
    public void closing() {
        closing = true;
        readCheck.run();
    }

    @Override
    public void terminate(Throwable error) {
        if (done) {
            return;
        }
        done = true;
        this.error = error;
        drain();
    }

    @Override
    public void subscribe(CoreSubscriber<? super ByteBuffer> actual) {
        if (!subscribed.compareAndSet(false, true)) {
            Operators.error(actual, new IllegalStateException(
                    "receive() allows only one subscriber; it is already subscribed"));
            return;
        }
        actual.onSubscribe(this);
        onEventLoop(() -> {
            if (!cancelled) {
                subscriber = actual;
                drain();
            }
        });
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            onEventLoop(() -> {
                if (subscriber != null && !terminated) {
                    error = new IllegalArgumentException("§3.9: request must be positive, was " + n);
                    done = true;
                    queue.clear();
                    queuedBytes = 0;
                    drain();
                }
            });
            return;
        }
        onEventLoop(() -> {
            demand = Operators.addCap(demand, n);
            drain();
        });
    }

    @Override
    public void cancel() {
        onEventLoop(() -> {
            cancelled = true;
            subscriber = null;
            queue.clear();
            queuedBytes = 0;
            readCheck.run();
        });
    }

    private void onEventLoop(Runnable task) {
        if (eventLoop.inEventLoop()) {
            task.run();
        } else {
            eventLoop.execute(task);
        }
    }

    private void drain() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            CoreSubscriber<? super ByteBuffer> s;
            while ((s = subscriber) != null && demand > 0 && !queue.isEmpty()) {
                ByteBuffer next = queue.poll();
                queuedBytes -= next.remaining();
                demand--;
                s.onNext(next);
            }
            s = subscriber;
            if (s != null && done && queue.isEmpty() && !terminated) {
                terminated = true;
                subscriber = null;
                if (error == null) {
                    s.onComplete();
                } else {
                    s.onError(error);
                }
            }
        } finally {
            draining = false;
        }
        readCheck.run();
    }
}
