package io.fluxsocket.internal;

import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketError;
import io.fluxsocket.WebSocketException;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.internal.PlatformDependent;

import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.netty.NettyPipeline;

/**
 * The opening handshake (RFC 6455 §4) on a connected channel: writes the upgrade request, checks
 * the response itself (status, {@code Upgrade}, {@code Connection}, {@code Sec-WebSocket-Accept},
 * subprotocol, extensions) and, on success, replaces the HTTP codec with the frame codec and the
 * {@link WebSocketConnection}, so no frame that follows the 101 response is lost.
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

    private final Target target;
    private final ClientConfig config;
    /** What the connection will receive as. */
    private final Mode mode;
    private final MonoSink<WebSocketConnection> sink;
    private final String key;
    /** The response was seen (success or failure): nothing more is done here (event loop). */
    private boolean done;
    /** The subscriber cancelled (any thread): the outcome is not reported. */
    private volatile boolean cancelled;
    /** What TLS negotiated, for the connection's information. */
    private final TlsSession.Result tls;
    /** The permessage-deflate the server agreed to; null for none (event loop). */
    private DeflateParameters deflate;

    private Handshake(Target target, ClientConfig config, Mode mode, TlsSession.Result tls, MonoSink<WebSocketConnection> sink) {
        this.target = target;
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
    static Mono<WebSocketConnection> perform(Channel channel, Target target, ClientConfig config, Mode mode,
            TlsSession.Result tls) {
        return Mono.create(sink -> channel.eventLoop().execute(() -> {
            channel.config().setAutoRead(false);
            ChannelPipeline p = channel.pipeline();
            Handshake handshake = new Handshake(target, config, mode, tls, sink);
            sink.onCancel(() -> {
                // Before the channel closes: the failure its closing causes is not reported.
                handshake.cancelled = true;
                channel.close();
            });
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
        }));
    }

    private DefaultFullHttpRequest request() {
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                target.requestTarget(), Unpooled.EMPTY_BUFFER);
        HttpHeaders h = request.headers();
        h.set(HttpHeaderNames.HOST, target.hostHeader());
        h.set(HttpHeaderNames.UPGRADE, "websocket");
        h.set(HttpHeaderNames.CONNECTION, "Upgrade");
        h.set(HttpHeaderNames.SEC_WEBSOCKET_KEY, key);
        h.set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
        if (!config.subprotocols().isEmpty()) {
            h.set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, String.join(", ", config.subprotocols()));
        }
        if (config.perMessageDeflate() != null) {
            h.set(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS, config.perMessageDeflate().offer());
        }
        for (Map.Entry<String, String> e : config.headers().entrySet()) {
            h.set(e.getKey(), e.getValue());
        }
        return request;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done) {
            // Leftovers after a failed handshake; a successful one removes this handler first.
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            if (msg instanceof HttpResponse) {
                done = true;
                onResponse(ctx, (HttpResponse) msg);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!done) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!done) {
            fail(new WebSocketException(WebErrorStatus.CONNECTION_ABORTED,
                    "the server closed the connection before answering the opening handshake"), ctx.channel());
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!done) {
            WebErrorStatus status = WebSocketError.status(cause);
            // An unrecognised failure while reading the response: the response was not HTTP.
            fail(cause instanceof WebSocketException ? (WebSocketException) cause
                    : new WebSocketException(status == WebErrorStatus.UNKNOWN ? WebErrorStatus.PROTOCOL_ERROR : status,
                            "opening handshake failed: " + cause, cause), ctx.channel());
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    private void fail(WebSocketException error, Channel channel) {
        done = true;
        channel.close();
        if (!cancelled) {
            sink.error(error);
        }
    }

    private void onResponse(ChannelHandlerContext ctx, HttpResponse response) {
        String problem = check(response);
        if (problem != null) {
            int code = response.status().code();
            WebErrorStatus status = code == 101 ? WebErrorStatus.PROTOCOL_ERROR : WebErrorStatus.fromHttpStatus(code);
            fail(new WebSocketException(status, "opening handshake with " + target.uri() + " failed: " + problem),
                    ctx.channel());
            return;
        }
        String selected = response.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        WebSocketConnection connection = new WebSocketConnection(ctx.channel(), config, mode, selected, tls, deflate);
        ChannelPipeline p = ctx.pipeline();
        p.addBefore(HANDSHAKE, FRAME_DECODER, mode.decoder(config, connection.traffic(), deflate != null));
        p.addBefore(HANDSHAKE, FRAME_ENCODER, FrameEncoder.INSTANCE);
        p.addBefore(HANDSHAKE, CONNECTION, connection);
        p.remove(this);
        HttpClientCodec http = (HttpClientCodec) p.get(HTTP_CODEC);
        // What the application writes from now on are frames: past the HTTP encoder.
        http.removeOutboundHandler();
        if (cancelled) {
            ctx.channel().close();
        } else {
            sink.success(connection);
        }
        // Bytes that came after the 101 response go on to the frame decoder as the codec leaves:
        // after the application had the connection.
        p.remove(http);
    }

    /** What is wrong with the response as an answer to this handshake, or null if nothing. */
    private String check(HttpResponse response) {
        HttpResponseStatus status = response.status();
        if (status.code() != 101) {
            return "the server answered HTTP " + status.code() + " " + status.reasonPhrase()
                    + " instead of 101 Switching Protocols";
        }
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
            boolean offered = config.subprotocols().stream()
                    .anyMatch(p -> p.toLowerCase(Locale.ROOT).equals(selected.toLowerCase(Locale.ROOT)));
            if (!offered) {
                return "the server selected subprotocol '" + selected + "', which was not offered "
                        + (config.subprotocols().isEmpty() ? "(none was)" : config.subprotocols().toString());
            }
        }
        return null;
    }
}
