package io.fluxsocket.testing;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import io.netty.handler.ssl.ClientAuth;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * An in-process Reactor Netty WebSocket server on loopback for one test, with a probe on its
 * (last) accepted channel: the channel itself, and a latch that opens when the channel first
 * becomes unwritable (the client stopped reading and the TCP window closed).
 */
public final class TestServer implements AutoCloseable {

    private final DisposableServer server;
    private final AtomicReference<Channel> channel = new AtomicReference<>();
    private final CountDownLatch unwritable = new CountDownLatch(1);

    public TestServer(BiFunction<WebsocketInbound, WebsocketOutbound, Publisher<Void>> handler) {
        this(null, false, handler);
    }

    /**
     * A {@code wss://} server with {@code identity}'s key and chain (a plain {@code ws://} one if
     * null); with {@code requireClientCertificate}, it requires a client certificate issued by the
     * {@link TestPki} root.
     */
    public TestServer(TestPki.Identity identity, boolean requireClientCertificate,
            BiFunction<WebsocketInbound, WebsocketOutbound, Publisher<Void>> handler) {
        this(identity, requireClientCertificate, false, handler);
    }

    /**
     * A {@code ws://} server that accepts permessage-deflate (Netty's compression handler, as
     * Reactor Netty's {@code WebsocketServerSpec.compress(true)} installs it).
     */
    public static TestServer compressing(BiFunction<WebsocketInbound, WebsocketOutbound, Publisher<Void>> handler) {
        return new TestServer(null, false, true, handler);
    }

    @SuppressWarnings("deprecation")
    private TestServer(TestPki.Identity identity, boolean requireClientCertificate, boolean compress,
            BiFunction<WebsocketInbound, WebsocketOutbound, Publisher<Void>> handler) {
        HttpServer http = HttpServer.create().host("127.0.0.1").port(0);
        if (identity != null) {
            http = http.secure(spec -> spec.sslContext(Http11SslContextSpec.forServer(identity.key(),
                            identity.chain().toArray(new X509Certificate[0]))
                    .configure(builder -> {
                        if (requireClientCertificate) {
                            builder.trustManager(TestPki.get().ca()).clientAuth(ClientAuth.REQUIRE);
                        }
                    })));
        }
        this.server = http
                .doOnChannelInit((observer, ch, address) -> {
                    channel.set(ch);
                    ch.pipeline().addFirst("test.probe", new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                            if (!ctx.channel().isWritable()) {
                                unwritable.countDown();
                            }
                            ctx.fireChannelWritabilityChanged();
                        }
                    });
                })
                .handle((request, response) -> response.sendWebsocket(handler,
                        WebsocketServerSpec.builder().maxFramePayloadLength(1 << 24).compress(compress).build()))
                .bindNow();
    }

    /**
     * An echo server: every frame a client sends comes back as it came (its fragmentation and
     * opcodes are the client's), with backpressure (it reads no faster than it writes back).
     */
    public static TestServer echoing() {
        return new TestServer(TestServer::echo);
    }

    /** {@link #echoing()} over TLS, as {@link #TestServer(TestPki.Identity, boolean, BiFunction)} says. */
    public static TestServer echoingOverTls(TestPki.Identity identity, boolean requireClientCertificate) {
        return new TestServer(identity, requireClientCertificate, TestServer::echo);
    }

    /** The echo handler: every frame back as it came. */
    public static Publisher<Void> echo(WebsocketInbound in, WebsocketOutbound out) {
        return out.sendObject(in.receiveFrames().map(WebSocketFrame::retain));
    }

    /**
     * A server that sends {@code frames} binary frames of {@code frameBytes} bytes of
     * {@link BytePattern}, in order from offset 0, then closes (1000).
     */
    public static TestServer pushing(int frames, int frameBytes) {
        return new TestServer((in, out) -> out.sendObject(Flux.range(0, frames)
                .map(i -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(
                        BytePattern.chunk((long) i * frameBytes, frameBytes))))));
    }

    public URI uri() {
        return uri("ws", "127.0.0.1");
    }

    /** {@code scheme://host:port/}, for a server with TLS ({@code wss}) or a host name. */
    public URI uri(String scheme, String host) {
        return URI.create(scheme + "://" + host + ":" + server.port() + "/");
    }

    public int port() {
        return server.port();
    }

    /** The server side of the latest accepted connection. */
    public Channel channel() {
        return channel.get();
    }

    /** Waits until the server's channel became unwritable. */
    public boolean awaitUnwritable(long seconds) throws InterruptedException {
        return unwritable.await(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
