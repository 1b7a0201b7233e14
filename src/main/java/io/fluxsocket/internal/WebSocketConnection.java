package io.fluxsocket.internal;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketError;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketInfo;
import io.fluxsocket.WebSocketMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * The single owner of one open WebSocket connection: its state machine, the frames the decoder
 * hands up, the closing handshake, pings, and what reads the socket. It sits in the pipeline after
 * Netty's frame decoder and encoder; {@link InboundFlow} and {@link OutboundFramer} own the two
 * directions of data.
 *
 * <pre>
 *   OPEN ──close()──────────▶ CLOSE_SENT ──server's Close──▶ (TCP closed) CLOSED
 *   OPEN ──server's Close───▶ CLOSE_RECEIVED ──reply written──▶ (TCP closed) CLOSED
 *   OPEN/CLOSE_SENT ──violation──▶ FAILING ──Close(code) written──▶ (TCP closed) CLOSED
 *   any ──TCP closed──▶ CLOSED
 * </pre>
 *
 * Invariants: the state only moves right; everything here runs on the channel's event loop except
 * the public entry points, which hop onto it; once the state leaves OPEN, no data frame is written;
 * every path out of OPEN arms the close timer, so TCP is closed within the close timeout;
 * {@link #closeStatus()} is emitted exactly once, when the channel becomes inactive.
 */
public final class WebSocketConnection extends ChannelInboundHandlerAdapter implements WebSocketInfo {

    private static final Logger log = Loggers.getLogger(WebSocketConnection.class);

    enum State { OPEN, CLOSE_SENT, CLOSE_RECEIVED, FAILING, CLOSED }

    private final Channel channel;
    private final ClientConfig config;
    private final String subprotocol;
    private final Inbound inbound;
    private final OutboundFramer outbound;
    private final Sinks.One<CloseStatus> closed = Sinks.one();

    /** The context of this handler, set when it is added (event loop). */
    private ChannelHandlerContext ctx;
    /** Where the connection is in its life (event loop; read elsewhere only for messages). */
    private volatile State state = State.OPEN;
    /**
     * The channel reads on its own (auto-read), as long as the inbound side wants data (event
     * loop). Netty's read loop checks auto-read before each socket read; turned off from inside a
     * read as soon as the budget is full, it stops the loop there: at most one read (64 KiB)
     * goes past the budget.
     */
    private boolean autoRead;
    /** close() was called: later calls share its outcome (event loop). */
    private boolean closeRequested;
    /** The server's Close frame, once received (event loop). */
    private CloseStatus remoteClose;
    /** The code this client failed the connection with, and why (event loop). */
    private CloseStatus localFailure;
    private WebSocketException failure;
    /** The transport error that ended the connection, if one did (event loop). */
    private Throwable transportError;
    /** Closes TCP if the closing handshake does not finish within the close timeout (event loop). */
    private ScheduledFuture<?> closeTimer;
    /** The close timer fired before the server's Close arrived (event loop). */
    private boolean closeTimedOut;
    /** The newest ping payload to answer once the socket is writable again; older ones are dropped (event loop). */
    private ByteBuf pendingPong;
    /** Payload bytes of data frames received (single writer: the event loop). */
    private volatile long bytesReceived;

    WebSocketConnection(Channel channel, ClientConfig config, Mode mode, String subprotocol) {
        this.channel = channel;
        this.config = config;
        this.subprotocol = subprotocol;
        this.inbound = mode.inbound(channel.eventLoop(), config, this::maybeRead);
        this.outbound = new OutboundFramer(this, channel.eventLoop(), config);
    }

    // ---- public entry points (any thread) ----

    /** The inbound side: the {@link Flux} that {@code receive()} returns, of the connection's mode. */
    Inbound inbound() {
        return inbound;
    }

    Mono<Void> send(Publisher<ByteBuffer> message) {
        return outbound.send(message);
    }

    /** Message mode: sends each message of the publisher, in order, interleaving only between messages. */
    Mono<Void> sendMessages(Publisher<WebSocketMessage> messages) {
        return Mono.create(sink -> {
            MessageSender sender = new MessageSender(outbound, channel.eventLoop(), config.outboundBufferBytes(), sink);
            sink.onCancel(sender::cancel);
            messages.subscribe(sender);
        });
    }

    Mono<Void> close(int code, String reason) {
        try {
            WebSocketProtocol.checkClose(code, reason);
        } catch (WebSocketException e) {
            return Mono.error(e);
        }
        return Mono.defer(() -> {
            EventLoops.run(channel.eventLoop(), () -> startClose(code, reason));
            return closed.asMono().then();
        });
    }

    Mono<CloseStatus> closeStatus() {
        return closed.asMono();
    }

    /** What the connection holds of inbound data and outbound frames, in bytes (event loop; for tests). */
    long inboundQueuedBytes() {
        return inbound.queuedBytes();
    }

    long outboundHeldBytes() {
        return outbound.heldBytes();
    }

    Channel channel() {
        return channel;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) channel.remoteAddress();
    }

    @Override
    public Optional<String> subprotocol() {
        return Optional.ofNullable(subprotocol);
    }

    @Override
    public long bytesSent() {
        return outbound.bytesSent();
    }

    @Override
    public long bytesReceived() {
        return bytesReceived;
    }

    // ---- pipeline events (event loop) ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        outbound.bind(ctx);
        if (!channel.isActive()) {
            // Closed before this handler was in place: channelInactive will not come.
            channel.eventLoop().execute(this::onChannelClosed);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // Not the close future: Netty fails the pending writes before this event, after that
        // future, so a write's error (a reset) is known here and the right status is reported.
        onChannelClosed();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof BinaryWebSocketFrame || msg instanceof TextWebSocketFrame
                    || msg instanceof ContinuationWebSocketFrame) {
                WebSocketFrame piece = (WebSocketFrame) msg;
                onData(piece.content(), !(msg instanceof ContinuationWebSocketFrame), msg instanceof TextWebSocketFrame,
                        piece.isFinalFragment());
            } else if (msg instanceof PingWebSocketFrame) {
                onPing(((PingWebSocketFrame) msg).content());
            } else if (msg instanceof CloseWebSocketFrame) {
                CloseWebSocketFrame close = (CloseWebSocketFrame) msg;
                int code = close.statusCode() == -1 ? CloseStatus.NO_STATUS_RECEIVED : close.statusCode();
                String reason = close.statusCode() == -1 || close.reasonText() == null ? "" : close.reasonText();
                onClose(new CloseStatus(code, reason, true));
            }
            // Pongs need no answer; HTTP leftovers of the handshake (an empty last content) are dropped.
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        maybeRead();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (channel.isWritable()) {
            if (pendingPong != null && state == State.OPEN) {
                ByteBuf payload = pendingPong;
                pendingPong = null;
                ctx.writeAndFlush(new PongWebSocketFrame(payload), ctx.voidPromise());
            }
            outbound.onWritable();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException) {
            onViolation((CorruptedWebSocketFrameException) cause);
        } else if (cause instanceof IOException) {
            log.debug("transport error on {}", channel, cause);
            if (transportError == null) {
                transportError = cause;
            }
            channel.close();
        } else {
            failConnection(CloseStatus.INTERNAL_ERROR, "internal error: " + cause, WebErrorStatus.UNKNOWN, cause);
        }
    }

    // ---- frames ----

    private void onData(ByteBuf piece, boolean start, boolean text, boolean end) {
        if (state != State.OPEN && state != State.CLOSE_SENT) {
            // RFC 6455 §5.5.1: data after the server's Close (or after failing) is discarded.
            return;
        }
        bytesReceived += piece.readableBytes();
        try {
            inbound.onData(piece, start, text, end);
        } catch (CorruptedWebSocketFrameException e) {
            onViolation(e);
        }
    }

    /** The server broke the protocol, or sent what this side cannot accept: fail with its close code. */
    private void onViolation(CorruptedWebSocketFrameException e) {
        failConnection(e.closeStatus().code(), e.getMessage(), WebSocketError.status(e), e);
    }

    private void onPing(ByteBuf payload) {
        if (state != State.OPEN) {
            return;
        }
        if (channel.isWritable()) {
            ctx.writeAndFlush(new PongWebSocketFrame(payload.retain()), ctx.voidPromise());
        } else {
            // Answer only the newest ping once writable (RFC 6455 §5.5.3): nothing piles up.
            if (pendingPong != null) {
                pendingPong.release();
            }
            pendingPong = payload.retain();
        }
    }

    private void onClose(CloseStatus status) {
        switch (state) {
            case OPEN:
                state = State.CLOSE_RECEIVED;
                remoteClose = status;
                outbound.terminate(new WebSocketException(WebErrorStatus.CLOSED,
                        "the server closed the connection (" + status.code() + describe(status.reason()) + ")"));
                CloseWebSocketFrame reply = status.code() == CloseStatus.NO_STATUS_RECEIVED
                        ? new CloseWebSocketFrame()
                        : new CloseWebSocketFrame(status.code(), "");
                ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
                armCloseTimer();
                inbound.terminate(null);
                break;
            case CLOSE_SENT:
                remoteClose = status;
                state = State.CLOSE_RECEIVED;
                inbound.terminate(null);
                channel.close();
                break;
            default:
                // A Close after failing, or a second one: the connection is going anyway.
                break;
        }
    }

    // ---- closing and failing ----

    private void startClose(int code, String reason) {
        if (closeRequested || state != State.OPEN) {
            return;
        }
        closeRequested = true;
        // Bounds the whole close, also the wait for a message in flight whose publisher stalls.
        armCloseTimer();
        outbound.enqueueClose(() -> {
            if (state != State.OPEN) {
                return;
            }
            state = State.CLOSE_SENT;
            outbound.terminate(new WebSocketException(WebErrorStatus.CLOSED, "the connection is closing"));
            ctx.writeAndFlush(new CloseWebSocketFrame(code, reason), ctx.voidPromise());
            inbound.closing();
            armCloseTimer();
            maybeRead();
        });
    }

    /**
     * Fails the connection (RFC 6455 §7.1.7): sends a Close frame with {@code code} if none was
     * sent, ends both directions with a {@link WebSocketException}, and closes TCP once the frame is
     * written or the close timer fires. Event loop only.
     */
    void failConnection(int code, String reason, WebErrorStatus status, Throwable cause) {
        if (state == State.FAILING || state == State.CLOSED) {
            return;
        }
        boolean sendClose = state == State.OPEN;
        state = State.FAILING;
        localFailure = new CloseStatus(code, reason == null ? "" : reason, false);
        failure = new WebSocketException(status, "connection failed with close code " + code + ": " + reason, cause, code);
        outbound.terminate(failure);
        inbound.terminate(failure);
        if (sendClose) {
            ctx.writeAndFlush(new CloseWebSocketFrame(code, truncate(reason))).addListener(ChannelFutureListener.CLOSE);
            armCloseTimer();
        } else {
            channel.close();
        }
    }

    /** No write progress for the send timeout: the socket is stuck, so TCP is closed at once. */
    void failSendTimeout(WebSocketException timeout) {
        if (state == State.CLOSED) {
            return;
        }
        failure = timeout;
        state = State.FAILING;
        outbound.terminate(timeout);
        inbound.terminate(timeout);
        channel.close();
    }

    /** A data frame's write failed: the channel is broken. */
    void onWriteFailure(Throwable cause) {
        if (transportError == null) {
            transportError = cause;
        }
        channel.close();
    }

    /** The error for a send whose final frame could not be written. */
    WebSocketException sendFailure(Throwable cause) {
        if (failure != null) {
            return failure;
        }
        WebErrorStatus status = WebSocketError.status(transportError != null ? transportError : cause);
        return new WebSocketException(status == WebErrorStatus.UNKNOWN ? WebErrorStatus.CLOSED : status,
                "the message could not be written: the connection ended", cause);
    }

    private void armCloseTimer() {
        if (closeTimer == null) {
            closeTimer = channel.eventLoop().schedule(() -> {
                if (channel.isActive()) {
                    closeTimedOut = true;
                    log.debug("closing handshake of {} not finished in time; closing TCP", channel);
                    channel.close();
                }
            }, config.closeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void onChannelClosed() {
        if (state == State.CLOSED) {
            return;
        }
        State before = state;
        state = State.CLOSED;
        if (closeTimer != null) {
            closeTimer.cancel(false);
        }
        if (pendingPong != null) {
            pendingPong.release();
            pendingPong = null;
        }
        CloseStatus status;
        WebSocketException error;
        if (remoteClose != null) {
            status = remoteClose;
            error = null;
        } else if (localFailure != null || failure != null) {
            status = localFailure != null ? localFailure : new CloseStatus(CloseStatus.ABNORMAL_CLOSURE, "", false);
            error = failure;
        } else {
            status = new CloseStatus(CloseStatus.ABNORMAL_CLOSURE, "", false);
            if (closeTimedOut) {
                error = new WebSocketException(WebErrorStatus.TIMEOUT, (before == State.CLOSE_SENT
                        ? "the server did not answer the Close frame within "
                        : "the message in flight did not finish, so no Close frame could be sent, within ")
                        + config.closeTimeout().toMillis() + " ms (closeTimeout); TCP was closed");
            } else if (transportError != null) {
                WebErrorStatus s = WebSocketError.status(transportError);
                error = new WebSocketException(s == WebErrorStatus.UNKNOWN ? WebErrorStatus.CONNECTION_RESET : s,
                        "the connection was lost: " + transportError.getMessage(), transportError);
            } else {
                error = new WebSocketException(WebErrorStatus.CONNECTION_ABORTED,
                        "the server closed TCP without a Close frame");
            }
        }
        WebSocketException ended = error != null ? error
                : new WebSocketException(WebErrorStatus.CLOSED, "the connection is closed");
        outbound.terminate(ended);
        inbound.terminate(error);
        closed.tryEmitValue(status);
    }

    // ---- reads ----

    /**
     * Reads the socket while the inbound side or the closing handshake needs data, and stops when
     * they do not: auto-read on or off, changed only when that changes. A subscriber that keeps
     * up gets up to {@link DefaultWebSocketClient#READS_PER_WAKEUP} reads in a row per wake-up of
     * the event loop, as with Reactor Netty, instead of one read and one trip through the event
     * loop per 64 KiB.
     */
    private void maybeRead() {
        if (ctx == null) {
            return;
        }
        boolean wanted = state != State.CLOSED && state != State.CLOSE_RECEIVED
                && (inbound.wantsRead()
                // Failing: what arrives is dropped anyway; reading lets TCP's end be seen.
                || state == State.FAILING);
        if (wanted != autoRead) {
            autoRead = wanted;
            // Turning it on also starts a read.
            ctx.channel().config().setAutoRead(wanted);
        }
    }

    private static String describe(String reason) {
        return reason.isEmpty() ? "" : ", \"" + reason + "\"";
    }

    /** Cuts a reason to what a Close frame can carry, on a character boundary. */
    private static String truncate(String reason) {
        String r = reason == null ? "" : reason;
        while (r.getBytes(StandardCharsets.UTF_8).length > WebSocketProtocol.MAX_REASON_BYTES) {
            r = r.substring(0, r.length() - 1);
        }
        return r;
    }
}
