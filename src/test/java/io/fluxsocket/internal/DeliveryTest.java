package io.fluxsocket.internal;

import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.testing.BytePattern;
import io.fluxsocket.testing.TestServer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Delivery}'s promise that nothing follows a cancel holds for a cancel from another thread
 * that reaches the subscription before the event loop signals: a failure the event loop signals
 * after that is not given to the subscriber (which would hand it to Reactor's onErrorDropped).
 */
class DeliveryTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aFailureSignalledAfterTheSubscriberCancelledFromAnotherThreadDoesNotReachIt() throws Exception {
        try (TestServer server = TestServer.echoing()) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(WAIT);
            CountDownLatch inEventLoop = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Recorder receiver = new Recorder(inEventLoop, release);
            ws.receive().subscribe(receiver);
            // A message whose first piece goes out and whose end never comes.
            Disposable send = ws.send(Flux.just(BytePattern.chunk(0, 16)).concatWith(Flux.never()))
                    .subscribe(null, e -> { });
            assertTrue(inEventLoop.await(10, TimeUnit.SECONDS), "the echo of the first piece arrives");
            // The event loop is held in onNext: both cancels wait for it, the send's first.
            send.dispose(); // fails the connection (1011: a send cancelled in the middle of its message)
            receiver.subscription.cancel(); // the receiver leaves before that failure is signalled
            release.countDown();
            assertEquals(1011, ws.closeStatus().block(WAIT).code());
            assertEquals(List.of("next"), receiver.signals, "nothing after the cancel");
        }
    }

    /** Records every signal, including any after its cancel; holds the event loop in its first onNext. */
    private static final class Recorder implements Subscriber<ByteBuffer> {
        final List<String> signals = new CopyOnWriteArrayList<>();
        final CountDownLatch inEventLoop;
        final CountDownLatch release;
        volatile Subscription subscription;

        Recorder(CountDownLatch inEventLoop, CountDownLatch release) {
            this.inEventLoop = inEventLoop;
            this.release = release;
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(ByteBuffer b) {
            signals.add("next");
            inEventLoop.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void onError(Throwable t) {
            signals.add("error " + t.getMessage());
        }

        @Override
        public void onComplete() {
            signals.add("complete");
        }
    }
}
