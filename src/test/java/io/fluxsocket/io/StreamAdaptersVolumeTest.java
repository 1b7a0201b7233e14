package io.fluxsocket.io;

import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.testing.Await;
import io.fluxsocket.testing.BytePattern;
import io.fluxsocket.testing.TestServer;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import reactor.core.publisher.Flux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The adapters at volume: 1 GiB out through {@link WebSocketOutputStream}, echoed, and back through
 * {@link WebSocketInputStream} intact; and a reader that stops reading while the server pushes
 * makes the client hold no more than its receive budget plus the stream's bound: its prefetch
 * bytes while the pieces keep their size, its hard bound when they suddenly grow.
 */
@Tag("volume")
@Timeout(120)
class StreamAdaptersVolumeTest {

    private static final long GIB = 1L << 30;
    private static final int FRAME = 64 * 1024;
    private static final int BUDGET = 256 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** What the library holds for a connection's inbound side: receive budget, one socket read, a header. */
    private static final long LIBRARY_BOUND = BUDGET + 64 * 1024 + 139;

    @Test
    void oneGibThroughTheOutputStreamComesBackThroughTheInputStreamIntact() throws Exception {
        try (TestServer server = TestServer.echoing()) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(WAIT);
            double mibPerSecond = StreamEcho.run(ws, GIB, 90);
            System.out.printf("1 GiB echo through the blocking streams: %.0f MiB/s%n", mibPerSecond);
            ws.close().block(WAIT);
        }
    }

    @Test
    void aReaderThatStopsReadingStopsTheSocketWithinTheBoundAndThenGetsEveryByteOnce() throws Exception {
        int frames = (int) (GIB / FRAME);
        try (TestServer server = new TestServer((in, out) -> out.sendObject(Flux.range(0, frames)
                .map(i -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(BytePattern.chunk((long) i * FRAME, FRAME))))))) {
            WebSocketClient client = WebSocketClient.builder().receiveBufferBytes(BUDGET).maxFramePayload(FRAME).build();
            StreamWebSocket ws = client.connect(server.uri()).block(WAIT);
            InputStream in = ws.inputStream();
            BytePattern.Checker checker = new BytePattern.Checker();
            byte[] buffer = new byte[FRAME];
            long read = 0;
            while (read < 10L * FRAME) {
                int n = in.read(buffer);
                checker.accept(ByteBuffer.wrap(buffer, 0, n));
                read += n;
            }
            assertTrue(server.awaitUnwritable(30), "the server's channel becomes unwritable: the TCP window closed");

            long held = ws.info().bytesReceived() - read;
            // The library's bound (receive budget + one socket read + a partial header) plus the stream's.
            long bound = LIBRARY_BOUND + WebSocketInputStream.MAX_HELD;
            System.out.printf("stalled reader, 64 KiB frames: read=%d received-not-read=%d available=%d bound=%d%n",
                    read, held, in.available(), bound);
            assertTrue(held <= bound, "received " + held + " bytes past the reader, bound " + bound);
            assertTrue(in.available() <= WebSocketInputStream.MAX_HELD, "the stream holds its bound at most");

            for (int n; (n = in.read(buffer)) >= 0; ) {
                checker.accept(ByteBuffer.wrap(buffer, 0, n));
            }
            assertEquals(GIB, checker.offset(), "every byte once, in order, then -1 after the server's Close");
            in.close();
        }
    }

    @Test
    void aStalledReaderOfSmallMessagesHoldsThePrefetchBytesAndAtSwitchToLargeFramesTheHardBound() throws Exception {
        int small = 1024;
        int smallFrames = 64 * 1024;
        int largeFrames = 1024;
        long total = (long) smallFrames * small + (long) largeFrames * FRAME;
        // 64 MiB of 1 KiB messages, then 64 MiB of 64 KiB frames: the pieces grow 64-fold at once.
        try (TestServer server = new TestServer((in, out) -> out.sendObject(Flux.range(0, smallFrames + largeFrames)
                .map(i -> i < smallFrames
                        ? new BinaryWebSocketFrame(Unpooled.wrappedBuffer(BytePattern.chunk((long) i * small, small)))
                        : new BinaryWebSocketFrame(Unpooled.wrappedBuffer(BytePattern.chunk(
                                (long) smallFrames * small + (long) (i - smallFrames) * FRAME, FRAME))))))) {
            WebSocketClient client = WebSocketClient.builder().receiveBufferBytes(BUDGET).maxFramePayload(FRAME).build();
            StreamWebSocket ws = client.connect(server.uri()).block(WAIT);
            WebSocketInputStream in = (WebSocketInputStream) ws.inputStream();
            BytePattern.Checker checker = new BytePattern.Checker();
            byte[] buffer = new byte[8192];
            long read = readUpTo(in, buffer, checker, 1L << 20);
            Await.until(() -> in.outstandingPieces() == 0, WAIT, "every piece requested has arrived");
            // Pieces no larger than the recent ones: the stream holds its prefetch bytes at most.
            System.out.printf("stalled reader, 1 KiB messages: available=%d received-not-read=%d%n",
                    in.available(), ws.info().bytesReceived() - read);
            assertTrue(in.available() <= WebSocketInputStream.PREFETCH_BYTES,
                    in.available() + " bytes held, prefetch " + WebSocketInputStream.PREFETCH_BYTES);
            assertTrue(ws.info().bytesReceived() - read <= LIBRARY_BOUND + WebSocketInputStream.PREFETCH_BYTES);

            // Read up to the last small messages, then stall while 64 KiB frames follow.
            read = readUpTo(in, buffer, checker, (long) smallFrames * small - 64 * 1024);
            Await.until(() -> in.outstandingPieces() == 0, WAIT, "every piece requested has arrived");
            long held = ws.info().bytesReceived() - read;
            System.out.printf("stalled reader after the switch to 64 KiB frames: available=%d received-not-read=%d%n",
                    in.available(), held);
            assertTrue(in.available() <= WebSocketInputStream.MAX_HELD, in.available() + " bytes held");
            assertTrue(held <= LIBRARY_BOUND + WebSocketInputStream.MAX_HELD, held + " bytes received past the reader");

            for (int n; (n = in.read(buffer)) >= 0; ) {
                checker.accept(ByteBuffer.wrap(buffer, 0, n));
            }
            assertEquals(total, checker.offset(), "every byte once, in order, then -1 after the server's Close");
            in.close();
        }
    }

    /** Reads until {@code target} bytes were read in all, checking them; returns the bytes read. */
    private static long readUpTo(InputStream in, byte[] buffer, BytePattern.Checker checker, long target)
            throws java.io.IOException {
        while (checker.offset() < target) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, target - checker.offset()));
            checker.accept(ByteBuffer.wrap(buffer, 0, n));
        }
        return checker.offset();
    }
}
