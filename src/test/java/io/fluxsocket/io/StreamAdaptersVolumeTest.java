package io.fluxsocket.io;

import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.cli.EchoServer;
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
 * 1 GiB makes the client hold no more than its receive budget plus the stream's prefetch.
 */
@Tag("volume")
@Timeout(120)
class StreamAdaptersVolumeTest {

    private static final long GIB = 1L << 30;
    private static final int FRAME = 64 * 1024;
    private static final int BUDGET = 256 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void oneGibThroughTheOutputStreamComesBackThroughTheInputStreamIntact() throws Exception {
        try (EchoServer server = EchoServer.start()) {
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
            // The library's bound (receive budget + one socket read + a partial header) plus the prefetch.
            long bound = BUDGET + 64 * 1024 + 139 + (long) WebSocketInputStream.PREFETCH * 64 * 1024;
            System.out.printf("stalled reader: read=%d received-not-read=%d available=%d bound=%d%n",
                    read, held, in.available(), bound);
            assertTrue(held <= bound, "received " + held + " bytes past the reader, bound " + bound);
            assertTrue(in.available() <= WebSocketInputStream.PREFETCH * 64 * 1024, "the stream holds its prefetch at most");

            for (int n; (n = in.read(buffer)) >= 0; ) {
                checker.accept(ByteBuffer.wrap(buffer, 0, n));
            }
            assertEquals(GIB, checker.offset(), "every byte once, in order, then -1 after the server's Close");
            in.close();
        }
    }
}
