package io.fluxsocket.internal;

import io.fluxsocket.HandshakeResponse;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketError;
import io.fluxsocket.WebSocketException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.internal.PlatformDependent;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.netty.NettyPipeline;

/**
 * The opening handshake (RFC 6455 §4) on a connected channel: writes the upgrade request, checks
 * the response itself (status, {@code Upgrade}, {@code Connection}, {@code Sec-WebSocket-Accept},
 * subprotocol, extensions) and, on success, replaces the HTTP codec with the frame codec and the
 * {@link WebSocketConnection}, so no frame that follows the 101 response is lost. A response other
 * than 101 fails the handshake with the response in the error: its status, its headers and the part
 * of its body (at most 1 KiB) that came in the same socket reads as its head — no wait for more.
 *
 * <p>The open connection is emitted <em>before</em> the bytes that came after the 101 response
 * are decoded: an application that subscribes at once (as {@code flatMap} does, on the event loop)
 * gets the server's first messages, and what it sends in answer goes out before a protocol
 * violation that followed them fails the connection — a strict client, as a server that writes
 * its frames right after the 101 expects.
 *
 * <p>A cancelled handshake (the connect timeout, or the subscriber) reports nothing afterwards:
 * the channel is closed and the failure that follows is not an error anyone waits for.
 */
final class Handshake extends ChannelInboundHandlerAdapter {

    static final String HTTP_CODEC = "fluxsocket.http";
    static final String HANDSHAKE = "fluxsocket.handshake";
    static final String FRAME_DECODER = "fluxsocket.ws-decoder";
    static final String FRAME_ENCODER = "fluxsocket.ws-encoder";
    static final String CONNECTION = "fluxsocket.connection";

    private final HandshakeRequest request;
    private final Target target;
    private final ClientConfig config;
    /** What the connection will receive as. */
    private final Mode mode;
    private final Outcome sink;
    private final String key;
    /** The response was seen (success or failure): nothing more is done here (event loop). */
    private boolean done;
    /** What TLS negotiated, for the connection's information. */
    private final TlsSession.Result tls;
    /** The permessage-deflate the server agreed to; null for none (event loop). */
    private DeflateParameters deflate;
    /** A refusal whose body is being read: its head (event loop); null before one, and after. */
    private HttpResponse refusal;
    /** The refusal's body so far, at most {@link HandshakeResponse#MAX_BODY_BYTES} (event loop). */
    private ByteArrayOutputStream refusalBody;

    private Handshake(HandshakeRequest request, ClientConfig config, Mode mode, TlsSession.Result tls,
            Outcome sink) {
        this.request = request;
        this.target = request.target();
        this.tls = tls;
        this.config = config;
        this.mode = mode;
        this.sink = sink;
        byte[] nonce = new byte[16];
        PlatformDependent.threadLocalRandom().nextBytes(nonce);
        this.key = Base64.getEncoder().encodeToString(nonce);
    }

    /**
     * Performs the handshake on a connected channel.
     *
     * @return a {@link Mono} of the open connection; on error the channel is closed
     */
    static Mono<WebSocketConnection> perform(Channel channel, HandshakeRequest request, ClientConfig config, Mode mode,
            TlsSession.Result tls) {
        return new Mono<>() {
            @Override
            public void subscribe(CoreSubscriber<? super WebSocketConnection> actual) {
                Outcome outcome = new Outcome(actual, channel);
                actual.onSubscribe(outcome);
                channel.eventLoop().execute(() -> start(channel, request, config, mode, tls, outcome));
            }
        };
    }

    /** Starts the handshake (event loop), unless it was cancelled before. */
    private static void start(Channel channel, HandshakeRequest request, ClientConfig config, Mode mode,
            TlsSession.Result tls, Outcome sink) {
        if (sink.cancelled()) {
            return;
        }
        channel.config().setAutoRead(false);
        ChannelPipeline p = channel.pipeline();
        Handshake handshake = new Handshake(request, config, mode, tls, sink);
        String before = p.get(NettyPipeline.ReactiveBridge) != null ? NettyPipeline.ReactiveBridge : null;
        if (before != null) {
            p.addBefore(before, HTTP_CODEC, new HttpClientCodec());
            p.addBefore(before, HANDSHAKE, handshake);
        } else {
            p.addLast(HTTP_CODEC, new HttpClientCodec());
            p.addLast(HANDSHAKE, handshake);
        }
        channel.writeAndFlush(handshake.request()).addListener(f -> {
            if (!f.isSuccess()) {
                handshake.fail(new WebSocketException(WebErrorStatus.CONNECTION_ABORTED,
                        "could not send the handshake request: " + f.cause(), f.cause()), channel);
            }
        });
        channel.read();
    }

