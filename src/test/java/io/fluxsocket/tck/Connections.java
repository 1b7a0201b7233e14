package io.fluxsocket.tck;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.ReceiveMode;
import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketMessage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;

/**
 * Opens the connections of one TCK rule, each to the {@link TckServer} with a script of its own,
 * and closes them all afterwards ({@link #closeAll()}, from the verifications' {@code @AfterMethod}).
 * Every connection is a fresh loopback connection: a stream-mode send's publisher is subscribed
 * only once the send reaches the head of its connection's send queue, and {@code receive()}
 * accepts one subscriber, so nothing is shared between the publishers or subscribers a rule makes.
 */
final class Connections {

    /** The limit of every wait here: connecting, a send reaching its publisher, closing. */
    static final Duration WAIT = Duration.ofSeconds(5);
    /**
     * How long a close waits for the server's Close (the client's close timeout). Short: on
     * loopback the server answers in milliseconds, except after a rule that cancelled a publisher
     * of a huge count (§3.17), where the socket buffers hold megabytes of tiny frames that the
     * client would first read and drop; that connection then ends after this timeout (1006).
     */
    private static final Duration CLOSE_TIMEOUT = Duration.ofMillis(250);

    private final List<Open> open = new ArrayList<>();
    private final List<Disposable> sends = new ArrayList<>();

    /** A stream-mode connection to a server running {@code script}. */
    StreamWebSocket stream(String script) {
        StreamWebSocket ws = await(client(script, ReceiveMode.WHOLE).connect(TckServer.uri()), "connect");
        register(ws::close, ws.closeStatus());
        return ws;
    }

    /** A message-mode connection to a server running {@code script}. */
    MessageWebSocket messages(String script, ReceiveMode mode) {
        MessageWebSocket ws = await(client(script, mode).connectMessages(TckServer.uri()), "connectMessages");
        register(ws::close, ws.closeStatus());
        return ws;
    }

    /**
     * A stream-mode connection that failed: the server sent a frame with RSV1 set. This client
     * reads only while {@code receive()} has demand, or while it closes, so the violation is read
     * by a close of its own (which reads ahead); the connection has failed by the time this
     * returns, and {@code receive()} signals {@code onSubscribe} then {@code onError}.
     */
    StreamWebSocket failedStream() {
        StreamWebSocket ws = stream(TckServer.violation());
        awaitFailed(ws::close, ws.closeStatus());
        return ws;
    }

    /** A message-mode connection that failed, as {@link #failedStream()}. */
    MessageWebSocket failedMessages(ReceiveMode mode) {
        MessageWebSocket ws = messages(TckServer.violation(), mode);
        awaitFailed(ws::close, ws.closeStatus());
        return ws;
    }

    /** The first message of a streamed-mode connection to a server running {@code script}. */
    WebSocketMessage streamedMessage(String script) {
        return firstMessage(messages(script, ReceiveMode.STREAMED));
    }

    /**
     * A streamed message whose connection failed part-way through it (a continuation frame with
     * RSV1 set), before its {@code content()} was subscribed: the content signals
     * {@code onSubscribe} then {@code onError}.
     */
    WebSocketMessage failedStreamedMessage() {
        MessageWebSocket ws = messages(TckServer.violationInMessage(), ReceiveMode.STREAMED);
        WebSocketMessage message = firstMessage(ws);
        awaitFailed(ws::close, ws.closeStatus());
        return message;
    }

    /**
     * Starts a send of a publisher that only records the subscriber it is given, and returns that
     * subscriber, for the TCK to drive: {@code send} starts the send, on a connection of this
     * rule's. Waits until the library subscribed the publisher.
     */
    <T> Subscriber<T> sendSubscriber(Function<Publisher<T>, Mono<Void>> send) {
        RecordingPublisher<T> publisher = new RecordingPublisher<>();
        Disposable sending = send.apply(publisher).subscribe(done -> { }, error -> { });
        synchronized (this) {
            sends.add(sending);
        }
        return publisher.subscriber();
    }

