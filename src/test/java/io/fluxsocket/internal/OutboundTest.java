package io.fluxsocket.internal;

import io.fluxsocket.ReceiveMode;
import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.WebSocketMessage;
import io.netty.handler.timeout.WriteTimeoutHandler;
import io.fluxsocket.testing.Await;
import io.fluxsocket.testing.BytePattern;
import io.fluxsocket.testing.RawServer;
import io.fluxsocket.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Fuseable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One send is one binary message of frames, sized, ordered and bounded as documented. */
@Timeout(60)
class OutboundTest {

    private static final int FRAME = 64 * 1024;

    @Test
    void oneSendIsOneBinaryMessageWithFinOnlyOnTheLastFrame() {
        FrameRecorder recorder = new FrameRecorder();
        try (TestServer server = new TestServer((in, out) -> recorder.record(in))) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(Duration.ofSeconds(10));
            int part = 100 * 1024;
            ws.send(Flux.range(0, 3).map(i -> BytePattern.chunk((long) i * part, part))).block(Duration.ofSeconds(10));
            Await.until(() -> recorder.messages().size() == 1, Duration.ofSeconds(10), "the message arrived");

            List<FrameRecorder.Frame> frames = recorder.frames();
            assertFalse(frames.get(0).continuation(), "the first frame has opcode 2 (binary)");
            for (int i = 1; i < frames.size(); i++) {
                assertTrue(frames.get(i).continuation(), "frame " + i + " is a continuation");
            }
            for (int i = 0; i < frames.size(); i++) {
                assertEquals(i == frames.size() - 1, frames.get(i).fin(), "FIN only on the last frame, frame " + i);
                assertTrue(frames.get(i).payload().length <= FRAME, "frame " + i + " within maxFramePayload");
            }
            BytePattern.Checker checker = new BytePattern.Checker();
            checker.accept(ByteBuffer.wrap(recorder.messages().get(0)));
            assertEquals(3L * part, checker.offset());
            ws.close().block(Duration.ofSeconds(10));
        }
    }

    @Test
    void anEmptyPublisherSendsOneEmptyMessage() {
        FrameRecorder recorder = new FrameRecorder();
        try (TestServer server = new TestServer((in, out) -> recorder.record(in))) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(Duration.ofSeconds(10));
            ws.send(Flux.empty()).block(Duration.ofSeconds(10));
            Await.until(() -> recorder.frames().size() == 1, Duration.ofSeconds(10), "the frame arrived");
            FrameRecorder.Frame frame = recorder.frames().get(0);
            assertFalse(frame.continuation());
            assertTrue(frame.fin());
            assertEquals(0, frame.payload().length);
            ws.close().block(Duration.ofSeconds(10));
        }
    }

    @Test
    void smallBuffersFromASynchronousSourceAreCoalescedIntoFullFrames() {
        FrameRecorder recorder = new FrameRecorder();
        try (TestServer server = new TestServer((in, out) -> recorder.record(in))) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(Duration.ofSeconds(10));
            ws.send(Flux.range(0, 1000).map(i -> BytePattern.chunk(i * 100L, 100))).block(Duration.ofSeconds(10));
            Await.until(() -> recorder.messages().size() == 1, Duration.ofSeconds(10), "the message arrived");

            int[] sizes = recorder.frames().stream().mapToInt(f -> f.payload().length).toArray();
            assertArrayEquals(new int[] {FRAME, 100_000 - FRAME}, sizes, "1000 buffers of 100 bytes: " + Arrays.toString(sizes));
            BytePattern.Checker checker = new BytePattern.Checker();
            checker.accept(ByteBuffer.wrap(recorder.messages().get(0)));
            assertEquals(100_000, checker.offset());
            ws.close().block(Duration.ofSeconds(10));
        }
    }

    @Test
    void aLargeBufferIsSplitAtMaxFramePayload() {
        FrameRecorder recorder = new FrameRecorder();
        try (TestServer server = new TestServer((in, out) -> recorder.record(in))) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(Duration.ofSeconds(10));
            ws.send(Mono.just(BytePattern.chunk(0, (1 << 20) + 5))).block(Duration.ofSeconds(10));
            Await.until(() -> recorder.messages().size() == 1, Duration.ofSeconds(10), "the message arrived");

            List<FrameRecorder.Frame> frames = recorder.frames();
            for (int i = 0; i < 16; i++) {
                assertEquals(FRAME, frames.get(i).payload().length, "frame " + i + " is a full frame");
            }
            assertEquals(17, frames.size(), "16 full frames and the final 5 bytes");
            assertEquals(5, frames.get(16).payload().length);
            BytePattern.Checker checker = new BytePattern.Checker();
            checker.accept(ByteBuffer.wrap(recorder.messages().get(0)));
            assertEquals((1 << 20) + 5, checker.offset());
            ws.close().block(Duration.ofSeconds(10));
        }
    }

    @Test
    void concurrentSendsAreSerializedAndNeverInterleave() {
        FrameRecorder recorder = new FrameRecorder();
        try (TestServer server = new TestServer((in, out) -> recorder.record(in))) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(Duration.ofSeconds(10));
            int senders = 8;
            int buffers = 200;
            List<Mono<Void>> sends = new ArrayList<>();
            for (int id = 0; id < senders; id++) {
                byte mark = (byte) id;
                sends.add(ws.send(Flux.range(0, buffers)
                                .map(i -> {
                                    byte[] b = new byte[1024];
                                    Arrays.fill(b, mark);
                                    return ByteBuffer.wrap(b);
                                })
                                .publishOn(Schedulers.parallel(), 4))
                        .subscribeOn(Schedulers.boundedElastic()));
            }
            Flux.merge(sends).blockLast(Duration.ofSeconds(20));
            Await.until(() -> recorder.messages().size() == senders, Duration.ofSeconds(10), "all messages arrived");

            boolean[] seen = new boolean[senders];
            for (byte[] message : recorder.messages()) {
                assertEquals(buffers * 1024, message.length, "each message whole");
                byte mark = message[0];
                for (byte b : message) {
                    assertEquals(mark, b, "a message holds only its own sender's bytes");
                }
                seen[mark] = true;
            }
            for (boolean s : seen) {
                assertTrue(s, "every sender's message arrived");
            }
            ws.close().block(Duration.ofSeconds(10));
        }
    }

    /**
     * Fused: {@code Flux.generate} fuses synchronously and is polled on the event loop; hidden, it
     * is asked one buffer at a time. The bound is the same.
     */
    @ParameterizedTest(name = "fused = {0}")
    @ValueSource(booleans = {true, false})
    void heldBytesStayWithinTheOutboundBudgetWhenTheServerStopsReading(boolean fused) throws Exception {
        int budget = 256 * 1024;
        // The server never subscribes to its inbound: it never reads after the handshake.
        try (TestServer server = new TestServer((in, out) -> Mono.never())) {
            DefaultWebSocketClient client = new DefaultWebSocketClient(config(budget, Duration.ofSeconds(30)));
            WebSocketConnection connection = client.open(server.uri(), null, Mode.STREAM).block(Duration.ofSeconds(10));
            StreamWebSocket ws = new DefaultStreamWebSocket(connection);
            AtomicLong emitted = new AtomicLong();
            Flux<ByteBuffer> endless = Flux.generate(sink -> {
                sink.next(BytePattern.chunk(emitted.get(), FRAME));
                emitted.addAndGet(FRAME);
            });
            assertTrue(endless instanceof Fuseable, "Flux.generate offers fusion");
            ws.send(fused ? endless : endless.hide()).subscribe(null, e -> { });

            Await.until(() -> !connection.channel().isWritable(), Duration.ofSeconds(20), "the client's channel is unwritable");
            for (int i = 0; i < 20; i++) {
                long[] snapshot = connection.channel().eventLoop()
                        .submit(() -> new long[] {emitted.get(), ws.info().bytesSent(), connection.outbound().held()})
                        .get();
                long taken = snapshot[0] - snapshot[1];
                assertTrue(snapshot[2] <= budget + FRAME, "held " + snapshot[2] + " > budget + one frame");
                assertTrue(taken <= budget + FRAME, "taken from the publisher and not written: " + taken);
                if (i == 19) {
                    System.out.printf("stalled upload: emitted=%d written=%d held=%d budget=%d%n",
                            snapshot[0], snapshot[1], snapshot[2], budget);
                }
            }
            connection.channel().close().sync();
        }
    }

    @Test
    void aStreamWhoseBuffersGrowFromTinyToSixteenMebibytesStaysWithinTheBudgetPlusOneBuffer() throws Exception {
        int budget = 1024 * 1024;
        int big = 16 << 20;
        try (TestServer server = new TestServer((in, out) -> Mono.never())) {
            WebSocketConnection connection = new DefaultWebSocketClient(config(budget, Duration.ofSeconds(30)))
                    .open(server.uri(), null, Mode.STREAM).block(Duration.ofSeconds(10));
            StreamWebSocket ws = new DefaultStreamWebSocket(connection);
            AtomicLong emitted = new AtomicLong();
            // Ten bytes first: a library that sized its requests from the buffers seen so far would
            // ask for many of the 16 MiB ones that follow.
            Flux<ByteBuffer> growing = Flux.concat(Mono.just(ByteBuffer.allocate(10)),
                    Flux.generate(sink -> sink.next(ByteBuffer.allocate(big)))).doOnNext(b -> emitted.addAndGet(b.remaining()));
            ws.send(growing).subscribe(null, e -> { });
            assertStalledWithin(connection, emitted, budget + (long) big);
            connection.channel().close().sync();
        }
    }

    @Test
    void wholeMessagesOfSixteenMebibytesStayWithinTheBudgetPlusOneMessageWhenTheServerStopsReading() throws Exception {
        int budget = 1024 * 1024;
        int big = 16 << 20;
        try (TestServer server = new TestServer((in, out) -> Mono.never())) {
            WebSocketConnection connection = new DefaultWebSocketClient(config(budget, Duration.ofSeconds(30)))
                    .open(server.uri(), null, Mode.WHOLE_MESSAGES).block(Duration.ofSeconds(10));
            MessageWebSocket ws = new DefaultMessageWebSocket(connection);
            AtomicLong emitted = new AtomicLong();
            Flux<WebSocketMessage> growing = Flux.concat(Mono.just(WebSocketMessage.text("hello")),
                    Flux.generate(sink -> sink.next(WebSocketMessage.binary(ByteBuffer.allocate(big)))))
                    .doOnNext(m -> emitted.addAndGet(m.payload().remaining()));
            ws.send(growing).subscribe(null, e -> { });
            assertStalledWithin(connection, emitted, budget + (long) big);
            connection.channel().close().sync();
        }
    }

    @ParameterizedTest(name = "fused = {0}")
    @ValueSource(booleans = {true, false})
    void smallWholeMessagesStayWithinTheBudgetPlusOneMessageWhenTheServerStopsReading(boolean fused) throws Exception {
        int budget = 64 * 1024;
        int size = 1000;
        try (TestServer server = new TestServer((in, out) -> Mono.never())) {
            WebSocketConnection connection = new DefaultWebSocketClient(config(budget, Duration.ofSeconds(30)))
                    .open(server.uri(), null, Mode.WHOLE_MESSAGES).block(Duration.ofSeconds(10));
            MessageWebSocket ws = new DefaultMessageWebSocket(connection);
            AtomicLong emitted = new AtomicLong();
            Flux<WebSocketMessage> endless = Flux.generate(sink -> {
                sink.next(WebSocketMessage.binary(BytePattern.chunk(emitted.get(), size)));
                emitted.addAndGet(size);
            });
            ws.send(fused ? endless : endless.hide()).subscribe(null, e -> { });
            assertStalledWithin(connection, emitted, budget + (long) size);
            connection.channel().close().sync();
        }
    }

    @Test
    void aFusedPublisherThatThrowsFailsItsSendWithTheErrorAndTheConnectionGoesOn() {
        try (TestServer server = TestServer.echoing()) {
            MessageWebSocket ws = WebSocketClient.create().connectMessages(server.uri()).block(Duration.ofSeconds(10));
            IllegalStateException boom = new IllegalStateException("boom");
            Flux<WebSocketMessage> failing = Flux.range(0, 10).map(i -> {
                if (i == 5) {
                    throw boom;
                }
                return WebSocketMessage.text("m" + i);
            });
            // The error is the one thrown; the five messages before it were sent.
            StepVerifier.create(ws.send(failing)).expectErrorSatisfies(e -> assertSame(boom, e)).verify(Duration.ofSeconds(10));
            ws.send(Mono.just(WebSocketMessage.text("after"))).block(Duration.ofSeconds(10));
            StepVerifier.create(ws.receive().map(WebSocketMessage::text).take(6))
                    .expectNext("m0", "m1", "m2", "m3", "m4", "after").verifyComplete();
            ws.close().block(Duration.ofSeconds(10));
        }
    }

    /**
     * Waits until the client's channel is unwritable (the server reads nothing), then checks for a
     * while that what publishers emitted and the socket did not take, and what the outbound holds,
     * stay within {@code bound}.
     */
    private static void assertStalledWithin(WebSocketConnection connection, AtomicLong emitted, long bound)
            throws Exception {
        Await.until(() -> !connection.channel().isWritable(), Duration.ofSeconds(20), "the client's channel is unwritable");
        for (int i = 0; i < 20; i++) {
            long[] snapshot = connection.channel().eventLoop()
                    .submit(() -> new long[] {emitted.get(), connection.info().bytesSent(), connection.outbound().held()})
                    .get();
            assertTrue(snapshot[2] <= bound, "held " + snapshot[2] + " > " + bound);
            assertTrue(snapshot[0] - snapshot[1] <= bound, "taken from the publisher and not written: "
                    + (snapshot[0] - snapshot[1]) + " > " + bound);
            if (i == 19) {
                System.out.printf("stalled: emitted=%d written=%d held=%d bound=%d%n", snapshot[0], snapshot[1],
                        snapshot[2], bound);
            }
        }
    }

    @Test
    void aPongGoesOutBetweenTheFramesOfAMessageInFlight() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = WebSocketClient.create().connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.respond101();
            StreamWebSocket ws = connecting.join();
            ws.receive().subscribe(null, e -> { });
            // A paced upload: its frames go out one by one, well after the ping.
            ws.send(Flux.range(0, 64).map(i -> BytePattern.chunk((long) i * FRAME, FRAME))
                    .delayElements(Duration.ofMillis(5))).subscribe(null, e -> { });

            io.fluxsocket.testing.Frame first = server.readFrame();
            assertEquals(io.fluxsocket.testing.Frame.BINARY, first.opcode());
            server.sendFrame(true, 0, io.fluxsocket.testing.Frame.PING, false, new byte[] {7, 7});
            List<String> after = new ArrayList<>();
            io.fluxsocket.testing.Frame f;
            do {
                f = server.readFrame();
                after.add(f.opcode() == io.fluxsocket.testing.Frame.PONG ? "pong" : f.fin() ? "fin" : "data");
            } while (!f.fin() || f.opcode() == io.fluxsocket.testing.Frame.PONG);
            int pong = after.indexOf("pong");
            assertTrue(pong >= 0 && pong < after.indexOf("fin"), "the Pong before the message's last frame: " + after);
            assertTrue(after.subList(pong + 1, after.size()).contains("data"), "data frames after the Pong: " + after);
        }
    }

    @Test
    void handlersThatListenToWritePromisesMaySitInThePipeline() {
        FrameRecorder recorder = new FrameRecorder();
        try (TestServer server = new TestServer((in, out) -> recorder.record(in))) {
            DefaultWebSocketClient client = new DefaultWebSocketClient(config(1024 * 1024, Duration.ofSeconds(30)),
                    tcp -> tcp.doOnConnected(c -> c.channel().pipeline().addFirst(new WriteTimeoutHandler(30))));
            StreamWebSocket ws = new DefaultStreamWebSocket(client.open(server.uri(), null, Mode.STREAM).block(Duration.ofSeconds(10)));
            ws.send(Flux.range(0, 64).map(i -> BytePattern.chunk((long) i * FRAME, FRAME))).block(Duration.ofSeconds(20));
            Await.until(() -> recorder.messages().size() == 1, Duration.ofSeconds(10), "the message arrived");
            assertEquals(64L * FRAME, recorder.messages().get(0).length);
            ws.close().block(Duration.ofSeconds(10));
        }
    }

    @Test
    void aSendWithoutWriteProgressForTheSendTimeoutFailsWithTimeout() {
        try (TestServer server = new TestServer((in, out) -> Mono.never())) {
            DefaultWebSocketClient client = new DefaultWebSocketClient(config(256 * 1024, Duration.ofSeconds(1)));
            WebSocketConnection connection = client.open(server.uri(), null, Mode.STREAM).block(Duration.ofSeconds(10));
            StreamWebSocket ws = new DefaultStreamWebSocket(connection);
            AtomicLong offset = new AtomicLong();
            Flux<ByteBuffer> endless = Flux.generate(sink -> sink.next(BytePattern.chunk(offset.getAndAdd(FRAME), FRAME)));
            StepVerifier.create(ws.send(endless))
                    .expectErrorSatisfies(e -> assertEquals(WebErrorStatus.TIMEOUT, ((WebSocketException) e).status()))
                    .verify(Duration.ofSeconds(20));
            assertEquals(1006, ws.closeStatus().block(Duration.ofSeconds(10)).code());
        }
    }

    @Test
    void aSendNeverCompletesNormallyWhenTheServerDropsInTheMiddleOfItsMessage() {
        AtomicInteger frames = new AtomicInteger();
        try (TestServer server = new TestServer((in, out) -> in.receiveFrames()
                .doOnNext(f -> {
                    if (frames.incrementAndGet() == 3) {
                        in.withConnection(c -> c.channel().close());
                    }
                })
                .then())) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(Duration.ofSeconds(10));
            long total = 64L << 20;
            StepVerifier.create(ws.send(Flux.range(0, (int) (total / FRAME)).map(i -> BytePattern.chunk((long) i * FRAME, FRAME))))
                    .expectErrorSatisfies(e -> {
                        WebErrorStatus status = ((WebSocketException) e).status();
                        assertTrue(status == WebErrorStatus.CLOSED || status == WebErrorStatus.CONNECTION_RESET
                                || status == WebErrorStatus.CONNECTION_ABORTED, "status " + status);
                    })
                    .verify(Duration.ofSeconds(20));
            assertTrue(ws.info().bytesSent() < total, "not everything was written: " + ws.info().bytesSent());
        }
    }

    @Test
    void aMonoJustIsOneFinalBinaryFrameOfItsBytesAndItsBufferIsLeftAsItWas() {
        FrameRecorder recorder = new FrameRecorder();
        try (TestServer server = new TestServer((in, out) -> recorder.record(in))) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(Duration.ofSeconds(10));
            // Read-only, array-backed and direct buffers, each positioned inside a larger one.
            ByteBuffer readOnly = BytePattern.chunk(0, 100).position(10).asReadOnlyBuffer();
            ByteBuffer array = ByteBuffer.wrap(new byte[] {9, 1, 2, 3, 9}).position(1).limit(4);
            ByteBuffer direct = ByteBuffer.allocateDirect(3000).put(BytePattern.chunk(0, 3000)).flip().position(1);
            ws.send(Mono.just(readOnly)).block(Duration.ofSeconds(10));
            ws.send(Mono.just(array)).block(Duration.ofSeconds(10));
            ws.send(Mono.just(direct)).block(Duration.ofSeconds(10));
            Await.until(() -> recorder.frames().size() == 3, Duration.ofSeconds(10), "the frames arrived");

            List<FrameRecorder.Frame> frames = recorder.frames();
            for (FrameRecorder.Frame f : frames) {
                assertFalse(f.continuation());
                assertTrue(f.fin());
            }
            assertArrayEquals(bytes(BytePattern.chunk(10, 90)), frames.get(0).payload());
            assertArrayEquals(new byte[] {1, 2, 3}, frames.get(1).payload());
            assertArrayEquals(bytes(BytePattern.chunk(1, 2999)), frames.get(2).payload());
            assertEquals(10, readOnly.position());
            assertEquals(1, array.position());
            assertEquals(4, array.limit());
            assertEquals(1, direct.position());
            ws.close().block(Duration.ofSeconds(10));
        }
    }

    @Test
    void anEmptyMonoSendsOneEmptyMessage() {
        FrameRecorder recorder = new FrameRecorder();
        try (TestServer server = new TestServer((in, out) -> recorder.record(in))) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(Duration.ofSeconds(10));
            ws.send(Mono.empty()).block(Duration.ofSeconds(10));
            ws.send(Mono.fromCallable(() -> null)).block(Duration.ofSeconds(10));
            Await.until(() -> recorder.frames().size() == 2, Duration.ofSeconds(10), "the frames arrived");
            for (FrameRecorder.Frame f : recorder.frames()) {
                assertFalse(f.continuation());
                assertTrue(f.fin());
                assertEquals(0, f.payload().length);
            }
            ws.close().block(Duration.ofSeconds(10));
        }
    }

    @Test
    void aMonoErrorOrAThrowingCallableFailsItsSendWithItsErrorAndWritesNothing() {
        FrameRecorder recorder = new FrameRecorder();
        try (TestServer server = new TestServer((in, out) -> recorder.record(in))) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(Duration.ofSeconds(10));
            IOException checked = new IOException("boom");
            ExecutionException e1 = assertThrows(ExecutionException.class,
                    () -> ws.send(Mono.error(checked)).toFuture().get(10, TimeUnit.SECONDS));
            assertSame(checked, e1.getCause(), "a checked error is the publisher's own, not wrapped");
            IllegalStateException thrown = new IllegalStateException("from the callable");
            ExecutionException e2 = assertThrows(ExecutionException.class, () -> ws.send(Mono.fromCallable(() -> {
                throw thrown;
            })).toFuture().get(10, TimeUnit.SECONDS));
            assertSame(thrown, e2.getCause());
            ExecutionException e3 = assertThrows(ExecutionException.class,
                    () -> ws.send(Mono.<ByteBuffer>error(checked).hide()).toFuture().get(10, TimeUnit.SECONDS));
            assertSame(checked, e3.getCause(), "the same through a subscription");

            // Nothing of them reached the wire, and the connection is still usable.
            ws.send(Mono.just(ByteBuffer.wrap(new byte[] {42}))).block(Duration.ofSeconds(10));
            Await.until(() -> recorder.frames().size() == 1, Duration.ofSeconds(10), "the frame arrived");
            assertArrayEquals(new byte[] {42}, recorder.frames().get(0).payload());
            ws.close().block(Duration.ofSeconds(10));
        }
    }

    @Test
    void manyConcurrentSingleBufferSendsAreEachOneWholeMessageInSubscriptionOrder() {
        FrameRecorder recorder = new FrameRecorder();
        try (TestServer server = new TestServer((in, out) -> recorder.record(in))) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(Duration.ofSeconds(10));
            int n = 3000;
            // Even ones are read as scalars, odd ones (hide()) subscribed: both kinds interleave.
            Flux.range(0, n)
                    .flatMap(i -> ws.send(i % 2 == 0 ? Mono.just(numbered(i)) : Mono.just(numbered(i)).hide()), 64)
                    .then()
                    .block(Duration.ofSeconds(30));
            Await.until(() -> recorder.messages().size() == n, Duration.ofSeconds(10), "all messages arrived");

            List<byte[]> messages = recorder.messages();
            for (int i = 0; i < n; i++) {
                assertArrayEquals(bytes(numbered(i)), messages.get(i), "message " + i + " whole and in order");
            }
            assertEquals(n, recorder.frames().size(), "one frame per message");
            ws.close().block(Duration.ofSeconds(10));
        }
    }

    @Test
    void aSingleBufferSendCompletesOnlyOnceWrittenAndFailsWhenTheConnectionClosesFirst() {
        // The server never reads after the handshake: the message cannot all be written.
        try (TestServer server = new TestServer((in, out) -> Mono.never())) {
            DefaultWebSocketClient client = new DefaultWebSocketClient(config(256 * 1024, Duration.ofSeconds(30)));
            WebSocketConnection connection = client.open(server.uri(), null, Mode.STREAM).block(Duration.ofSeconds(10));
            StreamWebSocket ws = new DefaultStreamWebSocket(connection);
            // Larger than what the kernel's send and receive buffers of a loopback connection take.
            int size = 32 << 20;
            CompletableFuture<Void> big = ws.send(Mono.just(ByteBuffer.allocate(size))).toFuture();
            CompletableFuture<Void> small = ws.send(Mono.just(ByteBuffer.allocate(64))).toFuture();

            Await.until(() -> !connection.channel().isWritable(), Duration.ofSeconds(20), "the client's channel is unwritable");
            assertFalse(big.isDone(), "not complete while its frames wait to be written");
            assertFalse(small.isDone(), "nor the send behind it");
            assertTrue(ws.info().bytesSent() < size, "written: " + ws.info().bytesSent());

            connection.channel().close();
            ExecutionException failed = assertThrows(ExecutionException.class, () -> big.get(10, TimeUnit.SECONDS));
            assertInstanceOf(WebSocketException.class, failed.getCause());
            ExecutionException behind = assertThrows(ExecutionException.class, () -> small.get(10, TimeUnit.SECONDS));
            assertInstanceOf(WebSocketException.class, behind.getCause());
        }
    }

    /** 100 bytes: the number, then the pattern from it. */
    private static ByteBuffer numbered(int i) {
        ByteBuffer b = ByteBuffer.allocate(100);
        b.putInt(i).put(BytePattern.chunk(i, 96)).flip();
        return b;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    private static ClientConfig config(int outboundBudget, Duration sendTimeout) {
        return new ClientConfig(Duration.ofSeconds(10), sendTimeout, Duration.ofSeconds(2), true,
                Map.of(), List.of(), FRAME, 256 * 1024, outboundBudget, 1 << 20, ReceiveMode.WHOLE);
    }
}
