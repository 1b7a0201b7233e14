package io.fluxsocket.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionUtil;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.Deflater;

/**
 * {@link BenchServer}'s permessage-deflate (RFC 7692) routes, for compressed JSON events
 * ({@link JsonEvents}):
 * <ul>
 *   <li>{@code /deflate-upload?bytes=N}: Netty's own permessage-deflate: the offer is answered by a
 *       {@link PerMessageDeflateServerExtensionHandshaker} with the settings of Netty's
 *       {@code WebSocketServerCompressionHandler} (level 6, 15-bit windows, context takeover both
 *       ways) except that {@code server_max_window_bits} is declined (Netty's default accepts it
 *       when its zlib codec supports window sizes); {@code server_no_context_takeover} is declined
 *       too, {@code client_no_context_takeover} ignored. The frames are inflated by Netty's
 *       {@code PerMessageDeflateDecoder} behind {@link WebSocket13FrameDecoder}. The inflated payload bytes are counted; at N the server
 *       sends Close 1000 with the count as its reason (more: 1002), as {@code /upload} does, and
 *       prints on stdout {@code UPLOAD <messages> <compressed messages> <payload bytes> <wire
 *       bytes>} (wire: every byte read after the handshake, frame headers included).</li>
 *   <li>{@code /deflate-download?bytes=N}: N bytes of events (a multiple of {@value JsonEvents#SIZE})
 *       as compressed binary messages. The frames are compressed once at start-up with the JDK's
 *       {@link Deflater} the way permessage-deflate with context takeover does it (level 6, one
 *       sync flush per message, its {@code 00 00 FF FF} removed, RSV1 set) into a block that starts
 *       a fresh deflate stream, so its back-references never reach before the block and it can be
 *       sent again and again; the server's cost per message is a copy, as on {@code /download}. At
 *       the end it prints {@code DOWNLOAD <messages> <wire bytes>}.</li>
 * </ul>
 * Both need permessage-deflate: a client that does not offer it (or whose offer Netty declines) is
 * answered 400. Each process prints on stderr the first offer and answer it saw.
 */
final class DeflateRoutes {
    /** Level 6, 15-bit windows, context takeover both ways; no server_max_window_bits, no maximum allocation. */
    private static final PerMessageDeflateServerExtensionHandshaker HANDSHAKER =
            new PerMessageDeflateServerExtensionHandshaker(6, false, 15, false, false, 0);
    /** The first offer and answer seen, for the log (once per process). */
    private static final AtomicReference<String> LOGGED = new AtomicReference<>();

    private DeflateRoutes() {
    }

    /** The extension Netty agrees to for this {@code Sec-WebSocket-Extensions} offer, or null. */
    static WebSocketServerExtension agree(String offer) {
        if (offer == null) {
            return null;
        }
        for (WebSocketExtensionData data : WebSocketExtensionUtil.extractExtensions(offer)) {
            WebSocketServerExtension extension = HANDSHAKER.handshakeExtension(data);
            if (extension != null) {
                return extension;
            }
        }
        return null;
    }

    /** The answer's {@code Sec-WebSocket-Extensions} value; logs the first offer and answer. */
    static String answer(String offer, WebSocketServerExtension extension) {
        WebSocketExtensionData data = extension.newReponseData();
        StringJoiner answer = new StringJoiner("; ").add(data.name());
        for (Map.Entry<String, String> p : data.parameters().entrySet()) {
            answer.add(p.getValue() == null ? p.getKey() : p.getKey() + "=" + p.getValue());
        }
        String line = "bench server: permessage-deflate offered '" + offer + "', answered '" + answer + "'";
        if (LOGGED.compareAndSet(null, line)) {
            System.err.println(line);
        }
        return answer.toString();
    }

