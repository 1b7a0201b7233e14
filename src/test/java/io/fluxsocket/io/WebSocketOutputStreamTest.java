package io.fluxsocket.io;

import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.testing.Await;
import io.fluxsocket.testing.BytePattern;
import io.fluxsocket.testing.Frame;
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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The blocking output stream: one message, its frames on the wire, backpressure, failures, threads. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WebSocketOutputStreamTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final WebSocketClient CLIENT = WebSocketClient.builder()
            .connectTimeout(Duration.ofSeconds(2))
            .closeTimeout(Duration.ofSeconds(1))
            .build();

    @Test
    void tinyWritesAreCoalescedIntoOneMessageThatCloseFinishes() throws IOException {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = WebSocketInputStreamTest.open(server);
            OutputStream out = ws.outputStream();
            byte[] data = BytePattern.chunk(0, 1000).array();
            for (byte b : data) {
                out.write(b);
            }
            out.close();

            ByteArrayOutputStream received = new ByteArrayOutputStream();
            int frames = 0;
            for (Frame f; ; ) {
                f = server.readFrame();
                assertEquals(frames == 0 ? Frame.BINARY : Frame.CONTINUATION, f.opcode(), f.toString());
                received.writeBytes(f.payload());
                frames++;
                if (f.fin()) {
                    break;
                }
            }
            assertArrayEquals(data, received.toByteArray());
            assertTrue(frames <= 2, "1000 one-byte writes became " + frames + " frames");
        }
    }

    @Test
    void flushSendsANonFinalFrameAndCloseTheFinalOne() throws IOException {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = WebSocketInputStreamTest.open(server);
            OutputStream out = ws.outputStream();
            out.write(Hex.bytes("010203"));
            out.flush();
            Frame first = server.readFrame();
            assertEquals(Frame.BINARY, first.opcode());
            assertFalse(first.fin(), "a flush does not end the message");
            assertEquals("010203", Hex.of(first.payload()));
            assertEquals(3, ws.info().bytesSent(), "flush returned after its bytes were written");

            out.write(Hex.bytes("0405"));
            out.close();
            assertEquals("0405", restOfMessage(server));
        }
    }

    @Test
    void flushPushesEverythingWrittenSoFarIncludingFullBuffersStillQueued() throws IOException {
        int total = 5 * WebSocketOutputStream.CHUNK + 1000;
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = WebSocketInputStreamTest.open(server);
            OutputStream out = ws.outputStream();
            CompletableFuture<Long> read = CompletableFuture.supplyAsync(() -> {
                BytePattern.Checker checker = new BytePattern.Checker();
                while (checker.offset() < total) {
                    Frame f = server.readFrame();
                    assertFalse(f.fin(), "a flush does not end the message: " + f);
                    checker.accept(ByteBuffer.wrap(f.payload()));
                }
                return checker.offset();
            });
            for (int at = 0; at < total; at += 8192) {
                out.write(BytePattern.chunk(at, Math.min(8192, total - at)).array());
            }
            out.flush();
            assertEquals(total, ws.info().bytesSent(), "flush returned after every byte written so far was written");
            assertEquals(total, read.join(), "the server got them all as non-final frames");

            out.close();
            assertEquals("", restOfMessage(server), "close ends the message with an empty final frame");
        }
    }

    @Test
    void aWriterBlockedByAServerThatDoesNotReadHoldsAtMostItsBufferItsQueueAndTheLibrarysBudget() throws Exception {
        int budget = 64 * 1024;
        WebSocketClient client = WebSocketClient.builder().outboundBufferBytes(budget).build();
        long total = 8L << 20;
        try (RawServer server = RawServer.start(4096)) {
            StreamWebSocket ws = connect(client, server);
            OutputStream out = ws.outputStream();
            AtomicLong written = new AtomicLong();
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread writer = new Thread(() -> {
                try {
                    while (written.get() < total) {
                        out.write(BytePattern.chunk(written.get(), 8192).array());
                        written.addAndGet(8192);
                    }
                    out.close();
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            }, "blocked-writer");
            writer.start();
            Await.until(() -> writer.getState() == Thread.State.WAITING && written.get() > 0, WAIT,
                    "the writer blocks: the server does not read");

            // Taken by write() and not yet written to the socket: what the stream and the library hold.
            long held = written.get() - ws.info().bytesSent();
            // The buffer being filled, the queue, the library's budget and one more buffer it may take.
            long bound = WebSocketOutputStream.CHUNK + WebSocketOutputStream.QUEUE_BYTES + budget + WebSocketOutputStream.CHUNK;
            System.out.printf("blocked writer: written=%d sent=%d held=%d bound=%d%n",
                    written.get(), ws.info().bytesSent(), held, bound);
            assertTrue(held <= bound, held + " bytes held, bound " + bound);

            assertEquals(total, readMessage(server), "every byte once, in order, once the server reads");
            assertEquals(null, outcome.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void sendsWaitBehindAnOpenOutputStream() throws IOException {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = WebSocketInputStreamTest.open(server);
            OutputStream out = ws.outputStream();
            out.write(Hex.bytes("01"));
            out.flush();
            CompletableFuture<Void> later = ws.send(Mono.just(ByteBuffer.wrap(Hex.bytes("ff")))).toFuture();
            assertEquals("01", Hex.of(server.readFrame().payload()));
            assertFalse(later.isDone(), "the send waits for the stream's message");

            out.write(Hex.bytes("02"));
            out.close();
            assertEquals("02", restOfMessage(server));
            Frame next = server.readFrame();
            assertTrue(next.fin() && next.opcode() == Frame.BINARY && Hex.of(next.payload()).equals("ff"), next.toString());
            later.orTimeout(5, TimeUnit.SECONDS).join();
        }
    }

    @Test
    void useAfterCloseOrAfterTheConnectionClosedThrowsClosed() throws IOException {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = WebSocketInputStreamTest.open(server);
            OutputStream out = ws.outputStream();
            out.close();
            assertEquals(Frame.BINARY, server.readFrame().opcode());
            assertClosed(() -> out.write(1));
            assertClosed(out::flush);
            out.close();

            // Reads follow demand: without it the server's Close would not be read.
            ws.receive().subscribe();
            server.sendClose(1000, "");
            server.readFrame().assertClose(1000);
            ws.closeStatus().block(WAIT);
            assertClosed(() -> ws.outputStream().write(1));
            OutputStream late = ws.outputStream();
            assertClosed(late::close);
        }
    }

    @Test
    void noWriteProgressForTheSendTimeoutThrowsTimeout() throws Exception {
        WebSocketClient client = WebSocketClient.builder().sendTimeout(Duration.ofMillis(500)).build();
        try (RawServer server = RawServer.start(4096)) {
            StreamWebSocket ws = connect(client, server);
            OutputStream out = ws.outputStream();
            byte[] chunk = new byte[64 * 1024];
            // The server never reads: the writer blocks once the buffers are full, then the timeout fails it.
            WebSocketIOException e = assertThrows(WebSocketIOException.class, () -> {
                for (int i = 0; i < 10_000; i++) {
                    out.write(chunk);
                }
            });
            assertEquals(WebErrorStatus.TIMEOUT, e.status());
            assertEquals(WebErrorStatus.TIMEOUT, assertThrows(WebSocketIOException.class, out::close).status());
        }
    }

    @Test
    void interruptingABlockedWriterThrowsInterruptedIOExceptionAndLosesNoByte() throws Exception {
        long total = 16L << 20;
        try (RawServer server = RawServer.start(4096)) {
            StreamWebSocket ws = WebSocketInputStreamTest.open(server);
            OutputStream out = ws.outputStream();
            long[] offset = {0};
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread writer = new Thread(() -> {
                try {
                    while (offset[0] < total) {
                        out.write(BytePattern.chunk(offset[0], 10_000).array());
                        offset[0] += 10_000;
                    }
                    outcome.complete(null);
                } catch (InterruptedIOException e) {
                    offset[0] += e.bytesTransferred;
                    outcome.complete(e);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            }, "blocked-writer");
            writer.start();
            Await.until(() -> writer.getState() == Thread.State.WAITING, WAIT, "the writer blocks: the server does not read");
            writer.interrupt();
            assertInstanceOf(InterruptedIOException.class, outcome.get(5, TimeUnit.SECONDS));
            writer.join();

            CompletableFuture<Long> read = CompletableFuture.supplyAsync(() -> readMessage(server));
            long at = offset[0];
            while (at < total) {
                int n = (int) Math.min(10_000, total - at);
                out.write(BytePattern.chunk(at, n).array());
                at += n;
            }
            out.close();
            assertEquals(total, read.get(20, TimeUnit.SECONDS), "every byte once, in order");
        }
    }

    @Test
    void serverDroppingTheConnectionWakesABlockedWriter() throws Exception {
        try (RawServer server = RawServer.start(4096)) {
            StreamWebSocket ws = WebSocketInputStreamTest.open(server);
            OutputStream out = ws.outputStream();
            CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
                try {
                    byte[] chunk = new byte[64 * 1024];
                    for (int i = 0; i < 10_000; i++) {
                        out.write(chunk);
                    }
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            server.readFrame();
            server.reset();

            WebSocketIOException e = assertInstanceOf(WebSocketIOException.class, outcome.get(5, TimeUnit.SECONDS));
            assertTrue(EnumSet.of(WebErrorStatus.CONNECTION_RESET, WebErrorStatus.CONNECTION_ABORTED).contains(e.status()),
                    e.toString());
        }
    }

    @Test
    void blockingOnAnEventLoopOrParallelSchedulerThrowsIllegalStateException() throws Exception {
        try (TestServer server = TestServer.echoing()) {
            StreamWebSocket ws = CLIENT.connect(server.uri()).block(WAIT);
            OutputStream out = ws.outputStream();
            CompletableFuture<Throwable> onEventLoop = new CompletableFuture<>();
            // closeStatus() is signalled on the event loop once the connection closed.
            ws.closeStatus().subscribe(status -> {
                try {
                    out.write(1);
                    onEventLoop.complete(null);
                } catch (Throwable t) {
                    onEventLoop.complete(t);
                }
            });
            Throwable parallel = Mono.fromRunnable(() -> {
                try {
                    out.flush();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }).subscribeOn(Schedulers.parallel()).then(Mono.<Throwable>empty()).onErrorResume(Mono::just).block(WAIT);
            IllegalStateException e = assertInstanceOf(IllegalStateException.class, parallel);
            assertTrue(e.getMessage().contains("would deadlock") && e.getMessage().contains("send()"), e.getMessage());

            // The message must end first: the Close frame waits behind a message in flight.
            out.close();
            ws.close().block(WAIT);
            assertInstanceOf(IllegalStateException.class, onEventLoop.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void gzipStreamsRoundTripThroughAnEchoServer() throws Exception {
        byte[] text = ("fluxsocket streams gzip through a WebSocket; " + "x".repeat(100)).getBytes(StandardCharsets.UTF_8);
        try (TestServer server = TestServer.echoing()) {
            StreamWebSocket ws = CLIENT.connect(server.uri()).block(WAIT);
            InputStream in = ws.inputStream();
            CompletableFuture<byte[]> echoed = CompletableFuture.supplyAsync(() -> {
                try (GZIPInputStream gz = new GZIPInputStream(in)) {
                    return gz.readAllBytes();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(ws.outputStream(), 8192)) {
                for (int i = 0; i < 20_000; i++) {
                    byte[] piece = i % 2 == 0 ? text : BytePattern.chunk(i, 100).array();
                    gz.write(piece);
                    expected.writeBytes(piece);
                }
            }
            assertTrue(Arrays.equals(expected.toByteArray(), echoed.get(20, TimeUnit.SECONDS)), "gunzipped echo");
            ws.close().block(WAIT);
        }
    }

    /** Reads one message of the client, checking it against the byte pattern; its length. */
    private static long readMessage(RawServer server) {
        BytePattern.Checker checker = new BytePattern.Checker();
        for (Frame f; ; ) {
            f = server.readFrame(Duration.ofSeconds(10));
            checker.accept(ByteBuffer.wrap(f.payload()));
            if (f.fin()) {
                return checker.offset();
            }
        }
    }

    private interface IoCall {
        void run() throws IOException;
    }

    private static void assertClosed(IoCall call) {
        WebSocketIOException e = assertThrows(WebSocketIOException.class, call::run);
        assertEquals(WebErrorStatus.CLOSED, e.status(), e.toString());
    }

    /**
     * Reads continuation frames up to the one with FIN and returns their payloads, in hex.
     * {@code close()} hands its last bytes over and then ends the message: the framer may write the
     * bytes at once while the socket is idle and FIN in an empty frame after them, or both in one.
     */
    private static String restOfMessage(RawServer server) {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        for (Frame f; ; ) {
            f = server.readFrame();
            assertEquals(Frame.CONTINUATION, f.opcode(), f.toString());
            rest.writeBytes(f.payload());
            if (f.fin()) {
                return Hex.of(rest.toByteArray());
            }
        }
    }

    /** Connects {@code client} to the raw server, which answers the opening handshake. */
    private static StreamWebSocket connect(WebSocketClient client, RawServer server) throws Exception {
        CompletableFuture<StreamWebSocket> connecting = client.connect(server.uri()).toFuture();
        server.acceptHandshake();
        server.respond101();
        return connecting.get(5, TimeUnit.SECONDS);
    }
}