    /**
     * Cancels the sends still running, then closes every connection and waits until each one's
     * TCP connection is closed.
     *
     * @throws AssertionError if a connection did not close within {@link #WAIT}
     */
    void closeAll() {
        List<Open> all;
        synchronized (this) {
            sends.forEach(Disposable::dispose);
            sends.clear();
            all = new ArrayList<>(open);
            open.clear();
        }
        List<CompletableFuture<CloseStatus>> closed = new ArrayList<>();
        for (Open o : all) {
            closed.add(o.close().get().onErrorResume(e -> Mono.empty()).then(o.closed()).toFuture());
        }
        try {
            CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            long stuck = closed.stream().filter(f -> !f.isDone()).count();
            throw new AssertionError(stuck + " of " + all.size() + " connections did not close within " + WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while closing connections", e);
        } catch (ExecutionException e) {
            throw new AssertionError("closeStatus() errored, which it never should", e.getCause());
        }
    }

    private static WebSocketClient client(String script, ReceiveMode mode) {
        return WebSocketClient.builder()
                .header(TckServer.SCRIPT, script)
                .connectTimeout(WAIT)
                .closeTimeout(CLOSE_TIMEOUT)
                .receiveMode(mode)
                .build();
    }

    private synchronized void register(Supplier<Mono<Void>> close, Mono<CloseStatus> closed) {
        open.add(new Open(close, closed));
    }

    /** Closes, which reads the violation the server sent, and waits until TCP is closed. */
    private static void awaitFailed(Supplier<Mono<Void>> close, Mono<CloseStatus> closed) {
        close.get().onErrorResume(e -> Mono.empty()).subscribe();
        await(closed, "closeStatus");
    }

    /** Requests one message and returns it; the subscription is left as it is (not cancelled). */
    private static WebSocketMessage firstMessage(MessageWebSocket ws) {
        CompletableFuture<WebSocketMessage> first = new CompletableFuture<>();
        ws.receive().subscribe(new BaseSubscriber<WebSocketMessage>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                subscription.request(1);
            }

            @Override
            protected void hookOnNext(WebSocketMessage message) {
                first.complete(message);
            }

            @Override
            protected void hookOnError(Throwable error) {
                first.completeExceptionally(error);
            }

            @Override
            protected void hookOnComplete() {
                first.completeExceptionally(new AssertionError("receive() completed before the first message"));
            }
        });
        return await(Mono.fromFuture(first), "the first message");
    }

    private static <T> T await(Mono<T> mono, String what) {
        T value = mono.block(WAIT);
        if (value == null) {
            throw new AssertionError(what + " completed empty");
        }
        return value;
    }

    /** How to close an open connection, and its Closed event. */
    private record Open(Supplier<Mono<Void>> close, Mono<CloseStatus> closed) {
    }

    /**
     * A publisher that signals nothing: it records the one subscriber it is given (the library's,
     * which the TCK then drives itself); a second one is refused as §1.9 allows.
     */
    private static final class RecordingPublisher<T> implements Publisher<T> {

        private final CompletableFuture<Subscriber<? super T>> subscriber = new CompletableFuture<>();

        @Override
        public void subscribe(Subscriber<? super T> s) {
            if (!subscriber.complete(s)) {
                s.onSubscribe(new Subscription() {
                    @Override
                    public void request(long n) {
                    }

                    @Override
                    public void cancel() {
                    }
                });
                s.onError(new IllegalStateException("this publisher accepts one subscriber"));
            }
        }

        /** The recorded subscriber, waiting for it up to {@link #WAIT}. */
        @SuppressWarnings("unchecked")
        Subscriber<T> subscriber() {
            try {
                // Subscriber<? super T> takes every T: using it as a Subscriber<T> is safe.
                return (Subscriber<T>) subscriber.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("the library did not subscribe the publisher within " + WAIT, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            } catch (ExecutionException e) {
                throw new AssertionError(e.getCause());
            }
        }
    }
}