    private DefaultFullHttpRequest request() {
        DefaultFullHttpRequest upgrade = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                target.requestTarget(), Unpooled.EMPTY_BUFFER);
        HttpHeaders h = upgrade.headers();
        h.set(HttpHeaderNames.HOST, target.hostHeader());
        h.set(HttpHeaderNames.UPGRADE, "websocket");
        h.set(HttpHeaderNames.CONNECTION, "Upgrade");
        h.set(HttpHeaderNames.SEC_WEBSOCKET_KEY, key);
        h.set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
        if (!request.subprotocols().isEmpty()) {
            h.set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, String.join(", ", request.subprotocols()));
        }
        if (config.perMessageDeflate() != null) {
            h.set(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS, config.perMessageDeflate().offer());
        }
        for (Map.Entry<String, String> e : request.headers()) {
            h.set(e.getKey(), e.getValue());
        }
        return upgrade;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done) {
            // Leftovers after a failed handshake; a successful one removes this handler first.
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            if (refusal != null) {
                if (msg instanceof HttpContent content) {
                    ByteBuf bytes = content.content();
                    int kept = Math.min(bytes.readableBytes(), HandshakeResponse.MAX_BODY_BYTES - refusalBody.size());
                    refusalBody.writeBytes(ByteBufUtil.getBytes(bytes, bytes.readerIndex(), kept));
                }
                if (msg instanceof LastHttpContent || refusalBody.size() == HandshakeResponse.MAX_BODY_BYTES) {
                    refused(ctx.channel());
                }
            } else if (msg instanceof HttpResponse response) {
                if (response.status().code() == 101) {
                    done = true;
                    onResponse(ctx, response);
                } else {
                    // Its body says why: read what came with it, up to 1 KiB.
                    refusal = response;
                    refusalBody = new ByteArrayOutputStream();
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (refusal != null) {
            // The part of the body that came with the head is what is kept: no wait for more.
            refused(ctx.channel());
        } else if (!done) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (refusal != null) {
            refused(ctx.channel());
        } else if (!done) {
            fail(new WebSocketException(WebErrorStatus.CONNECTION_ABORTED,
                    "the server closed the connection before answering the opening handshake"), ctx.channel());
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (refusal != null) {
            // The body could not be read to its end: the head and what was read say enough.
            refused(ctx.channel());
        } else if (!done) {
            WebErrorStatus status = WebSocketError.status(cause);
            // An unrecognised failure while reading the response: the response was not HTTP.
            fail(cause instanceof WebSocketException ? (WebSocketException) cause
                    : new WebSocketException(status == WebErrorStatus.UNKNOWN ? WebErrorStatus.PROTOCOL_ERROR : status,
                            "opening handshake failed: " + cause, cause), ctx.channel());
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    /** Fails with the refusal and the body read so far. */
    private void refused(Channel channel) {
        HttpResponse response = refusal;
        refusal = null;
        String body = new String(refusalBody.toByteArray(), StandardCharsets.UTF_8);
        int code = response.status().code();
        fail(new WebSocketException(WebErrorStatus.fromHttpStatus(code), "opening handshake with " + target.uri()
                + " failed: the server answered HTTP " + code + " " + response.status().reasonPhrase()
                + " instead of 101 Switching Protocols", ResponseHead.expand(code, ResponseHead.compact(response), body)),
                channel);
    }

    private void fail(WebSocketException error, Channel channel) {
        done = true;
        channel.close();
        sink.error(error);
    }

    private void onResponse(ChannelHandlerContext ctx, HttpResponse response) {
        String problem = check(response);
        String head = ResponseHead.compact(response);
        if (problem != null) {
            fail(new WebSocketException(WebErrorStatus.PROTOCOL_ERROR, "opening handshake with " + target.uri()
                    + " failed: " + problem, ResponseHead.expand(101, head, "")), ctx.channel());
            return;
        }
        String selected = response.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        WebSocketConnection connection = new WebSocketConnection(ctx.channel(), config, mode,
                new Opening(selected, deflate, head, target.uri().toString(), tls));
        ChannelPipeline p = ctx.pipeline();
        p.addBefore(HANDSHAKE, FRAME_DECODER, mode.decoder(config, connection.traffic(), deflate != null));
        p.addBefore(HANDSHAKE, FRAME_ENCODER, FrameEncoder.INSTANCE);
        p.addBefore(HANDSHAKE, CONNECTION, connection);
        p.remove(this);
        HttpClientCodec http = (HttpClientCodec) p.get(HTTP_CODEC);
        // What the application writes from now on are frames: past the HTTP encoder.
        http.removeOutboundHandler();
        sink.success(connection);
        // Bytes that came after the 101 response go on to the frame decoder as the codec leaves:
        // after the application had the connection.
        p.remove(http);
    }

    /** What is wrong with the response as an answer to this handshake, or null if nothing. */
    private String check(HttpResponse response) {
        HttpHeaders h = response.headers();
        if (!h.containsValue(HttpHeaderNames.UPGRADE, "websocket", true)) {
            return "the 101 response has no 'Upgrade: websocket' header";
        }
        if (!h.containsValue(HttpHeaderNames.CONNECTION, "upgrade", true)) {
            return "the 101 response has no 'Connection: Upgrade' header";
        }
        String accept = h.get(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT);
        if (accept == null) {
            return "the 101 response has no Sec-WebSocket-Accept header";
        }
        if (!accept.trim().equals(WebSocketProtocol.acceptFor(key))) {
            return "Sec-WebSocket-Accept '" + accept + "' does not match the key sent";
        }
        try {
            deflate = DeflateParameters.negotiate(h.getAll(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS),
                    config.perMessageDeflate());
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        List<String> protocols = h.getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        if (protocols.size() > 1) {
            return "the server selected more than one subprotocol: " + protocols;
        }
        if (protocols.size() == 1) {
            String selected = protocols.get(0).trim();
            boolean offered = request.subprotocols().stream().anyMatch(selected::equalsIgnoreCase);
            if (!offered) {
                return "the server selected subprotocol '" + selected + "', which was not offered "
                        + (request.subprotocols().isEmpty() ? "(none was)" : request.subprotocols().toString());
            }
        }
        return null;
    }

    /**
     * The handshake's one outcome, decided once against a cancel from any thread (the connect
     * timeout, the subscriber): a cancel closes the channel and nothing is reported afterwards; a
     * connection that succeeds as it is cancelled is closed, never dropped. ({@code Mono.create}'s
     * sink drops, with {@code Operators.onNextDropped}, a value that meets its cancel half-way.)
     * The one subscriber, the connect's {@code flatMap}, requests at once: demand is not tracked.
     */
    private static final class Outcome implements Subscription {

        private static final int PENDING = 0;
        private static final int DONE = 1;
        private static final int CANCELLED = 2;
        private static final AtomicIntegerFieldUpdater<Outcome> STATE =
                AtomicIntegerFieldUpdater.newUpdater(Outcome.class, "state");

        private final CoreSubscriber<? super WebSocketConnection> actual;
        private final Channel channel;
        private volatile int state;

        Outcome(CoreSubscriber<? super WebSocketConnection> actual, Channel channel) {
            this.actual = actual;
            this.channel = channel;
        }

        boolean cancelled() {
            return state == CANCELLED;
        }

        void success(WebSocketConnection connection) {
            if (STATE.compareAndSet(this, PENDING, DONE)) {
                actual.onNext(connection);
                actual.onComplete();
            } else {
                channel.close();
            }
        }

        void error(WebSocketException error) {
            if (STATE.compareAndSet(this, PENDING, DONE)) {
                actual.onError(error);
            }
        }

        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
            if (STATE.compareAndSet(this, PENDING, CANCELLED)) {
                // After the state: the failure the closing causes is not reported.
                channel.close();
            }
        }
    }
}
