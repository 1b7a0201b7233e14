package io.fluxsocket.internal;

import io.netty.channel.EventLoop;

import java.nio.ByteBuffer;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

/**
 * The {@link Mono} of a stream-mode {@code send}: each subscription is one binary message of the
 * publisher's buffers, queued on the {@link Outbound} behind the messages subscribed before it. It
 * completes when the message's last frame was written, and errors when it cannot be.
 */
final class StreamSend extends Mono<Void> {

    private final Outbound outbound;
    private final EventLoop eventLoop;
    private final Publisher<ByteBuffer> publisher;

    StreamSend(Outbound outbound, EventLoop eventLoop, Publisher<ByteBuffer> publisher) {
        this.outbound = outbound;
        this.eventLoop = eventLoop;
        this.publisher = publisher;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Void> actual) {
        Message m = new Message(actual);
        actual.onSubscribe(m);
        // After onSubscribe: no other signal may come before it.
        outbound.submit(m);
    }

    /** The message of one subscription, and that subscription. */
    private final class Message extends OutboundMessage implements Subscription {

        private final CoreSubscriber<? super Void> actual;
        /** The subscriber cancelled, or was signalled: nothing more is signalled (event loop). */
        private boolean finished;
        /** The subscriber cancelled (any thread): checked before signalling, so that none follows a cancel. */
        private volatile boolean cancelled;

        Message(CoreSubscriber<? super Void> actual) {
            super(Opcode.BINARY, null, publisher);
            this.actual = actual;
        }

        @Override
        public void request(long n) {
            // A Mono<Void>: nothing to request.
        }

        @Override
        public void cancel() {
            cancelled = true;
            EventLoops.run(eventLoop, () -> {
                if (!finished) {
                    finished = true;
                    outbound.cancel(this);
                }
            });
        }

        @Override
        void written() {
            if (!finished && !cancelled) {
                finished = true;
                actual.onComplete();
            }
        }

        @Override
        void failed(Throwable error) {
            if (!finished && !cancelled) {
                finished = true;
                actual.onError(error);
            }
        }
    }
}
