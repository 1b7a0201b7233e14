package io.fluxsocket.internal;

import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;

/**
 * The inbound side of a connection in streamed-message mode: each message is emitted at its first
 * piece, and its content (a {@link Flux} of its own, {@link Content}) delivers the bytes as they
 * arrive. {@code receive()} and each content have one subscriber each, through a {@link Delivery}.
 *
 * <p>One queue holds the pieces of all messages in arrival order, each tagged with its message's
 * number, within one byte budget: the socket is read while the queue holds fewer than
 * {@code budget} bytes, whatever {@code receive()} and the current content ask for (demand decides
 * what is delivered, not what is read, so the server's Pings and Close are read while the budget
 * has room). So the bytes held stay under {@code budget + 64 KiB}, as in stream mode, whatever the
 * message sizes. The next message is emitted only after the current one's content ended or was
 * cancelled; a cancelled content's remaining pieces are dropped, queued or arriving.
 *
 * <p>Confined to the connection's event loop.
 */
final class StreamedMessages implements Inbound, Delivery.Source {

    private final EventLoop eventLoop;
    private final int budget;
    private final Runnable readCheck;
    /** The subscriber of {@code receive()}. */
    private final Delivery receiver;

    /** Pieces not yet delivered or dropped, oldest first, and the bytes they hold. */
    private final ArrayDeque<Piece> queue = new ArrayDeque<>();
    private long queuedBytes;
    /** The number of the message whose pieces are arriving, and its UTF-8 check if it is text. */
    private long arriving;
    private Utf8Validator utf8;
    /** Pieces of this message that arrive are dropped: its content was cancelled. */
    private long skipping = -1;
    /** The message emitted whose content has not ended or been cancelled, or null. */
    private Content current;
    /** This client sent its Close: without a subscriber, messages not emitted yet are dropped. */
    private boolean closing;
    /** No more data will arrive; {@link #error} says how it ended (null: normally). */
    private boolean done;
    private Throwable error;
    /** A drain is on the stack; {@link #again} makes it loop instead of re-entering. */
    private boolean draining;
    private boolean again;

    StreamedMessages(EventLoop eventLoop, int budget, Runnable readCheck) {
        this.eventLoop = eventLoop;
        this.budget = budget;
        this.readCheck = readCheck;
        this.receiver = new Delivery(eventLoop, this, "receive()");
    }

    /** The messages: {@code receive()}. */
    Flux<WebSocketMessage> receive() {
        return new Flux<WebSocketMessage>() {
            @Override
            public void subscribe(CoreSubscriber<? super WebSocketMessage> actual) {
                receiver.subscribe(actual, null);
            }
        };
    }

    @Override
    public long queuedBytes() {
        return queuedBytes;
    }

    @Override
    public boolean wantsRead() {
        if (done) {
            return false;
        }
        if (skipping >= 0 || (current == null && discardingLater())) {
            // What arrives now is dropped: reading it costs no memory and reaches what follows.
            return true;
        }
        return queuedBytes < budget;
    }

    /** Messages after the current one will not be emitted: nobody is or will be there to take them. */
    private boolean discardingLater() {
        return receiver.isCancelled() || (closing && !receiver.isSubscribed());
    }

    @Override
    public void onData(Frame frame) {
        ByteBuf piece = frame.content();
        if (frame.first) {
            arriving++;
            utf8 = frame.opcode == Opcode.TEXT ? new Utf8Validator() : null;
        }
        if (utf8 != null) {
            long bad = utf8.update(piece);
            if (bad >= 0 || (frame.fin && !utf8.isComplete())) {
                throw WholeMessages.notUtf8(bad >= 0 ? bad : utf8.offset());
            }
        }
        if (done) {
            return;
        }
        if (!keep()) {
            drop(arriving, frame.fin);
            return;
        }
        int n = piece.readableBytes();
        ByteBuffer copy = ByteBuffer.allocate(n);
        piece.getBytes(piece.readerIndex(), copy);
        copy.flip();
        queue.add(new Piece(arriving, copy, frame.opcode == Opcode.TEXT, frame.fin));
        queuedBytes += n;
        drain();
    }