    /** Installs the upload route's handlers (the HTTP codec is still there; the caller removes it). */
    static void installUpload(ChannelPipeline pipeline, WebSocketServerExtension extension, long expected) {
        WireCount wire = new WireCount();
        Upload upload = new Upload(expected, wire);
        pipeline.addLast(wire,
                new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder().maxFramePayloadLength(16 << 20)
                        .expectMaskedFrames(true).allowExtensions(true).build()),
                new WebSocket13FrameEncoder(false),
                upload.compressedCounter(),
                extension.newExtensionDecoder(),
                extension.newExtensionEncoder(),
                upload);
    }

    /** Counts every byte read (frames as they came on the wire). */
    private static final class WireCount extends ChannelInboundHandlerAdapter {
        /** Bytes read since the handshake (event loop). */
        long bytes;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf b) {
                bytes += b.readableBytes();
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** Counts inflated payload bytes and messages; answers Close; reports on stdout at the count. */
    private static final class Upload extends ChannelInboundHandlerAdapter {
        private final long expected;
        private final WireCount wire;
        /** Inflated payload bytes, messages, and messages whose first frame had RSV1 (event loop). */
        private long received;
        private long messages;
        private long compressed;
        /** Whether this server sent its Close (event loop). */
        private boolean closeSent;

        Upload(long expected, WireCount wire) {
            this.expected = expected;
            this.wire = wire;
        }

        /** Sits before the inflater, where RSV1 is still visible. */
        ChannelInboundHandlerAdapter compressedCounter() {
            return new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    if ((msg instanceof BinaryWebSocketFrame || msg instanceof TextWebSocketFrame)
                            && (((WebSocketFrame) msg).rsv() & 4) != 0) {
                        compressed++;
                    }
                    ctx.fireChannelRead(msg);
                }
            };
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            WebSocketFrame f = (WebSocketFrame) msg;
            try {
                if (f instanceof CloseWebSocketFrame) {
                    if (closeSent) {
                        ctx.close();
                    } else {
                        closeSent = true;
                        ctx.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
                    }
                } else if (f instanceof BinaryWebSocketFrame || f instanceof TextWebSocketFrame
                        || f instanceof ContinuationWebSocketFrame) {
                    received += f.content().readableBytes();
                    if (f.isFinalFragment()) {
                        messages++;
                    }
                    if (received > expected) {
                        sendClose(ctx, 1002);
                    } else if (received == expected && f.isFinalFragment()) {
                        System.out.println("UPLOAD " + messages + " " + compressed + " " + received + " " + wire.bytes);
                        System.out.flush();
                        sendClose(ctx, 1000);
                    }
                }
            } finally {
                f.release();
            }
        }

        private void sendClose(ChannelHandlerContext ctx, int code) {
            if (!closeSent) {
                closeSent = true;
                ctx.writeAndFlush(new CloseWebSocketFrame(code, Long.toString(received)));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            System.err.println("bench server: deflate upload failed: " + cause);
            ctx.close();
        }
    }

    /**
     * The download block: every event once, compressed as one permessage-deflate stream with
     * context takeover, as server frames (unmasked, FIN and RSV1 set, binary); {@code ends[i]} is
     * where frame {@code i} ends.
     */
    static BenchServer.Block block() {
        byte[][] events = JsonEvents.events();
        Deflater deflater = new Deflater(6, true);
        ByteBuf b = Unpooled.directBuffer(events.length * JsonEvents.SIZE / 2);
        int[] ends = new int[events.length];
        byte[] out = new byte[2 * JsonEvents.SIZE];
        for (int i = 0; i < events.length; i++) {
            deflater.setInput(events[i]);
            int n = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
            if (n == out.length || !deflater.needsInput() || out[n - 4] != 0 || out[n - 3] != 0
                    || out[n - 2] != (byte) 0xFF || out[n - 1] != (byte) 0xFF) {
                throw new IllegalStateException("an event that did not compress in one call");
            }
            n -= 4; // RFC 7692 §7.2.1: the message ends without 00 00 FF FF
            b.writeByte(0xC2); // FIN, RSV1, binary
            if (n < 126) {
                b.writeByte(n);
            } else {
                b.writeByte(126).writeShort(n);
            }
            b.writeBytes(out, 0, n);
            ends[i] = b.writerIndex();
        }
        deflater.end();
        System.err.printf("bench server: deflate download block: %d events of %d B, %.1f B per frame on the wire (%.2f×)%n",
                events.length, JsonEvents.SIZE, (double) b.readableBytes() / events.length,
                (double) events.length * JsonEvents.SIZE / b.readableBytes());
        return new BenchServer.Block(b, ends);
    }
}
