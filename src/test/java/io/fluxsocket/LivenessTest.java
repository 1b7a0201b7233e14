package io.fluxsocket;

import io.fluxsocket.testing.Await;
import io.fluxsocket.testing.BytePattern;
import io.fluxsocket.testing.Frame;
import io.fluxsocket.testing.RawServer;
import io.fluxsocket.testing.TestServer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ping}, the keep-alive and the server's Pings, against the raw server (which answers Pings
 * only when told, or stops answering) and an in-process Reactor Netty server (which answers every
 * Ping).
 */
@Timeout(60)
class LivenessTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** What one socket read brings at most, and a partial frame header or control frame: the inbound bound past the budget. */
    private static final int ONE_READ_AND_A_HEADER = 64 * 1024 + 139;

    private static StreamWebSocket open(RawServer server, WebSocketClient client) {
        return server.connect(client);
    }

    @Test
    void aPingIsAnsweredByThePongWithItsPayloadAndTheRoundTripIsMeasured() {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server, WebSocketClient.create());
            byte[] first = "first".getBytes(StandardCharsets.US_ASCII);
            byte[] second = "second".getBytes(StandardCharsets.US_ASCII);
            CompletableFuture<Duration> one = ws.ping(ByteBuffer.wrap(first)).toFuture();
            CompletableFuture<Duration> two = ws.ping(ByteBuffer.wrap(second)).toFuture();
            Frame a = server.readFrame();
            Frame b = server.readFrame();
            assertEquals(Frame.PING, a.opcode());
            assertArrayEquals(first, a.payload());
            assertArrayEquals(second, b.payload());
            // Answered out of order, with an unsolicited Pong first: each ping takes its own.
            server.sendFrame(true, 0, Frame.PONG, false, "other".getBytes(StandardCharsets.US_ASCII));
            server.sendFrame(true, 0, Frame.PONG, false, second);
            assertTrue(two.orTimeout(5, TimeUnit.SECONDS).join().toNanos() > 0);
            assertFalse(one.isDone(), "its Pong has not come");
            server.sendFrame(true, 0, Frame.PONG, false, first);
            assertTrue(one.orTimeout(5, TimeUnit.SECONDS).join().toNanos() > 0);
        }
    }

    @Test
    void aPingWaitingWhenTheConnectionEndsFailsWithItsError() {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server, WebSocketClient.create());
            CompletableFuture<Duration> ping = ws.ping(ByteBuffer.allocate(0)).toFuture();
            server.readFrame();
            server.reset();
            WebSocketException e = (WebSocketException) assertThrows(Exception.class,
                    () -> ping.get(5, TimeUnit.SECONDS)).getCause();
            assertEquals(WebErrorStatus.CONNECTION_RESET, e.status(), e.toString());
            StepVerifier.create(ws.ping(ByteBuffer.allocate(1)))
                    .expectErrorSatisfies(after -> assertEquals(WebErrorStatus.CONNECTION_RESET, WebSocketError.status(after)))
                    .verify(WAIT);
        }
    }

    @Test
    void aPingPayloadOverOneHundredTwentyFiveBytesOrNullIsRefusedNamingIt() {
        try (TestServer server = TestServer.echoing()) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(WAIT);
            StepVerifier.create(ws.ping(ByteBuffer.allocate(126)))
                    .expectErrorSatisfies(e -> {
                        assertEquals(WebErrorStatus.INVALID_ARGUMENT, WebSocketError.status(e));
                        assertTrue(e.getMessage().startsWith("payload:"), e.getMessage());
                    })
                    .verify(WAIT);
            StepVerifier.create(ws.ping(null)).expectError(WebSocketException.class).verify(WAIT);
            // A server that answers Pings: the round trip of the longest payload allowed.
            assertTrue(ws.ping(ByteBuffer.allocate(125)).block(WAIT).toNanos() > 0);
            ws.close().block(WAIT);
        }
    }

    @Test
    void keepAliveFailsWithTimeoutAndClose1011WhenTheServerStopsAnswering() {
        try (RawServer server = RawServer.start()) {
            WebSocketClient client = WebSocketClient.builder().keepAlive(Duration.ofMillis(200), Duration.ofMillis(300)).build();
            long start = System.nanoTime();
            StreamWebSocket ws = open(server, client);
            Frame ping = server.readFrame(WAIT);
            assertEquals(Frame.PING, ping.opcode(), "a Ping after the interval without a frame");
            Frame close = server.readFrame(WAIT);
            assertEquals(Frame.CLOSE, close.opcode());
            assertEquals(1011, close.closeCode());
            StepVerifier.create(ws.receive())
                    .expectErrorSatisfies(e -> assertEquals(WebErrorStatus.TIMEOUT, WebSocketError.status(e), e.toString()))
                    .verify(WAIT);
            Duration detected = Duration.ofNanos(System.nanoTime() - start);
            // interval + timeout, plus a stated slack of 2 s for the scheduling of a loaded machine.
            assertTrue(detected.compareTo(Duration.ofMillis(500)) >= 0 && detected.compareTo(Duration.ofMillis(2500)) < 0,
                    "detected after " + detected.toMillis() + " ms");
            assertEquals(1011, ws.closeStatus().block(WAIT).code());
        }
    }

    @Test
    void keepAliveStaysOpenWhileTheServerAnswers() {
        try (RawServer server = RawServer.start()) {
            WebSocketClient client = WebSocketClient.builder().keepAlive(Duration.ofMillis(100), Duration.ofMillis(300)).build();
            StreamWebSocket ws = open(server, client);
            for (int i = 0; i < 5; i++) {
                Frame ping = server.readFrame(WAIT);
                assertEquals(Frame.PING, ping.opcode());
                server.sendFrame(true, 0, Frame.PONG, false, ping.payload());
            }
            assertFalse(ws.closeStatus().toFuture().isDone(), "still open after five keep-alive rounds");
            ws.close().toFuture();
            assertEquals(Frame.CLOSE, server.readFrame(WAIT).opcode());
            server.sendClose(1000, "");
            assertEquals(1000, ws.closeStatus().block(WAIT).code());
        }
    }

    @Test
    void keepAliveDoesNotFailWhileReadsArePausedAndDetectsASilentServerOnceTheyResume() {
        try (RawServer server = RawServer.start()) {
            WebSocketClient client = WebSocketClient.builder().receiveBufferBytes(1024)
                    .keepAlive(Duration.ofMillis(100), Duration.ofMillis(200)).build();
            StreamWebSocket ws = open(server, client);
            // More than the receive budget, then silence: the subscriber requests nothing, so reads pause.
            byte[] chunk = new byte[16 * 1024];
            for (int i = 0; i < 32; i++) {
                server.sendBinary(chunk);
            }
            // The keep-alive's Ping goes out while reads are paused; its Pong could not be read.
            assertEquals(Frame.PING, server.readFrame(WAIT).opcode());
            StepVerifier.create(ws.closeStatus())
                    .expectSubscription()
                    // Five timeouts: no keep-alive failure while reads are paused.
                    .expectNoEvent(Duration.ofMillis(1000))
                    .thenCancel()
                    .verify(WAIT);
            long start = System.nanoTime();
            StepVerifier.create(ws.receive())
                    .thenConsumeWhile(b -> true)
                    .expectErrorSatisfies(e -> assertEquals(WebErrorStatus.TIMEOUT, WebSocketError.status(e), e.toString()))
                    .verify(WAIT);
            assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofMillis(2500)) < 0,
                    "detected once reads resumed, within interval + timeout and 2 s of slack");
        }
    }

    @Test
    void noDataEitherWayForTheIdleTimeoutClosesWith1001() {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server, WebSocketClient.builder().idleTimeout(Duration.ofMillis(300)).build());
            Frame close = server.readFrame(WAIT);
            assertEquals(Frame.CLOSE, close.opcode());
            assertEquals(CloseStatus.GOING_AWAY, close.closeCode());
            assertTrue(new String(close.payload(), 2, close.payload().length - 2, StandardCharsets.UTF_8).startsWith("idle timeout"),
                    close.toString());
            server.sendClose(CloseStatus.GOING_AWAY, "");
            assertEquals(CloseStatus.GOING_AWAY, ws.closeStatus().block(WAIT).code());
        }
    }

    @Test
    void dataKeepsAConnectionWithAnIdleTimeoutOpen() throws Exception {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server, WebSocketClient.builder().idleTimeout(Duration.ofMillis(400)).build());
            // Eight sends 100 ms apart: 800 ms, twice the idle timeout, with data all along.
            CompletableFuture<Void> sends = Flux.interval(Duration.ofMillis(100)).take(8)
                    .concatMap(i -> ws.send(Mono.just(ByteBuffer.wrap(new byte[] {i.byteValue()}))))
                    .then().toFuture();
            for (int i = 0; i < 8; i++) {
                assertEquals(Frame.BINARY, server.readFrame(WAIT).opcode(), "data, not a Close, after " + i + " sends");
            }
            sends.get(10, TimeUnit.SECONDS);
            Frame close = server.readFrame(WAIT);
            assertEquals(Frame.CLOSE, close.opcode(), "once the data stopped");
            assertEquals(CloseStatus.GOING_AWAY, close.closeCode());
        }
    }

    @Test
    void keepAliveAndIdleTimeoutArgumentsMustBePositive() {
        WebSocketException e = assertThrows(WebSocketException.class,
                () -> WebSocketClient.builder().keepAlive(Duration.ZERO, Duration.ofSeconds(1)));
        assertEquals(WebErrorStatus.INVALID_ARGUMENT, e.status());
        assertTrue(e.getMessage().startsWith("keepAlive interval:"), e.getMessage());
        e = assertThrows(WebSocketException.class, () -> WebSocketClient.builder().keepAlive(Duration.ofSeconds(1), Duration.ofMillis(-1)));
        assertTrue(e.getMessage().startsWith("keepAlive timeout:"), e.getMessage());
        e = assertThrows(WebSocketException.class, () -> WebSocketClient.builder().idleTimeout(Duration.ZERO));
        assertTrue(e.getMessage().startsWith("idleTimeout:"), e.getMessage());
    }

    @Test
    void afterAPongTheNextKeepAlivePingFollowsTheIntervalNotTheTimeout() {
        try (RawServer server = RawServer.start()) {
            WebSocketClient client = WebSocketClient.builder().keepAlive(Duration.ofMillis(100), Duration.ofSeconds(8)).build();
            StreamWebSocket ws = open(server, client);
            Frame ping = server.readFrame(WAIT);
            for (int i = 0; i < 3; i++) {
                assertEquals(Frame.PING, ping.opcode());
                server.sendFrame(true, 0, Frame.PONG, false, ping.payload());
                long answered = System.nanoTime();
                ping = server.readFrame(WAIT);
                Duration gap = Duration.ofNanos(System.nanoTime() - answered);
                // The interval (100 ms) plus a stated slack of 2 s for the scheduling of a loaded machine;
                // the timeout (8 s) is not what the next Ping waits for.
                assertTrue(gap.compareTo(Duration.ofMillis(2100)) < 0, "the next Ping came " + gap.toMillis() + " ms after the Pong");
            }
            assertFalse(ws.closeStatus().toFuture().isDone(), "still open");
        }
    }

    /** How the application receives, in the tests where it asks for nothing. */
    enum Asking {
        STREAM_NOT_SUBSCRIBED(null, false),
        STREAM_SUBSCRIBED_WITHOUT_DEMAND(null, true),
        WHOLE_MESSAGES_NOT_SUBSCRIBED(ReceiveMode.WHOLE, false),
        WHOLE_MESSAGES_SUBSCRIBED_WITHOUT_DEMAND(ReceiveMode.WHOLE, true),
        STREAMED_MESSAGES_NOT_SUBSCRIBED(ReceiveMode.STREAMED, false),
        STREAMED_MESSAGES_SUBSCRIBED_WITHOUT_DEMAND(ReceiveMode.STREAMED, true);

        /** Message mode's receive mode; null for stream mode. */
        final ReceiveMode messages;
        /** {@code receive()} is subscribed first, with no request; else only once the Pings were answered. */
        final boolean subscribed;

        Asking(ReceiveMode messages, boolean subscribed) {
            this.messages = messages;
            this.subscribed = subscribed;
        }
    }

    /**
     * Data under the receive budget, then the server's Pings, while the application requests
     * nothing (or has not subscribed yet): each Ping is answered with its payload, since reads go
     * ahead of demand while the budget has room; the data that came first is kept meanwhile and
     * delivered whole and in order once it is asked for.
     */
    @ParameterizedTest
    @EnumSource(Asking.class)
    void aClientThatAsksForNothingAnswersPingsWhileItsBudgetHasRoomAndDeliversTheDataLater(Asking asking) throws Exception {
        try (RawServer server = RawServer.start()) {
            WebSocketClient client = asking.messages == null ? WebSocketClient.create()
                    : WebSocketClient.builder().receiveMode(asking.messages).build();
            Publisher<?> receive;
            Mono<CloseStatus> closeStatus;
            WebSocketInfo info;
            if (asking.messages == null) {
                StreamWebSocket ws = open(server, client);
                receive = ws.receive();
                closeStatus = ws.closeStatus();
                info = ws.info();
            } else {
                MessageWebSocket ws = server.connectMessages(client);
                receive = ws.receive();
                closeStatus = ws.closeStatus();
                info = ws.info();
            }
            AskingLater subscriber = new AskingLater();
            if (asking.subscribed) {
                receive.subscribe(subscriber);
            }
            for (int i = 0; i < 3; i++) {
                server.sendBinary(BytePattern.chunk(i * 1000L, 1000).array());
            }
            for (int i = 0; i < 5; i++) {
                byte[] payload = ("server ping " + i).getBytes(StandardCharsets.US_ASCII);
                server.sendFrame(true, 0, Frame.PING, false, payload);
                Frame pong = server.readFrame(WAIT);
                assertEquals(Frame.PONG, pong.opcode(), "the answer to Ping " + i);
                assertArrayEquals(payload, pong.payload(), "the Pong carries the Ping's payload");
            }
            assertEquals(3000, info.bytesReceived(), "the data that came before the Pings was read");
            assertEquals(0, subscriber.delivered, "nothing was delivered: nothing was requested");

            if (!asking.subscribed) {
                receive.subscribe(subscriber);
            }
            subscriber.request(Long.MAX_VALUE);
            server.sendClose(1000, "");
            subscriber.done.get(10, TimeUnit.SECONDS);
            assertEquals(3000, subscriber.checker.offset(), "every byte kept, in order");
            assertEquals(1000, closeStatus.block(WAIT).code());
        }
    }

    /**
     * With the receive budget full, reads are paused: a Ping that came behind the data is not read,
     * so not answered, until the subscriber asks for the data; its Pong follows then.
     */
    @Test
    void aClientWhoseBudgetIsFullAnswersNoPingUntilItsSubscriberAsks() throws Exception {
        int budget = 1024;
        int chunk = 16 * 1024;
        int chunks = 16;
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server, WebSocketClient.builder().receiveBufferBytes(budget).build());
            // 256 KiB: far more than the budget and one read; nobody subscribed.
            for (int i = 0; i < chunks; i++) {
                server.sendBinary(BytePattern.chunk((long) i * chunk, chunk).array());
            }
            byte[] payload = "behind the data".getBytes(StandardCharsets.US_ASCII);
            server.sendFrame(true, 0, Frame.PING, false, payload);
            Await.until(() -> ws.info().bandwidthStatistics().inboundPaused().compareTo(Duration.ZERO) > 0, WAIT,
                    "reads paused: the budget is full");
            long read = ws.info().bytesReceived();
            assertTrue(read >= budget && read <= budget + ONE_READ_AND_A_HEADER,
                    "read ahead of demand up to the budget and one read: " + read + " bytes");

            AssertionError none = assertThrows(AssertionError.class, () -> server.readFrame(Duration.ofMillis(500)));
            assertTrue(none.getMessage().startsWith("no whole frame"), "no Pong while reads are paused: " + none.getMessage());

            AskingLater subscriber = new AskingLater();
            ws.receive().subscribe(subscriber);
            subscriber.request(Long.MAX_VALUE);
            Frame pong = server.readFrame(WAIT);
            assertEquals(Frame.PONG, pong.opcode(), "answered once the data was taken");
            assertArrayEquals(payload, pong.payload());
            server.sendClose(1000, "");
            subscriber.done.get(10, TimeUnit.SECONDS);
            assertEquals((long) chunks * chunk, subscriber.checker.offset(), "every byte, in order");
        }
    }

    /**
     * Requests nothing until told ({@link #request}); checks the bytes of what it gets: buffers,
     * or messages, whose content it reads at once.
     */
    private static final class AskingLater extends BaseSubscriber<Object> {

        /** Every byte received, checked against the pattern (event loop). */
        final BytePattern.Checker checker = new BytePattern.Checker();
        /** Completes when the flux does. */
        final CompletableFuture<Void> done = new CompletableFuture<>();
        /** Items delivered (event loop; read by the test thread). */
        volatile int delivered;

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            // Nothing requested yet.
        }

        @Override
        protected void hookOnNext(Object item) {
            delivered++;
            if (item instanceof WebSocketMessage message) {
                message.content().subscribe(checker::accept, done::completeExceptionally);
            } else {
                checker.accept((ByteBuffer) item);
            }
        }

        @Override
        protected void hookOnComplete() {
            done.complete(null);
        }

        @Override
        protected void hookOnError(Throwable error) {
            done.completeExceptionally(error);
        }
    }
}
