package io.fluxsocket.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link FrameEncoder}'s output, read back by an implementation we did not write: Netty's own
 * server-side decoder, which insists on masked frames and unmasks them. Every payload layout the
 * framer can hand over (direct, heap, read-only heap, composite with parts that end inside the
 * key) and every length encoding.
 */
class FrameEncoderTest {

    private static final int[] LENGTHS = {0, 1, 3, 7, 8, 9, 125, 126, 127, 1000, 65535, 65536, 70001};

    static Stream<Arguments> payloads() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (int length : LENGTHS) {
            b.add(Arguments.of("direct", length));
            b.add(Arguments.of("heap", length));
            b.add(Arguments.of("read-only-heap", length));
            b.add(Arguments.of("composite", length));
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0}, {1} bytes")
    @MethodSource("payloads")
    void payloadsOfEveryLayoutAndLengthAreMaskedAndReadBack(String layout, int length) {
        byte[] bytes = random(length, length);
        WebSocketFrame decoded = roundTrip(new Frame(Opcode.BINARY, true, true, layout(layout).apply(bytes)));
        try {
            assertEquals("BinaryWebSocketFrame", decoded.getClass().getSimpleName());
            assertTrue(decoded.isFinalFragment());
            assertArrayEquals(bytes, ByteBufUtil.getBytes(decoded.content()));
        } finally {
            decoded.release();
        }
    }

    @Test
    void theWireBytesAreMaskedWithTheKeyInTheHeader() {
        byte[] bytes = "abcdefghijk".getBytes(StandardCharsets.US_ASCII);
        int key = 0x01020304;
        ByteBuf out = FrameEncoder.encode(ByteBufAllocator.DEFAULT, new Frame(Opcode.TEXT, true, false,
                Unpooled.wrappedBuffer(bytes)), key);
        try {
            assertEquals(0x01, out.getByte(0) & 0xff, "text opcode, no FIN");
            assertEquals(0x80 | bytes.length, out.getByte(1) & 0xff, "mask bit and length");
            assertEquals(key, out.getInt(2));
            for (int i = 0; i < bytes.length; i++) {
                int k = key >>> 24 - 8 * (i % 4) & 0xff;
                assertEquals((bytes[i] ^ k) & 0xff, out.getByte(6 + i) & 0xff, "byte " + i);
            }
            assertEquals(6 + bytes.length, out.readableBytes());
        } finally {
            out.release();
        }
    }

    @Test
    void frameTypesAndFinSurvive() {
        byte[] p = random(200, 1);
        ByteBuf close = Unpooled.buffer().writeShort(4000).writeBytes("bye".getBytes(StandardCharsets.UTF_8));
        Frame[] frames = {
            new Frame(Opcode.BINARY, true, false, Unpooled.wrappedBuffer(p)),
            new Frame(Opcode.BINARY, false, true, Unpooled.wrappedBuffer(p)),
            new Frame(Opcode.TEXT, true, true, Unpooled.copiedBuffer("κόσμε", StandardCharsets.UTF_8)),
            Frame.control(Opcode.PING, Unpooled.wrappedBuffer(new byte[] {1, 2, 3})),
            Frame.control(Opcode.PONG, Unpooled.wrappedBuffer(new byte[] {4, 5})),
            Frame.control(Opcode.CLOSE, close),
        };
        String[] expected = {"BinaryWebSocketFrame", "ContinuationWebSocketFrame", "TextWebSocketFrame",
            "PingWebSocketFrame", "PongWebSocketFrame", "CloseWebSocketFrame"};
        EmbeddedChannel server = server(true);
        for (int i = 0; i < frames.length; i++) {
            Frame f = frames[i];
            boolean fin = f.fin;
            byte[] content = ByteBufUtil.getBytes(f.content());
            server.writeInbound(FrameEncoder.encode(ByteBufAllocator.DEFAULT, f, 0x5a5a1234));
            f.release();
            WebSocketFrame got = server.readInbound();
            try {
                assertEquals(expected[i], got.getClass().getSimpleName());
                assertEquals(fin, got.isFinalFragment());
                assertEquals(0, got.rsv(), "no extension: no RSV bit");
                assertArrayEquals(content, ByteBufUtil.getBytes(got.content()));
            } finally {
                got.release();
            }
        }
        assertFalse(server.finishAndReleaseAll());
    }

    @Test
    void theHandlerReleasesTheFrameAndPassesOtherMessagesThrough() {
        EmbeddedChannel client = new EmbeddedChannel(FrameEncoder.INSTANCE);
        ByteBuf payload = Unpooled.directBuffer(10).writeZero(10);
        client.writeOutbound(new Frame(Opcode.BINARY, true, true, payload));
        assertEquals(0, payload.refCnt(), "the frame's payload is released once encoded");
        ByteBuf encoded = client.readOutbound();
        assertEquals(2 + 4 + 10, encoded.readableBytes());
        encoded.release();
        ByteBuf raw = Unpooled.wrappedBuffer(new byte[] {9});
        client.writeOutbound(raw);
        ByteBuf passed = client.readOutbound();
        assertTrue(passed == raw, "a plain buffer passes through untouched");
        passed.release();
        assertNull(client.readOutbound());
        assertFalse(client.finishAndReleaseAll());
    }

    private static WebSocketFrame roundTrip(Frame frame) {
        ByteBuf encoded = FrameEncoder.encode(ByteBufAllocator.DEFAULT, frame, new SplittableRandom(frame
                .content().readableBytes()).nextInt());
        frame.release();
        EmbeddedChannel server = server(true);
        server.writeInbound(encoded);
        WebSocketFrame decoded = server.readInbound();
        assertFalse(server.finish());
        return decoded;
    }

    private static EmbeddedChannel server(boolean expectMasked) {
        return new EmbeddedChannel(new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
                .expectMaskedFrames(expectMasked).allowMaskMismatch(false).maxFramePayloadLength(1 << 20).build()));
    }

    private static Function<byte[], ByteBuf> layout(String layout) {
        switch (layout) {
            case "direct":
                return bytes -> Unpooled.directBuffer(bytes.length + 1).writeBytes(bytes);
            case "heap":
                // An offset into a larger array, as a slice of the application's buffer would be.
                return bytes -> {
                    byte[] larger = new byte[bytes.length + 5];
                    System.arraycopy(bytes, 0, larger, 3, bytes.length);
                    return Unpooled.wrappedBuffer(larger, 3, bytes.length);
                };
            case "read-only-heap":
                return bytes -> Unpooled.wrappedBuffer(ByteBuffer.wrap(bytes).asReadOnlyBuffer());
            case "composite":
                // Parts of 1, 2, 5, then the rest: boundaries fall inside the 4-byte key.
                return bytes -> {
                    CompositeByteBuf c = Unpooled.compositeBuffer();
                    int at = 0;
                    for (int part : new int[] {1, 2, 5}) {
                        int n = Math.min(part, bytes.length - at);
                        if (n > 0) {
                            c.addComponent(true, Unpooled.directBuffer(n).writeBytes(bytes, at, n));
                            at += n;
                        }
                    }
                    if (at < bytes.length) {
                        c.addComponent(true, Unpooled.wrappedBuffer(bytes, at, bytes.length - at));
                    }
                    return c;
                };
            default:
                throw new IllegalArgumentException(layout);
        }
    }

    private static byte[] random(int length, long seed) {
        byte[] b = new byte[length];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }
}