    /** Whether the piece of message {@link #arriving} is kept for delivery. */
    private boolean keep() {
        if (arriving == skipping) {
            return false;
        }
        if (current != null && arriving == current.number) {
            return true;
        }
        // A message not emitted yet.
        return !receiver.isCancelled() && !(closing && !receiver.isSubscribed() && queuedBytes >= budget);
    }

    /**
     * Drops message {@code number}, not emitted yet, whole: the pieces queued and, unless this was
     * its last, those still to arrive. A message is delivered entire or not at all.
     */
    private void drop(long number, boolean end) {
        removeQueued(number, true);
        skipping = end ? -1 : number;
    }

    /** Removes the queued pieces of message {@code number} ({@code matching}) or of all others. */
    private void removeQueued(long number, boolean matching) {
        queue.removeIf(p -> {
            if ((p.message == number) != matching) {
                return false;
            }
            queuedBytes -= p.data.remaining();
            return true;
        });
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
        drain();
    }

    /** {@code receive()} was cancelled: pieces of messages never to be emitted go; the current content's stay. */
    @Override
    public void cancelled() {
        removeQueued(current != null ? current.number : -1, false);
        drain();
    }

    // ---- delivery ----

    @Override
    public void drain() {
        if (draining) {
            again = true;
            return;
        }
        draining = true;
        try {
            do {
                again = false;
                step();
            } while (again);
        } finally {
            draining = false;
        }
        readCheck.run();
    }

    private void step() {
        while (true) {
            Content c = current;
            if (c == null) {
                Piece head = queue.peek();
                if (head == null) {
                    if (done) {
                        if (error == null) {
                            receiver.complete();
                        } else {
                            receiver.error(error);
                        }
                    }
                    return;
                }
                if (!receiver.wants()) {
                    return;
                }
                current = c = new Content(head.message);
                receiver.next(head.text ? WebSocketMessage.text(c) : WebSocketMessage.binary(c));
                continue;
            }
            if (c.skip) {
                skip(c);
                continue;
            }
            if (!c.delivery.isBound()) {
                // Its content is not subscribed yet: it holds up what follows (documented).
                return;
            }
            Piece p = queue.peek();
            if (p == null || p.message != c.number) {
                if (done) {
                    // The connection ended before this message did.
                    current = null;
                    c.delivery.error(error != null ? error : new WebSocketException(WebErrorStatus.CLOSED,
                            "the server closed the connection before the end of this message"));
                    continue;
                }
                return;
            }
            if (p.data.hasRemaining()) {
                if (!c.delivery.wants()) {
                    return;
                }
            }
            queue.poll();
            queuedBytes -= p.data.remaining();
            if (p.data.hasRemaining()) {
                c.delivery.next(p.data);
            }
            if (p.end) {
                current = null;
                c.delivery.complete();
            }
        }
    }

    /** Drops the rest of a cancelled message: its queued pieces, and those still to arrive. */
    private void skip(Content c) {
        current = null;
        boolean ended = false;
        while (!queue.isEmpty() && queue.peek().message == c.number) {
            Piece p = queue.poll();
            queuedBytes -= p.data.remaining();
            ended = p.end;
        }
        if (!ended && arriving == c.number) {
            skipping = c.number;
        }
    }

    /** A piece of a message's payload, copied to the heap. */
    private record Piece(long message, ByteBuffer data, boolean text, boolean end) {
    }

    /** The content of one emitted message: its bytes, to its one subscriber, as requested. */
    private final class Content extends Flux<ByteBuffer> implements Delivery.Source {

        /** The number of its message. */
        final long number;
        final Delivery delivery = new Delivery(eventLoop, this, "the content of a received message");
        /** Its subscriber cancelled: the rest of its message is skipped (event loop). */
        boolean skip;

        Content(long number) {
            this.number = number;
        }

        @Override
        public void subscribe(CoreSubscriber<? super ByteBuffer> actual) {
            delivery.subscribe(actual, null);
        }

        @Override
        public void drain() {
            StreamedMessages.this.drain();
        }

        @Override
        public void cancelled() {
            skip = true;
            StreamedMessages.this.drain();
        }
    }
}
