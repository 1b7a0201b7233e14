package io.fluxsocket.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketMessage;
import io.fluxsocket.testing.BytePattern;
import io.fluxsocket.testing.Frame;
import io.fluxsocket.testing.RawServer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@link LoopSlice}: a send that keeps the event loop busy (its publisher emits on the event loop,
 * the socket stays writable, so every write completes inside the flush and queues the next
 * continuation) does not hold back what the server sends. Promptness is measured in bytes, not
 * time: the data the server still reads after it sent its Close (or Ping) and before the client's
 * answer is at most what was between them then (the client's kernel send buffer, the server's
 * receive buffer, the outbound budget) plus {@link #PER_SLICE}, where without the slice it was a
 * second's worth of sending (hundreds of MiB on loopback).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LoopSliceTest {

    static final int FRAME = 64 * 1024;
    static final int OUTBOUND_BUFFER = 256 * 1024;
    static final int SERVER_RECEIVE_BUFFER = 64 * 1024;
    /** Sent in full flow before the server speaks. */
    static final long WARM = 8L << 20;
    /** What the client may write in one slice of the event loop and around it (generous: 1 ms at 4 GiB/s). */
    static final long PER_SLICE = 4L << 20;
    static final Duration WAIT = Duration.ofSeconds(20);

    static final WebSocketClient CLIENT = WebSocketClient.builder()
            .maxFramePayload(FRAME).outboundBufferBytes(OUTBOUND_BUFFER)
            .closeTimeout(Duration.ofSeconds(5))
            .build();

    @Test
    void aServersCloseIsReadPromptlyWhileAnEndlessSendFromTheEventLoopKeepsItBusy() {
        try (RawServer server = RawServer.start(SERVER_RECEIVE_BUFFER)) {
            StreamWebSocket ws = server.connect(CLIENT);
            long[] offset = {0};
            Flux<ByteBuffer> endless = Flux.generate(next -> {
                next.next(BytePattern.chunk(offset[0], FRAME));
                offset[0] += FRAME;
            });
            CompletableFuture<Void> sent = ws.send(endless).toFuture();
            readData(server, WARM);
            server.sendClose(1000, "enough");
            long after = readDataUntil(server, Frame.CLOSE);
            assertWithinBound(after);
            assertEquals(new CloseStatus(1000, "enough", true), ws.closeStatus().block(WAIT));
            assertTrue(sent.isDone(), "the send went on after the close");
        }
    }

    @Test
    void aServersPingIsAnsweredPromptlyWhileSendsChainedOnTheEventLoopKeepItBusy() {
        try (RawServer server = RawServer.start(SERVER_RECEIVE_BUFFER)) {
            MessageWebSocket ws = server.connectMessages(CLIENT);
            CompletableFuture<Void> sending = Flux.range(0, Integer.MAX_VALUE)
                    .concatMap(i -> ws.send(Mono.fromSupplier(
                            () -> WebSocketMessage.binary(BytePattern.chunk((long) i * FRAME, FRAME)))))
                    .then().toFuture();
            readData(server, WARM);
            server.sendFrame(true, 0, Frame.PING, false, new byte[] {1, 2, 3});
            long after = readDataUntil(server, Frame.PONG);
            assertWithinBound(after);
            server.reset();
            assertTrue(ws.closeStatus().block(WAIT) != null);
            sending.handle((v, e) -> null).join();
        }
    }

    /** Reads client frames until {@code bytes} of data payload came. */
    static void readData(RawServer server, long bytes) {
        for (long got = 0; got < bytes; ) {
            Frame f = server.readFrame();
            if (f.opcode() == Frame.BINARY || f.opcode() == Frame.CONTINUATION) {
                got += f.payload().length;
            }
        }
    }

    /** Reads client frames until one of {@code opcode}; returns the data payload bytes read before it. */
    static long readDataUntil(RawServer server, int opcode) {
        long got = 0;
        for (Frame f; (f = server.readFrame()).opcode() != opcode; ) {
            if (f.opcode() == Frame.BINARY || f.opcode() == Frame.CONTINUATION) {
                got += f.payload().length;
            }
        }
        return got;
    }

    static void assertWithinBound(long after) {
        long inBetween = maxSendBufferBytes() + 2L * SERVER_RECEIVE_BUFFER + OUTBOUND_BUFFER + FRAME;
        long bound = inBetween + PER_SLICE;
        System.out.printf("LOOPSLICE data read after the server's frame: %d bytes (bound %d)%n", after, bound);
        assertTrue(after <= bound, after + " bytes came after the server's frame, bound " + bound);
    }

    /** {@code tcp_wmem}'s maximum: the most the client's kernel may hold unsent. */
    static long maxSendBufferBytes() {
        try {
            String[] wmem = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_wmem")).trim().split("\\s+");
            return Long.parseLong(wmem[2]);
        } catch (IOException | RuntimeException e) {
            return 4L << 20;
        }
    }
}
