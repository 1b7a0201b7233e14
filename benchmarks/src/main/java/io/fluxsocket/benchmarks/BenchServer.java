package io.fluxsocket.benchmarks;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one server every client is measured against: plain Netty, one event-loop thread, no
 * permessage-deflate but on the deflate routes ({@link DeflateRoutes}), meant to run in its own
 * JVM ({@link #main}) so that its CPU time and allocations are not charged to the client under
 * test.
 *
 * <p>It does as little as a WebSocket server can. The opening handshake is answered by hand; after
 * it the HTTP codec is removed and the routes work on raw bytes:
 * <ul>
 *   <li>{@code /download?bytes=N&message=F}: sends N bytes of random data as N/F binary messages of
 *       F bytes, then a Close (1000). The frames are encoded once at start-up into a ~1 MiB block
 *       (random payloads, server frames are unmasked) and written as retained duplicates, gated on
 *       writability.</li>
 *   <li>{@code /upload?bytes=N}: counts the payload bytes of data frames without unmasking or
 *       copying them; at N, once the frame that ends the message (FIN) is in, it sends a Close (1000)
 *       whose reason is the count in decimal. More than
 *       N is answered with a Close (1002) whose reason is the count, so a client can never mistake
 *       a mismatch for success.</li>
 *   <li>{@code /message?bytes=N&frame=F}: ONE binary message of N bytes, in frames of at most F
 *       payload bytes, then a Close (1000) ({@link MessageRoute}).</li>
 *   <li>{@code /echo}: Netty's frame codec; every binary frame is sent back.</li>
 *   <li>{@code /deflate-upload?bytes=N}, {@code /deflate-download?bytes=N}: the same with
 *       permessage-deflate, for JSON events ({@link DeflateRoutes}); they print a line on stdout
 *       per transfer.</li>
 * </ul>
 * On the raw routes a client's Close is answered and TCP is closed; pings are skipped.
 *
 * <p>TLS mode ({@code --tls}, for {@code wss://}): the same routes behind Netty's {@link SslHandler}
 * (the JDK's {@code SSLEngine}, as netty-tcnative is not on the class path), TLS 1.3 only and one
 * cipher suite, {@value #TLS_CIPHER} (TLS 1.3's mandatory one), so that every client negotiates the
 * same encryption, with a self-signed certificate for {@code localhost} and {@code 127.0.0.1} made
 * at start-up ({@link ServerCertificate}) and written as PEM for the clients to trust.
 */
public final class BenchServer implements AutoCloseable {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int BLOCK_TARGET = 1 << 20;
    static final String TLS_PROTOCOL = "TLSv1.3";
    static final String TLS_CIPHER = "TLS_AES_128_GCM_SHA256";

    private final EventLoopGroup group;
    private final Channel server;
    /** The TLS context, or null for plain {@code ws://}. */
    private final SslContext tls;
    /** Whether the first TLS handshake's outcome was logged (once per server). */
    private final AtomicBoolean tlsLogged = new AtomicBoolean();

    private BenchServer(int port, ServerCertificate certificate) throws Exception {
        tls = certificate == null ? null : SslContextBuilder.forServer(certificate.key, certificate.certificate)
                .sslProvider(SslProvider.JDK)
                .protocols(TLS_PROTOCOL)
                .ciphers(List.of(TLS_CIPHER))
                .build();
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        server = new ServerBootstrap()
                .group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 8192) // 1,000 clients connect at once
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            SslHandler handler = tls.newHandler(ch.alloc());
                            handler.handshakeFuture().addListener(f -> logTls(handler, f.cause()));
                            ch.pipeline().addLast("tls", handler);
                        }
                        ch.pipeline().addLast("http", new HttpServerCodec())
                                .addLast("aggregator", new HttpObjectAggregator(8192))
                                .addLast("handshake", new Handshake());
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
    }

    /** Starts a server on an ephemeral loopback port in this JVM (tests, quick checks). */
    public static BenchServer start() throws Exception {
        return new BenchServer(0, null);
    }

    /** Starts a TLS server on an ephemeral loopback port in this JVM, with this certificate. */
    static BenchServer startTls(ServerCertificate certificate) throws Exception {
        return new BenchServer(0, certificate);
    }

    /** Says on stderr what the first TLS handshake negotiated (or why it failed), once. */
    private void logTls(SslHandler handler, Throwable failure) {
        if (failure != null) {
            System.err.println("bench server: TLS handshake failed: " + failure);
        } else if (tlsLogged.compareAndSet(false, true)) {
            System.err.println("bench server: " + handler.engine().getSession().getProtocol() + " "
                    + handler.engine().getSession().getCipherSuite());
        }
    }

    public int port() {
        return ((java.net.InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * Runs the server until stdin closes: {@code BenchServer [--tls] [port]}. With {@code --tls} it
     * first prints {@code CERT <path>}, the PEM file of its certificate (in a temporary folder,
     * deleted on exit); then, once it listens, {@code PORT <n>}.
     */
    public static void main(String[] args) throws Exception {
        boolean tls = args.length > 0 && args[0].equals("--tls");
        int first = tls ? 1 : 0;
        int port = args.length > first ? Integer.parseInt(args[first]) : 0;
        Path dir = tls ? Files.createTempDirectory("fluxsocket-bench-tls") : null;
        try {
            ServerCertificate certificate = null;
            if (tls) {
                certificate = ServerCertificate.generate(dir, "localhost", "127.0.0.1");
                System.out.println("CERT " + certificate.pem().toAbsolutePath());
            }
            try (BenchServer s = new BenchServer(port, certificate)) {
                System.out.println("PORT " + s.port());
                System.out.flush();
                // The parent (a JMH fork) keeps our stdin open; EOF means it is gone.
                while (System.in.read() != -1) {
                    // Nothing to read; wait for EOF.
                }
            }
        } finally {
            if (dir != null) {
                ServerCertificate.delete(dir);
            }
        }
    }

    /** Answers the opening handshake and installs the route's handler. */
    private static final class Handshake extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            FullHttpRequest req = (FullHttpRequest) msg;
            try {
                String key = req.headers().get("Sec-WebSocket-Key");
                QueryStringDecoder q = new QueryStringDecoder(req.uri());
                ChannelInboundHandlerAdapter route;
                // permessage-deflate, on the deflate routes only (see DeflateRoutes): null elsewhere.
                String offer = req.headers().get("Sec-WebSocket-Extensions");
                WebSocketServerExtension deflate = null;
                switch (q.path()) {
                    case "/deflate-upload":
                    case "/deflate-download":
                        deflate = DeflateRoutes.agree(offer);
                        if (deflate == null) {
                            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST))
                                    .addListener(ChannelFutureListener.CLOSE);
                            return;
                        }
                        route = q.path().equals("/deflate-upload") ? null
                                : new Download(Download.messages(param(q, "bytes"), JsonEvents.SIZE), DeflateBlock.BLOCK, true);
                        break;
                    case "/download":
                        route = new Download(param(q, "bytes"), (int) param(q, "message"));
                        break;
                    case "/upload":
                        route = new Upload(param(q, "bytes"));
                        break;
                    case "/message":
                        route = new MessageRoute(param(q, "bytes"), param(q, "frame"));
                        break;
                    case "/echo":
                        route = null;
                        break;
                    default:
                        route = new Upload(0);
                        key = null;
                }
                if (key == null) {
                    ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND))
                            .addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                DefaultFullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.SWITCHING_PROTOCOLS);
                res.headers().set("Upgrade", "websocket").set("Connection", "Upgrade")
                        .set("Sec-WebSocket-Accept", accept(key));
                if (deflate != null) {
                    res.headers().set("Sec-WebSocket-Extensions", DeflateRoutes.answer(offer, deflate));
                }
                ctx.writeAndFlush(res);
                // The response went through the encoder in writeAndFlush; from here on it is raw bytes.
                ctx.pipeline().remove("aggregator");
                if (deflate != null && route == null) {
                    DeflateRoutes.installUpload(ctx.pipeline(), deflate, param(q, "bytes"));
                } else if (route == null) {
                    ctx.pipeline().addLast(new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
                                    .maxFramePayloadLength(16 << 20).expectMaskedFrames(true).build()),
                            new WebSocket13FrameEncoder(false), new Echo());
                } else {
                    ctx.pipeline().addLast(route);
                }
                ctx.pipeline().remove(this);
                ctx.pipeline().remove("http");
            } finally {
                req.release();
            }
        }

        /** A failed TLS handshake (already logged, see {@code logTls}) closes the connection quietly. */
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause.getCause() instanceof javax.net.ssl.SSLException) {
                ctx.close();
            } else {
                ctx.fireExceptionCaught(cause);
            }
        }

        private static long param(QueryStringDecoder q, String name) {
            return Long.parseLong(q.parameters().get(name).get(0));
        }

        private static String accept(String key) throws Exception {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        }
    }

    /**
     * Parses client frames (masked) without touching their payloads: counts data bytes, answers a
     * Close. Subclasses decide what the count means.
     */
    abstract static class RawRoute extends ChannelInboundHandlerAdapter {
        private final byte[] header = new byte[14];
        /** Bytes of the current frame header seen so far (event loop). */
        private int headerSeen;
        /** Payload bytes of the current frame not read yet (event loop). */
        private long payloadLeft;
        /** Opcode of the current frame (event loop). */
        private int opcode;
        /** Whether the current frame is its message's last (FIN) (event loop). */
        boolean fin;
        /** Whether this server sent its Close (event loop). */
        boolean closeSent;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                while (in.isReadable()) {
                    if (payloadLeft > 0) {
                        int n = (int) Math.min(payloadLeft, in.readableBytes());
                        in.skipBytes(n);
                        payloadLeft -= n;
                        if (opcode <= 2) {
                            onData(ctx, n);
                        }
                        if (payloadLeft == 0) {
                            frameEnd(ctx);
                        }
                        continue;
                    }
                    header[headerSeen++] = in.readByte();
                    if (headerSeen < 2) {
                        continue;
                    }
                    int len7 = header[1] & 0x7f;
                    int need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((header[1] & 0x80) != 0 ? 4 : 0);
                    if (headerSeen < need) {
                        continue;
                    }
                    opcode = header[0] & 0x0f;
                    fin = (header[0] & 0x80) != 0;
                    long len = len7;
                    if (len7 == 126) {
                        len = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
                    } else if (len7 == 127) {
                        len = 0;
                        for (int i = 2; i < 10; i++) {
                            len = (len << 8) | (header[i] & 0xff);
                        }
                    }
                    headerSeen = 0;
                    payloadLeft = len;
                    if (len == 0) {
                        frameEnd(ctx);
                    }
                }
            } finally {
                in.release();
            }
        }

        private void frameEnd(ChannelHandlerContext ctx) {
            if (opcode == 8) {
                // The client's Close: answer it unless ours went first, then end TCP.
                if (closeSent) {
                    ctx.close();
                } else {
                    closeSent = true;
                    ctx.writeAndFlush(closeFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
                }
            } else if (opcode <= 2) {
                onFrameEnd(ctx);
            }
        }

        void onData(ChannelHandlerContext ctx, int bytes) {
        }

        void onFrameEnd(ChannelHandlerContext ctx) {
        }

        void sendClose(ChannelHandlerContext ctx, int code, String reason) {
            if (!closeSent) {
                closeSent = true;
                ctx.writeAndFlush(closeFrame(code, reason));
            }
        }

        static ByteBuf closeFrame(int code, String reason) {
            byte[] r = reason.getBytes(StandardCharsets.UTF_8);
            ByteBuf f = Unpooled.buffer(4 + r.length);
            f.writeByte(0x88).writeByte(2 + r.length).writeShort(code).writeBytes(r);
            return f;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Counts uploaded bytes; closes with the count as the reason once it reaches the target. */
    private static final class Upload extends RawRoute {
        private final long expected;
        /** Payload bytes of data frames received (event loop). */
        private long received;

        Upload(long expected) {
            this.expected = expected;
        }

        @Override
        void onData(ChannelHandlerContext ctx, int bytes) {
            received += bytes;
            if (received > expected) {
                sendClose(ctx, 1002, Long.toString(received));
            }
        }

        @Override
        void onFrameEnd(ChannelHandlerContext ctx) {
            // At the message's end: a client may send its last bytes in a frame without FIN and
            // end the message with an empty frame after them; a Close before that would cut the
            // message (and fail the send) once the client reads it at once.
            if (received == expected && fin) {
                sendClose(ctx, 1000, Long.toString(received));
            }
        }
    }

    /** Sends the pre-encoded frames, as fast as the socket takes them, then a Close. */
    private static final class Download extends RawRoute {
        private final Block block;
        private final long messages;
        /** Whether to print {@code DOWNLOAD <messages> <wire bytes>} on stdout at the end. */
        private final boolean report;
        /** Messages still to be written, and the frame bytes written (event loop). */
        private long messagesLeft;
        private long wireBytes;
        /** Whether {@link #pump} is running, to turn re-entrant calls into no-ops (event loop). */
        private boolean pumping;

        Download(long bytes, int message) {
            this(messages(bytes, message), Blocks.get(message), false);
        }

        Download(long messages, Block block, boolean report) {
            this.block = block;
            this.messages = messages;
            this.report = report;
            this.messagesLeft = messages;
        }

        /** {@code bytes / message}, or fails unless it divides evenly. */
        static long messages(long bytes, int message) {
            if (message <= 0 || bytes % message != 0) {
                throw new IllegalArgumentException("bytes must be a multiple of message");
            }
            return bytes / message;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.channel().eventLoop().execute(() -> pump(ctx));
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            pump(ctx);
            ctx.fireChannelWritabilityChanged();
        }

        /**
         * Writes blocks while the channel is writable. A write or flush can fire
         * channelWritabilityChanged synchronously, re-entering here; the flag makes the outer call
         * do that work, so the message count is only ever changed by one loop.
         */
        private void pump(ChannelHandlerContext ctx) {
            if (closeSent || pumping) {
                return;
            }
            pumping = true;
            try {
                int framesPerBlock = block.ends.length;
                do {
                    while (messagesLeft > 0 && ctx.channel().isWritable()) {
                        int frames = (int) Math.min(framesPerBlock, messagesLeft);
                        messagesLeft -= frames;
                        int end = block.ends[frames - 1];
                        wireBytes += end;
                        ctx.write(block.bytes.retainedSlice(0, end), ctx.voidPromise());
                    }
                    if (messagesLeft == 0) {
                        if (report && !closeSent) {
                            System.out.println("DOWNLOAD " + messages + " " + wireBytes);
                            System.out.flush();
                        }
                        sendClose(ctx, 1000, "");
                        return;
                    }
                    ctx.flush();
                } while (ctx.channel().isWritable());
            } finally {
                pumping = false;
            }
        }
    }

    /** Sends back every binary frame as it came (the codec unmasks and re-frames). */
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            WebSocketFrame f = (WebSocketFrame) msg;
            if (f instanceof CloseWebSocketFrame) {
                f.release();
                ctx.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
            } else if (f instanceof BinaryWebSocketFrame) {
                ctx.write(f);
            } else {
                f.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Pre-encoded server frames, written again and again: {@code ends[i]} is where frame {@code i} ends. */
    static final class Block {
        final ByteBuf bytes;
        final int[] ends;

        Block(ByteBuf bytes, int[] ends) {
            this.bytes = bytes;
            this.ends = ends;
        }
    }

    /** The compressed events' block ({@link DeflateRoutes#block}), built on first use. */
    private static final class DeflateBlock {
        static final Block BLOCK = DeflateRoutes.block();
    }

    /** The pre-encoded download blocks, one per message size, built on first use. */
    private static final class Blocks {
        private static final java.util.Map<Integer, Block> BLOCKS = new java.util.concurrent.ConcurrentHashMap<>();

        static int frameBytes(int message) {
            return message + (message < 126 ? 2 : message < 65536 ? 4 : 10);
        }

        static Block get(int message) {
            return BLOCKS.computeIfAbsent(message, Blocks::build);
        }

        private static Block build(int message) {
            int frameBytes = frameBytes(message);
            int frames = Math.max(1, BLOCK_TARGET / frameBytes);
            ByteBuf b = Unpooled.directBuffer(frames * frameBytes);
            SplittableRandom random = new SplittableRandom(message);
            byte[] payload = new byte[message];
            for (int i = 0; i < frames; i++) {
                b.writeByte(0x82);
                if (message < 126) {
                    b.writeByte(message);
                } else if (message < 65536) {
                    b.writeByte(126).writeShort(message);
                } else {
                    b.writeByte(127).writeLong(message);
                }
                for (int j = 0; j < message; j += 8) {
                    long r = random.nextLong();
                    for (int k = 0; k < 8 && j + k < message; k++) {
                        payload[j + k] = (byte) (r >>> (8 * k));
                    }
                }
                b.writeBytes(payload);
            }
            int[] ends = new int[frames];
            for (int i = 0; i < frames; i++) {
                ends[i] = (i + 1) * frameBytes;
            }
            // Never released: this map holds its one reference for the life of the server.
            return new Block(b, ends);
        }
    }
}
