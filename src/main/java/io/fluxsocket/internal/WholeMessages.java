package io.fluxsocket.internal;

import io.fluxsocket.WebSocketMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import org.reactivestreams.Subscription;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * The inbound side of a connection in whole-message mode: assembles each message from its pieces
 * (text checked as UTF-8 as it arrives, decoded once at the end) and hands complete messages to
 * the single subscriber of {@code receive()} as it requests them.
 *
 * <p>Demand counts messages. The socket is read while more messages are requested than are
 * queued complete, and the complete ones hold fewer than {@code budget} bytes; a message being
 * assembled is finished once started, and {@link FrameDecoder} keeps it within
 * {@code maxMessageSize}. So the bytes held stay under {@code budget + maxMessageSize + 64 KiB}.
 *
 * <p>Confined to the connection's event loop, as {@link InboundFlow} is.
 */
final class WholeMessages extends Flux<WebSocketMessage> implements Inbound, Subscription {

    private static final Logger log = Loggers.getLogger(WholeMessages.class);

    private final EventLoop eventLoop;
    private final int budget;
    private final Runnable readCheck;
    /** Set once by the first subscribe call, from any thread: later ones are refused. */
    private final AtomicBoolean subscribed = new AtomicBoolean();

    /** Complete messages not yet delivered, oldest first, and the payload bytes they hold. */
    private final ArrayDeque<WebSocketMessage> queue = new ArrayDeque<>();
    /** The payload size of each message in {@link #queue}, in the same order, and their sum. */
    private final ArrayDeque<Integer> sizes = new ArrayDeque<>();
    private long queuedBytes;
    /** The message being assembled: its bytes so far, whether it is text, and its UTF-8 check. */
    private byte[] assembly;
    private int assembled;
    private boolean assemblingText;
    private Utf8Validator utf8;
    /** The subscriber, once bound on the event loop; null before, and after cancel or a terminal signal. */
    private CoreSubscriber<? super WebSocketMessage> subscriber;
    /** Messages requested and not yet delivered. */
    private long demand;
    /** The subscriber cancelled: messages are read and dropped from now on. */
    private boolean cancelled;
    /** This client sent its Close: reads go ahead of demand within the budget. */
    private boolean closing;
    /** No more data will arrive; {@link #error} says how it ended (null: normally). */
    private boolean done;
    private Throwable error;
    /** The terminal signal was delivered. */
    private boolean terminated;
    /** A drain is running on the stack: re-entrant calls only note that it must loop again. */
    private boolean draining;

    WholeMessages(EventLoop eventLoop, int budget, Runnable readCheck) {
        this.eventLoop = eventLoop;
        this.budget = budget;
        this.readCheck = readCheck;
    }

    @Override
    public long queuedBytes() {
        return queuedBytes + assembled;
    }

    @Override
    public boolean wantsRead() {
        if (done) {
            return false;
        }
        if (cancelled || (closing && !subscribed.get())) {
            return true;
        }
        return queuedBytes < budget && (demand > queue.size() || closing);
    }

    @Override
    public void onData(ByteBuf piece, boolean start, boolean text, boolean end) {
        if (done) {
            return;
        }
        int n = piece.readableBytes();
        if (start) {
            assemblingText = text;
            utf8 = text ? new Utf8Validator() : null;
            // A message that arrives whole in one read is copied once, into an array of its size.
            assembly = new byte[end ? n : Math.max(n, 1024)];
            assembled = 0;
        }
        if (utf8 != null) {
            long bad = utf8.update(piece);
            if (bad >= 0 || (end && !utf8.isComplete())) {
                throw notUtf8(bad >= 0 ? bad : utf8.offset());
            }
        }
        if (assembly.length - assembled < n) {
            // Grows by half at least, within the int range FrameDecoder's limit keeps it in.
            long wanted = Math.max(assembled + (long) n, assembly.length + (assembly.length >> 1));
            assembly = Arrays.copyOf(assembly, (int) Math.min(wanted, Integer.MAX_VALUE - 8));
        }
        piece.getBytes(piece.readerIndex(), assembly, assembled, n);
        assembled += n;
        if (!end) {
            return;
        }
        byte[] bytes = assembly.length == assembled ? assembly : Arrays.copyOf(assembly, assembled);
        assembly = null;
        assembled = 0;
        utf8 = null;
        if (cancelled || (closing && !subscribed.get() && queuedBytes >= budget)) {
            // Nobody will read it.
            return;
        }
        queue.add(assemblingText
                ? WebSocketMessage.text(new String(bytes, StandardCharsets.UTF_8))
                : WebSocketMessage.binary(ByteBuffer.wrap(bytes)));
        sizes.add(bytes.length);
        queuedBytes += bytes.length;
        drain();
    }

    static CorruptedWebSocketFrameException notUtf8(long offset) {
        return new CorruptedWebSocketFrameException(WebSocketCloseStatus.INVALID_PAYLOAD_DATA,
                "a text message that is not UTF-8 (at byte " + offset + ")");
    }

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
        if (assembly != null) {
            log.debug("a message cut short by the end of the connection is dropped ({} bytes)", assembled);
            assembly = null;
            assembled = 0;
        }
        drain();
    }

    @Override
    public void subscribe(CoreSubscriber<? super WebSocketMessage> actual) {
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
        onEventLoop(() -> {
            if (n <= 0) {
                if (subscriber != null && !terminated) {
                    error = new IllegalArgumentException("§3.9: request must be positive, was " + n);
                    done = true;
                    clear();
                    drain();
                }
                return;
            }
            demand = Operators.addCap(demand, n);
            drain();
        });
    }

    @Override
    public void cancel() {
        onEventLoop(() -> {
            cancelled = true;
            subscriber = null;
            clear();
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
            CoreSubscriber<? super WebSocketMessage> s;
            while ((s = subscriber) != null && demand > 0 && !queue.isEmpty()) {
                WebSocketMessage next = queue.poll();
                queuedBytes -= sizes.poll();
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

    private void clear() {
        queue.clear();
        sizes.clear();
        queuedBytes = 0;
    }
}
