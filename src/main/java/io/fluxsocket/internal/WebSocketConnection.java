package io.fluxsocket.internal;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketInfo;
import io.fluxsocket.WebSocketMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * The single owner of one open WebSocket connection: its state, how it ended, the frames the
 * decoder hands up, the closing handshake, and what reads the socket. It is the last handler of
 * the pipeline, after {@link FrameDecoder} and {@link FrameEncoder}; {@link Inbound} and
 * {@link Outbound} own the two directions of data, and the outbound side asks things of it only
 * through {@link OutboundOwner}.
 *
 * <pre>
 *   OPEN ──close()──▶ CLOSE_QUEUED ──our Close written──▶ CLOSE_SENT ──server's Close──▶ CLOSE_RECEIVED
 *   OPEN, CLOSE_QUEUED ──server's Close (answered)──▶ CLOSE_RECEIVED
 *   OPEN, CLOSE_QUEUED, CLOSE_SENT ──fail()──▶ FAILED
 *   every state but CLOSED ──TCP closed──▶ CLOSED
 * </pre>
 *
 * Invariants: every transition goes through {@link #enter}, which throws on one the diagram does
 * not have; everything runs on the channel's event loop but the public entry points, which hop onto
 * it; the first event that ends the connection decides its {@link Ending}, once, and later ones
 * only close TCP; once the state leaves OPEN and CLOSE_QUEUED no data frame is written; every path
 * out of OPEN arms the close timer, so TCP is closed within the close timeout; {@code closeStatus()}
 * emits exactly once, when the channel becomes inactive.
 */
final class WebSocketConnection extends ChannelInboundHandlerAdapter implements OutboundOwner, Liveness.Owner {

    private static final Logger log = Loggers.getLogger(WebSocketConnection.class);

    private final Channel channel;
    private final ClientConfig config;
    /** What the opening handshake established: subprotocol, extensions, 101 response, URI, TLS. */
    private final Opening opening;
    private final Inbound inbound;
    private final Outbound outbound;
    private final Sinks.One<CloseStatus> closed = Sinks.one();
    private final WebSocketInfo info;
    private final Liveness liveness;
    /** The bandwidth statistics. */
    private final Traffic traffic;
    /** Inflates compressed messages within the inbound budget; null without permessage-deflate. */
    private final Inflation inflation;

    /** The context of this handler, set when it is added (event loop). */
    private ChannelHandlerContext ctx;
    /** Where the connection is in its life (event loop). */
    private ConnectionState state = ConnectionState.OPEN;
    /** How it ended, once decided (event loop). */
    private Ending ending;
    /** The channel reads on its own (auto-read) while the inbound side has room in its budget (event loop). */
    private boolean autoRead;
    /** Closes TCP if the closing handshake does not finish within the close timeout (event loop). */
    private ScheduledFuture<?> closeTimer;
    /** Payload bytes of data frames received (single writer: the event loop). */
    private volatile long bytesReceived;

    /** @param opening what the opening handshake established, the permessage-deflate agreed included */
    WebSocketConnection(Channel channel, ClientConfig config, Mode mode, Opening opening) {
        this.channel = channel;
        this.config = config;
        this.opening = opening;
        DeflateParameters deflate = opening.deflate();
        this.info = new ConnectionInfo(this);
        this.inbound = mode.inbound(channel.eventLoop(), config, this::maybeRead);
        this.traffic = new Traffic(channel.eventLoop());
        this.outbound = new Outbound(this, channel, config, traffic, deflate);
        this.inflation = deflate == null ? null : new Inflation(channel.alloc(), deflate,
                mode.maxMessageSize(config), inbound::wantsRead, this::deliver);
        this.liveness = new Liveness(channel.eventLoop(), outbound, this, config);
    }

    // ---- entry points (any thread) ----

    Inbound inbound() {
        return inbound;
    }

    /** The unsolicited Pong interval in effect; null if there is none. */
    Duration unsolicitedPongInterval() {
        return config.unsolicitedPongInterval();
    }

    Traffic traffic() {
        return traffic;
    }

    Outbound outbound() {
        return outbound;
    }

    Channel channel() {
        return channel;
    }

    WebSocketInfo info() {
        return info;
    }

    long bytesSent() {
        return outbound.bytesSent();
    }

    long bytesReceived() {
        return bytesReceived;
    }

    /** What the opening handshake established. */
    Opening opening() {
        return opening;
    }

    /** {@code close(code, reason)}: lazy, idempotent; completes once TCP is closed. */
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

    /** {@code ping(payload)}: checked now, sent on subscription ({@link Liveness#ping}). */
    Mono<Duration> ping(ByteBuffer payload) {
        return liveness.ping(payload);
    }

    /** The client's metrics, or null (read by {@link Metering}). */
    WebSocketMetrics metrics() {
        return config.metrics();
    }

    /** How the connection ended; null until then (event loop; final once {@link #closeStatus()} emitted). */
    Ending ending() {
        return ending;
    }

    /** Subscribers of {@link #closeStatus()} still waiting (for tests). */
    int closeStatusSubscribers() {
        return closed.currentSubscriberCount();
    }

    // ---- pipeline events (event loop) ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        outbound.bind(ctx);
        liveness.start();
        if (!channel.isActive()) {
            // Closed before this handler was in place: channelInactive will not come.
            channel.eventLoop().execute(this::onChannelClosed);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // Not the close future: Netty fails the pending writes before this event, so a write's
        // error (a reset) is known here and the right status is reported.
        onChannelClosed();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Frame frame) {
                liveness.received();
                onFrame(frame);
            }
            // HTTP leftovers of the handshake (an empty last content) are dropped.
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        liveness.readComplete();
        maybeRead();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (channel.isWritable()) {
            outbound.onWritable();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable t = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (t instanceof ProtocolViolation violation) {
            failWith(violation);
        } else if (t instanceof IOException) {
            log.debug("transport error on {}", channel, t);
            fail(Ending.abnormal(Ending.lost(t)), 0);
        } else {
            fail(Ending.failure(CloseStatus.INTERNAL_ERROR, "internal error: " + t, WebErrorStatus.UNKNOWN, t),
                    CloseStatus.INTERNAL_ERROR);
        }
    }

    // ---- frames ----

    private void onFrame(Frame frame) {
        switch (frame.opcode) {
            case TEXT:
            case BINARY:
                onData(frame);
                break;
            case PING:
                if (state.sending()) {
                    outbound.pong(frame.content().retain());
                }
                break;
            case CLOSE:
                onClose(new CloseStatus(FrameDecoder.closeCode(frame.content()),
                        FrameDecoder.closeReason(frame.content()), true));
                break;
            case PONG:
                liveness.pong(frame.content());
                break;
            default:
                // The decoder passes no other opcode.
                break;
        }
    }

    private void onData(Frame piece) {
        ConnectionState s = state;
        if (s != ConnectionState.OPEN && s != ConnectionState.CLOSE_QUEUED && s != ConnectionState.CLOSE_SENT) {
            // RFC 6455 §5.5.1: data after the server's Close (or after failing) is discarded.
            return;
        }
        if (piece.fin) {
            traffic.messageReceived();
        }
        try {
            if (inflation != null) {
                inflation.add(piece);
            } else {
                deliver(piece);
            }
        } catch (ProtocolViolation e) {
            failWith(e);
        }
    }

    /** Hands data, inflated if it was compressed, to the inbound side. */
    private void deliver(Frame piece) {
        bytesReceived += piece.content().readableBytes();
        inbound.onData(piece);
    }

    /** The inbound side ends (after what waits to be inflated, unless with an error). */
    private void endInbound(Throwable error) {
        if (inflation == null) {
            inbound.terminate(error);
        } else {
            inflation.end(inbound, error);
        }
    }

    private void onClose(CloseStatus status) {
        if (state == ConnectionState.CLOSE_SENT) {
            // The answer to ours: the closing handshake is done.
            ending = Ending.answered(status);
            enter(ConnectionState.CLOSE_RECEIVED);
            endInbound(null);
            channel.close();
        } else if (state.sending()) {
            ending = Ending.closedBy(status);
            enter(ConnectionState.CLOSE_RECEIVED);
            outbound.terminate(new WebSocketException(WebErrorStatus.CLOSED,
                    "the server closed the connection (" + status.code() + describe(status.reason()) + ")"));
            // Answered with its code (RFC 6455 §5.5.1), then TCP closes.
            outbound.closeNow(WebSocketProtocol.closeFrame(channel.alloc(), status.code(), ""));
            armCloseTimer();
            endInbound(null);
        }
        // Else a Close after failing, or a second one: the connection is going anyway.
    }

    // ---- closing and failing ----

    private void startClose(int code, String reason) {
        if (state != ConnectionState.OPEN) {
            // Closing or closed already: this call shares the first one's outcome.
            return;
        }
        enter(ConnectionState.CLOSE_QUEUED);
        liveness.closing();
        // Bounds the whole close, also the wait for a message in flight whose publisher stalls.
        armCloseTimer();
        outbound.close(WebSocketProtocol.closeFrame(channel.alloc(), code, reason));
    }

    @Override
    public void closeSent() {
        if (state != ConnectionState.CLOSE_QUEUED) {
            // The Close's write failed at once (the socket had just closed, and Netty tells of
            // that in a later task): the connection failed, and that is its ending.
            return;
        }
        enter(ConnectionState.CLOSE_SENT);
        inbound.closing();
        maybeRead();
    }

    @Override
    public void messageAborted(String reason, Throwable cause) {
        fail(Ending.failure(CloseStatus.INTERNAL_ERROR, reason, WebErrorStatus.CLOSED, cause), CloseStatus.INTERNAL_ERROR);
    }

    @Override
    public void sendTimedOut(WebSocketException timeout) {
        // The socket is stuck: no Close could be written; TCP is closed at once.
        fail(Ending.abnormal(timeout), 0);
    }

    @Override
    public void keepAliveTimedOut(WebSocketException timeout) {
        fail(Ending.failed(CloseStatus.INTERNAL_ERROR, "keep-alive timeout", timeout), CloseStatus.INTERNAL_ERROR);
    }

    @Override
    public boolean readsPaused() {
        return !autoRead;
    }

    @Override
    public long dataBytes() {
        return outbound.bytesSent() + bytesReceived;
    }

    @Override
    public void idleTimedOut(String reason) {
        startClose(CloseStatus.GOING_AWAY, reason);
    }

    @Override
    public WebSocketException writeFailed(Throwable cause) {
        // A write fails with ClosedChannelException when the channel closed with no failure before
        // it: Netty closes it on reading the end of the stream, so the server closed TCP without a
        // Close frame, as onChannelClosed reports it (the library's own closes decide the ending first).
        fail(Ending.abnormal(cause instanceof ClosedChannelException
                ? new WebSocketException(WebErrorStatus.CONNECTION_ABORTED, "the server closed TCP without a Close frame", cause)
                : Ending.lost(cause)), 0);
        return ending.error() != null ? ending.error() : new WebSocketException(WebErrorStatus.CLOSED,
                "the message could not be written: the connection ended", cause);
    }

    private void failWith(ProtocolViolation violation) {
        int code = violation.closeCode();
        fail(Ending.failure(code, violation.getMessage(), violation.status(), violation), code);
    }

    /**
     * The one failure path (RFC 6455 §7.1.7): the first ending wins. Both directions end with its
     * error; a Close frame with {@code closeCode} is sent if none was (0: none, TCP is closed at
     * once), and TCP is closed once it is written or the close timer fires.
     */
    private void fail(Ending failure, int closeCode) {
        if (!state.sending() && state != ConnectionState.CLOSE_SENT) {
            // Ended already: only make sure TCP goes.
            if (closeCode == 0) {
                channel.close();
            }
            return;
        }
        boolean sendClose = closeCode != 0 && state.sending();
        ending = failure;
        enter(ConnectionState.FAILED);
        liveness.terminate(failure.error());
        outbound.terminate(failure.error());
        endInbound(failure.error());
        if (sendClose) {
            outbound.closeNow(WebSocketProtocol.closeFrame(channel.alloc(), closeCode, failure.status().reason()));
            armCloseTimer();
        } else {
            channel.close();
        }
    }

    private void armCloseTimer() {
        if (closeTimer == null) {
            closeTimer = channel.eventLoop().schedule(this::closeTimedOut, config.closeTimeout().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
    }

    private void closeTimedOut() {
        if (!channel.isActive()) {
            return;
        }
        log.debug("closing handshake of {} not finished in time; closing TCP", channel);
        fail(Ending.abnormal(new WebSocketException(WebErrorStatus.TIMEOUT, (state == ConnectionState.CLOSE_SENT
                ? "the server did not answer the Close frame within "
                : "the message in flight did not finish, so no Close frame could be sent, within ")
                + config.closeTimeout().toMillis() + " ms (closeTimeout); TCP was closed")), 0);
        channel.close();
    }

    private void onChannelClosed() {
        if (state == ConnectionState.CLOSED) {
            return;
        }
        enter(ConnectionState.CLOSED);
        if (closeTimer != null) {
            closeTimer.cancel(false);
        }
        if (ending == null) {
            ending = Ending.abnormal(new WebSocketException(WebErrorStatus.CONNECTION_ABORTED,
                    "the server closed TCP without a Close frame"));
        }
        WebSocketException error = ending.error();
        WebSocketException closedError = error != null ? error : new WebSocketException(WebErrorStatus.CLOSED, "the connection is closed");
        liveness.terminate(closedError);
        traffic.stop();
        outbound.terminate(closedError);
        endInbound(error);
        closed.tryEmitValue(ending.status());
    }

    /** Moves to {@code next}; a move the state diagram does not have is a bug, and throws. */
    private void enter(ConnectionState next) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("connection " + channel + ": illegal transition " + state + " -> " + next);
        }
        state = next;
    }

    // ---- reads ----

    /**
     * Reads the socket while the inbound side has room in its budget, whatever its subscribers
     * requested (so the server's Pings, Pongs and Close are read while it has), or drops what
     * arrives; stops when it has no room: auto-read on or off, changed only when that changes.
     * Netty's read loop checks auto-read before each socket read; turned off from inside a read as
     * soon as the budget is full, it stops the loop there: at most one read (64 KiB) goes past the
     * budget.
     */
    private void maybeRead() {
        if (ctx == null) {
            return;
        }
        if (inflation != null && !resumeInflation()) {
            return;
        }
        boolean wanted = state != ConnectionState.CLOSED && state != ConnectionState.CLOSE_RECEIVED
                && (inbound.wantsRead() && (inflation == null || !inflation.holds())
                // Failing: what arrives is dropped anyway; reading lets TCP's end be seen.
                || state == ConnectionState.FAILED);
        if (wanted != autoRead) {
            autoRead = wanted;
            // Stopped with the connection open: paused by backpressure (closing reads stop for good).
            traffic.readsPaused(!wanted && state != ConnectionState.CLOSED && state != ConnectionState.CLOSE_RECEIVED);
            // Turning it on also starts a read.
            channel.config().setAutoRead(wanted);
        }
    }

    /** Inflates what waits while the inbound side has room; false if that failed the connection. */
    private boolean resumeInflation() {
        try {
            inflation.resume();
            return true;
        } catch (ProtocolViolation e) {
            failWith(e);
            return false;
        }
    }

    private static String describe(String reason) {
        return reason.isEmpty() ? "" : ", \"" + reason + "\"";
    }

    @Override
    public String toString() {
        return "WebSocketConnection[" + channel + "]";
    }
}
