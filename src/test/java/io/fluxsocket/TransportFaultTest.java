package io.fluxsocket;

import io.fluxsocket.testing.Frame;
import io.fluxsocket.testing.Hex;
import io.fluxsocket.testing.RawServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import static io.fluxsocket.testing.RawServer.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server that drops the connection, never answers, floods pings or closes in odd ways: the
 * connection always ends, with the documented signals, and the closing handshake is right on the
 * wire.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TransportFaultTest {

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(5);
    /** How long the server waits to see the client close TCP when it should do so at once. */
    private static final Duration PROMPTLY = Duration.ofSeconds(2);

    private static final WebSocketClient CLIENT = WebSocketClient.builder()
            .connectTimeout(Duration.ofSeconds(2))
            .closeTimeout(CLOSE_TIMEOUT)
            .build();

    // ---- the transport ends without a closing handshake ----

    @Test
    void resetEndsReceiveWithConnectionResetAndCloseStatus1006() {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server, CLIENT);

            StepVerifier.create(ws.receive().map(Hex::of))
                    .then(() -> server.sendBinary(Hex.bytes("01")))
                    .expectNext("01")
                    .then(server::reset)
                    .expectErrorSatisfies(e -> assertStatus(e, WebErrorStatus.CONNECTION_RESET))
                    .verify(WAIT);
            assertEquals(new CloseStatus(1006, "", false), ws.closeStatus().block(WAIT));
        }
    }

    @Test
    void finWithoutACloseFrameEndsReceiveWithConnectionAbortedAndCloseStatus1006() {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server, CLIENT);

            StepVerifier.create(ws.receive().map(Hex::of))
                    .then(() -> server.sendBinary(Hex.bytes("01")))
                    .expectNext("01")
                    .then(server::closeTcp)
                    .expectErrorSatisfies(e -> assertStatus(e, WebErrorStatus.CONNECTION_ABORTED))
                    .verify(WAIT);
            assertEquals(new CloseStatus(1006, "", false), ws.closeStatus().block(WAIT));
            server.expectEof(PROMPTLY);
        }
    }

    @Test
    void sendErrorsWhenTheServerResetsInTheMiddleOfTheMessage() {
        WebSocketClient client = WebSocketClient.builder()
                .connectTimeout(Duration.ofSeconds(2))
                .closeTimeout(CLOSE_TIMEOUT)
                .maxFramePayload(1024)
                .build();
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server, client);
            byte[] chunk = new byte[512];
            // A message that never ends: its frames go out as long as the socket takes them.
            Flux<ByteBuffer> endless = Flux.generate(sink -> sink.next(ByteBuffer.wrap(chunk).asReadOnlyBuffer()));
            CompletableFuture<Void> sending = ws.send(endless).toFuture();

            Frame first = server.readFrame();
            assertEquals(Frame.BINARY, first.opcode(), first::toString);
            assertFalse(first.fin(), first::toString);
            for (int i = 0; i < 3; i++) {
                Frame next = server.readFrame();
                assertEquals(Frame.CONTINUATION, next.opcode(), next::toString);
                assertFalse(next.fin(), next::toString);
            }
            server.reset();

            ExecutionException failed = assertThrows(ExecutionException.class,
                    () -> sending.get(5, TimeUnit.SECONDS), "send must error when the connection is lost");
            assertEquals(new CloseStatus(1006, "", false), ws.closeStatus().block(WAIT));
            assertStatus(failed.getCause(), WebErrorStatus.CONNECTION_RESET);
        }
    }

    // ---- the client closes ----

    @Test
    void closeWithACodeAndReasonPutsThemOnTheWireAndReportsTheServersCode() throws Exception {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server, CLIENT);

            CompletableFuture<Void> closing = ws.close(4001, "bye").toFuture();
            // 0x0fa1 = 4001, then "bye".
            assertEquals("8885" + "0fa1" + "627965", server.readFrame().toHex());
            server.sendClose(4002, "ok");

            closing.get(5, TimeUnit.SECONDS);
            assertEquals(new CloseStatus(4002, "ok", true), ws.closeStatus().block(WAIT));
            server.expectEof(PROMPTLY);
        }
    }

    @Test
    void closeFinishesWhenTheServerNeverAnswersByClosingTcpAfterTheCloseTimeout() throws Exception {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server, CLIENT);
            CompletableFuture<List<ByteBuffer>> received = ws.receive().collectList().toFuture();

            long start = System.nanoTime();
            CompletableFuture<Void> closing = ws.close().toFuture();
            assertEquals("888203e8", server.readFrame().toHex());
            // The server stays silent; the client must give up on its own.
            server.expectEof(CLOSE_TIMEOUT.plusSeconds(2));
            closing.get(5, TimeUnit.SECONDS);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertTrue(took.compareTo(CLOSE_TIMEOUT) >= 0, "TCP closed before the close timeout: " + took);
            assertEquals(new CloseStatus(1006, "", false), ws.closeStatus().block(WAIT));
            ExecutionException failed = assertThrows(ExecutionException.class, () -> received.get(5, TimeUnit.SECONDS));
            assertStatus(failed.getCause(), WebErrorStatus.TIMEOUT);
        }
    }

    @Test
    void closeCompletesWithoutReceiveEverSubscribedByReadingPastUnreadData() throws Exception {
        // A long close timeout: finishing through the timer instead of the server's Close would
        // report 1006, not the server's code.
        WebSocketClient client = WebSocketClient.builder()
                .connectTimeout(Duration.ofSeconds(2))
                .closeTimeout(Duration.ofSeconds(10))
                .receiveBufferBytes(1024)
                .build();
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server, client);
            byte[] data = frame(true, 0, Frame.BINARY, false, new byte[1000]);
            // Four times the receive budget before the client's Close, as much again after it.
            server.write(data, data, data, data);

            CompletableFuture<Void> closing = ws.close().toFuture();
            assertEquals("888203e8", server.readFrame().toHex());
            server.write(data, data, data, data, frame(true, 0, Frame.CLOSE, false, RawServer.closePayload(1000, "bye")));

            closing.get(5, TimeUnit.SECONDS);
            assertEquals(new CloseStatus(1000, "bye", true), ws.closeStatus().block(WAIT));
            server.expectEof(PROMPTLY);
        }
    }

    @Test
    void closeWhileReceiveIsSubscribedButNotRequestingFinishes() {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server, CLIENT);

            StepVerifier.create(ws.receive(), 0)
                    .then(() -> {
                        CompletableFuture<Void> closing = ws.close().toFuture();
                        assertEquals("888203e8", server.readFrame().toHex());
                        server.sendClose(1000, "");
                        closing.orTimeout(5, TimeUnit.SECONDS).join();
                    })
                    .thenRequest(1)
                    .expectComplete()
                    .verify(WAIT);
            assertEquals(new CloseStatus(1000, "", true), ws.closeStatus().block(WAIT));
            server.expectEof(PROMPTLY);
        }
    }

    // ---- the server closes ----

    @ParameterizedTest(name = "code {0}")
    @ValueSource(ints = {1000, 1001, 1011, 3000, 4999})
    void serversCloseIsAnsweredWithTheSameCodeThenTcpIsClosed(int code) {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server, CLIENT);

            StepVerifier.create(ws.receive())
                    .then(() -> server.sendClose(code, "bye"))
                    .expectComplete()
                    .verify(WAIT);
            server.readFrame().assertClose(code);
            server.expectEof(PROMPTLY);
            assertEquals(new CloseStatus(code, "bye", true), ws.closeStatus().block(WAIT));
        }
    }

    @Test
    void emptyServerCloseIsAnsweredWithAnEmptyCloseAndReportsNoStatusReceived() {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server, CLIENT);

            StepVerifier.create(ws.receive())
                    .then(server::sendClose)
                    .expectComplete()
                    .verify(WAIT);
            // 1005 may not be sent: the reply to a Close without a code has none either.
            assertEquals("8880", server.readFrame().toHex());
            server.expectEof(PROMPTLY);
            assertEquals(new CloseStatus(1005, "", true), ws.closeStatus().block(WAIT));
        }
    }

    @Test
    void dataFramesAfterTheServersCloseAreDiscarded() {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server, CLIENT);

            StepVerifier.create(ws.receive().map(Hex::of))
                    .then(() -> server.write(
                            frame(true, 0, Frame.BINARY, false, Hex.bytes("01")),
                            frame(true, 0, Frame.CLOSE, false, RawServer.closePayload(1000, "done")),
                            frame(true, 0, Frame.BINARY, false, Hex.bytes("02")),
                            frame(true, 0, Frame.PING, false, Hex.bytes("03"))))
                    .expectNext("01")
                    .expectComplete()
                    .verify(WAIT);
            // The Close reply, and no Pong for the ping after the Close.
            server.readFrame().assertClose(1000);
            server.expectEof(PROMPTLY);
            assertEquals(new CloseStatus(1000, "done", true), ws.closeStatus().block(WAIT));
        }
    }

    // ---- pings ----

    @Test
    void pingIsAnsweredWithAPongOfTheSamePayload() {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server, CLIENT);

            StepVerifier.create(ws.receive().map(Hex::of))
                    .then(() -> {
                        server.sendFrame(true, 0, Frame.PING, false, Hex.bytes("68656c6c6f"));
                        assertEquals("8a85" + "68656c6c6f", server.readFrame().toHex());
                        server.sendFrame(true, 0, Frame.PING, false, new byte[0]);
                        assertEquals("8a80", server.readFrame().toHex());
                        // A ping between the fragments of a message is answered too.
                        server.write(
                                frame(false, 0, Frame.BINARY, false, Hex.bytes("01")),
                                frame(true, 0, Frame.PING, false, Hex.bytes("aa")),
                                frame(true, 0, Frame.CONTINUATION, false, Hex.bytes("02")));
                        assertEquals("8a81" + "aa", server.readFrame().toHex());
                    })
                    .expectNext("01", "02")
                    .then(() -> server.sendClose(1000, ""))
                    .expectComplete()
                    .verify(WAIT);
            server.readFrame().assertClose(1000);
            server.expectEof(PROMPTLY);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void pingFloodFromAServerThatDoesNotReadIsAnsweredWithoutUnboundedBuffering() {
        // More Pong bytes than the client's kernel send buffer can ever take (its autotuning stops
        // at tcp_wmem's maximum; loopback's large MSS makes it grow to megabytes), so that the
        // client's socket must turn unwritable and the newest ping supersede older ones.
        int pings = (int) ((maxSendBufferBytes() + 64 * 1024) / PONG_WIRE_BYTES) + 2_000;
        // The client's Netty buffer turns unwritable at 1 KiB; the server's receive window is small.
        WebSocketClient client = WebSocketClient.builder()
                .connectTimeout(Duration.ofSeconds(2))
                .closeTimeout(CLOSE_TIMEOUT)
                .outboundBufferBytes(1024)
                .build();
        try (RawServer server = RawServer.start(4096)) {
            StreamWebSocket ws = open(server, client);
            ByteArrayOutputStream flood = new ByteArrayOutputStream();
            for (int i = 0; i < pings; i++) {
                flood.writeBytes(frame(true, 0, Frame.PING, false, pingPayload(i)));
            }
            flood.writeBytes(frame(true, 0, Frame.BINARY, false, Hex.bytes("ff")));
            int[] pongs = new int[1];

            StepVerifier.create(ws.receive().map(Hex::of))
                    // Written on the server's writer thread: it must not depend on the server reading.
                    .then(() -> server.writeAsync(flood.toByteArray()))
                    // The marker after the flood arrives: the client read every ping without
                    // waiting for the server to take its pongs.
                    .expectNext("ff")
                    .then(() -> {
                        // The flood is in: let the Pongs the client's kernel holds (megabytes) drain
                        // quickly. A 4 KiB window makes TCP trickle them at a few KiB/s.
                        server.growReceiveBuffer(1 << 20);
                        int last = -1;
                        while (last < pings - 1) {
                            Frame pong = server.readFrame();
                            assertEquals(Frame.PONG, pong.opcode(), pong::toString);
                            assertEquals(125, pong.payload().length, pong::toString);
                            int index = ByteBuffer.wrap(pong.payload()).getInt();
                            assertEquals(Hex.of(pingPayload(index)), Hex.of(pong.payload()), "a Pong echoes its ping");
                            assertTrue(index > last, "Pongs in the order of their pings: " + index + " after " + last);
                            last = index;
                            pongs[0]++;
                        }
                    })
                    .then(() -> server.sendClose(1000, ""))
                    .expectComplete()
                    // Tens of thousands of frames under PARANOID leak detection: seconds, not millis.
                    .verify(Duration.ofSeconds(45));
            server.readFrame().assertClose(1000);
            // Pongs the socket could not take were superseded by newer ones, not queued (RFC 6455 §5.5.3).
            assertTrue(pongs[0] < pings, "every one of " + pings + " pings got its own Pong: they were all buffered");
        }
    }

    /** A Pong with 125 bytes of payload on the wire: 2 header bytes, 4 of mask, the payload. */
    private static final int PONG_WIRE_BYTES = 131;

    /** The most a TCP socket's send buffer can grow to here: tcp_wmem's maximum, 4 MiB if unknown. */
    private static long maxSendBufferBytes() {
        try {
            String[] wmem = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_wmem")).trim().split("\\s+");
            return Long.parseLong(wmem[2]);
        } catch (IOException | RuntimeException e) {
            return 4L << 20;
        }
    }

    /** 125 bytes: the ping's index, then a filler that depends on it. */
    private static byte[] pingPayload(int index) {
        ByteBuffer b = ByteBuffer.allocate(125).putInt(index);
        while (b.hasRemaining()) {
            b.put((byte) (index + b.position()));
        }
        return b.array();
    }

    // ---- helpers ----

    /** Connects to the server and answers the handshake with a valid 101. */
    private static StreamWebSocket open(RawServer server, WebSocketClient client) {
        CompletableFuture<StreamWebSocket> connecting = client.connect(server.uri()).toFuture();
        server.acceptHandshake();
        server.respond101();
        return connecting.orTimeout(5, TimeUnit.SECONDS).join();
    }

    private static void assertStatus(Throwable error, WebErrorStatus expected) {
        WebSocketException e = assertInstanceOf(WebSocketException.class, error);
        assertEquals(expected, e.status(), () -> "failed with " + e);
    }
}
