package io.fluxsocket.io;

import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.testing.Await;
import io.fluxsocket.testing.BytePattern;
import io.fluxsocket.testing.Hex;
import io.fluxsocket.testing.RawServer;
import io.fluxsocket.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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

/** The blocking input stream over a scripted server: reads, the end, failures, timeouts, threads. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WebSocketInputStreamTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final WebSocketClient CLIENT = WebSocketClient.builder()
            .connectTimeout(Duration.ofSeconds(2))
            .closeTimeout(Duration.ofSeconds(1))
            .build();

    @Test
    void readReturnsWhatArrivedWithoutFillingTheArrayAndMinusOneAfterTheServersClose() throws IOException {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server);
            InputStream in = ws.inputStream();
            server.sendBinary(Hex.bytes("010203"));

            byte[] b = new byte[100];
            assertEquals(3, in.read(b, 10, 100 - 10));
            assertEquals("010203", Hex.of(java.util.Arrays.copyOfRange(b, 10, 13)));

            server.sendClose(1000, "bye");
            assertEquals(-1, in.read(b));
            assertEquals(-1, in.read(), "the end stays the end");
        }
    }

    @Test
    void singleByteReadsSkipReadNBytesAndAvailableFollowTheJdkContract() throws IOException {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server);
            InputStream in = ws.inputStream();
            server.sendBinary(Hex.bytes("0102"));
            server.sendBinary(Hex.bytes("030405"));

            assertEquals(0x01, in.read());
            // Two buffers are requested from the first read on: the second frame arrives unread.
            Await.until(() -> available(in) == 4, WAIT, "available() counts the 4 bytes received and not read");
            assertEquals(2, in.skip(2));
            assertEquals(2, in.available());
            server.sendBinary(Hex.bytes("0607"));
            assertEquals("040506", Hex.of(in.readNBytes(3)), "readNBytes waits across frames");
            server.sendBinary(Hex.bytes("08"));
            server.sendClose(1000, "");
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            assertEquals(2, in.transferTo(rest));
            assertEquals("0708", Hex.of(rest.toByteArray()));
            assertEquals(0, in.skip(10), "skip at the end");
            assertEquals(0, in.available());
            assertEquals(0, in.read(new byte[4], 0, 0), "a read of nothing returns 0");
        }
    }

    @Test
    void readAheadIsCountedInBytesSoManySmallMessagesArriveUnreadAtOnce() throws IOException {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server);
            InputStream in = ws.inputStream();
            for (int i = 0; i < 100; i++) {
                server.sendBinary(BytePattern.chunk(i * 10L, 10).array());
            }
            BytePattern.Checker checker = new BytePattern.Checker();
            checker.accept(ByteBuffer.wrap(in.readNBytes(10)));
            // 10-byte pieces are counted at the estimate's floor: the other 99 are requested at once.
            Await.until(() -> available(in) == 990, WAIT, "the 990 bytes of the other 99 messages arrive unread");
            checker.accept(ByteBuffer.wrap(in.readNBytes(990)));
            assertEquals(1000, checker.offset());
            assertEquals(0, in.available());
        }
    }

    @Test
    void anAbnormalEndThrowsTheStatusWithTheWebSocketExceptionAsCause() throws IOException {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server);
            InputStream in = ws.inputStream();
            server.sendBinary(Hex.bytes("aa"));
            assertEquals(0xaa, in.read());
            server.reset();

            WebSocketIOException e = assertThrows(WebSocketIOException.class, () -> in.read(new byte[8]));
            assertEquals(WebErrorStatus.CONNECTION_RESET, e.status());
            WebSocketException cause = assertInstanceOf(WebSocketException.class, e.getCause());
            assertEquals(WebErrorStatus.CONNECTION_RESET, cause.status());
            assertTrue(e.getMessage().startsWith("CONNECTION_RESET"), e.getMessage());
            assertEquals(WebErrorStatus.CONNECTION_RESET,
                    assertThrows(WebSocketIOException.class, in::read).status(), "every later read fails too");
        }
    }

    @Test
    void serverDroppingTheConnectionWakesABlockedReader() throws Exception {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server);
            InputStream in = ws.inputStream();
            server.sendBinary(Hex.bytes("0102"));
            assertEquals(2, in.read(new byte[8]));
            CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> readUnchecked(in));
            server.closeTcp();

            Throwable e = assertThrows(Exception.class, () -> blocked.get(5, TimeUnit.SECONDS)).getCause();
            WebSocketIOException io = assertInstanceOf(WebSocketIOException.class, e.getCause());
            assertEquals(WebErrorStatus.CONNECTION_ABORTED, io.status());
        }
    }

    @Test
    void readTimeoutThrowsSocketTimeoutExceptionAndLeavesTheStreamUsable() throws IOException {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server);
            WebSocketInputStream in = (WebSocketInputStream) ws.inputStream();
            assertEquals(Duration.ZERO, in.readTimeout(), "no read timeout by default");
            in.setReadTimeout(Duration.ofMillis(200));

            long start = System.nanoTime();
            assertThrows(SocketTimeoutException.class, () -> in.read(new byte[8]));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(200), "waited the timeout");

            server.sendBinary(Hex.bytes("0102"));
            in.setReadTimeout(Duration.ofSeconds(5));
            assertEquals("0102", Hex.of(in.readNBytes(2)), "usable after a timeout");
        }
    }

    @Test
    void interruptingABlockedReaderThrowsInterruptedIOExceptionAndLosesNoByte() throws Exception {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server);
            InputStream in = ws.inputStream();
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            CompletableFuture<Boolean> interruptStatus = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try {
                    in.read(new byte[8]);
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                    interruptStatus.complete(Thread.currentThread().isInterrupted());
                }
            }, "blocked-reader");
            reader.start();
            Await.until(() -> reader.getState() == Thread.State.WAITING, WAIT, "the reader blocks");
            reader.interrupt();

            assertInstanceOf(InterruptedIOException.class, outcome.get(5, TimeUnit.SECONDS));
            assertTrue(interruptStatus.get(), "the interrupt status is set again");
            server.sendBinary(Hex.bytes("010203"));
            server.sendBinary(Hex.bytes("04"));
            assertEquals("01020304", Hex.of(in.readNBytes(4)), "nothing lost or read twice");
        }
    }

    @Test
    void blockingOnAnEventLoopOrParallelSchedulerThrowsIllegalStateException() throws Exception {
        try (TestServer server = new TestServer((in, out) -> in.receiveFrames().then())) {
            StreamWebSocket ws = CLIENT.connect(server.uri()).block(WAIT);
            InputStream in = ws.inputStream();

            // A send's completion is signalled on the connection's event loop.
            CompletableFuture<Throwable> onEventLoop = new CompletableFuture<>();
            ws.send(Mono.just(ByteBuffer.wrap(new byte[] {1}))).subscribe(null, onEventLoop::complete, () -> {
                try {
                    in.read();
                    onEventLoop.complete(null);
                } catch (Throwable t) {
                    onEventLoop.complete(t);
                }
            });
            IllegalStateException e = assertInstanceOf(IllegalStateException.class, onEventLoop.get(5, TimeUnit.SECONDS));
            assertTrue(e.getMessage().contains("would deadlock") && e.getMessage().contains("receive()"), e.getMessage());

            Throwable parallel = Mono.fromCallable(in::read).subscribeOn(Schedulers.parallel())
                    .map(b -> (Throwable) null).onErrorResume(Mono::just).block(WAIT);
            assertInstanceOf(IllegalStateException.class, parallel);
            ws.close().block(WAIT);
        }
    }

    @Test
    void receiveHasOneSubscriberSoASecondStreamOrReceiveFailsClearly() {
        try (TestServer server = new TestServer((in, out) -> in.receiveFrames().then())) {
            StreamWebSocket ws = CLIENT.connect(server.uri()).block(WAIT);
            ws.inputStream();
            IllegalStateException e = assertThrows(IllegalStateException.class, ws::inputStream);
            assertTrue(e.getMessage().contains("already has a subscriber"), e.getMessage());
            StepVerifier.create(ws.receive()).expectError(IllegalStateException.class).verify(WAIT);

            StreamWebSocket other = CLIENT.connect(server.uri()).block(WAIT);
            other.receive().subscribe();
            assertThrows(IllegalStateException.class, other::inputStream);
            ws.close().block(WAIT);
            other.close().block(WAIT);
        }
    }

    @Test
    void closingTheInputStreamWakesReadersAndLeavesTheConnectionAndAnUploadRunning() throws Exception {
        CompletableFuture<Long> uploaded = new CompletableFuture<>();
        AtomicLong bytes = new AtomicLong();
        try (TestServer server = new TestServer((in, out) -> in.receiveFrames()
                .doOnNext(f -> {
                    bytes.addAndGet(f.content().readableBytes());
                    if (f.isFinalFragment()) {
                        uploaded.complete(bytes.get());
                    }
                })
                .then())) {
            StreamWebSocket ws = CLIENT.connect(server.uri()).block(WAIT);
            InputStream in = ws.inputStream();
            OutputStream out = ws.outputStream();
            CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> readUnchecked(in));
            out.write(new byte[100_000]);
            out.flush();

            in.close();
            Throwable e = assertThrows(Exception.class, () -> blocked.get(5, TimeUnit.SECONDS)).getCause();
            assertSameStatus(WebErrorStatus.CLOSED, e.getCause());
            assertEquals(WebErrorStatus.CLOSED, assertThrows(WebSocketIOException.class, in::read).status(),
                    "read after close");
            assertThrows(WebSocketIOException.class, in::available);
            in.close();

            out.write(new byte[100_000]);
            out.close();
            assertEquals(200_000L, uploaded.get(5, TimeUnit.SECONDS), "the upload went on to its end");
            assertFalse(ws.closeStatus().toFuture().isDone(), "the connection stays open");
            ws.close().block(WAIT);
        }
    }

    private static int readUnchecked(InputStream in) {
        try {
            return in.read(new byte[8]);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int available(InputStream in) {
        try {
            return in.available();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static StreamWebSocket open(RawServer server) {
        CompletableFuture<StreamWebSocket> connecting = CLIENT.connect(server.uri()).toFuture();
        server.acceptHandshake();
        server.respond101();
        return connecting.orTimeout(5, TimeUnit.SECONDS).join();
    }

    static void assertSameStatus(WebErrorStatus expected, Throwable e) {
        assertSame(expected, assertInstanceOf(WebSocketIOException.class, e).status());
    }
}
