package io.fluxsocket.internal;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A handler that stands for a socket that stops taking bytes: it keeps the writes that reach it,
 * and passes them on or fails them, oldest first, when the test says.
 */
final class HeldWrites extends ChannelDuplexHandler {

    /** The writes kept: message and promise (event loop). */
    private final ArrayDeque<Object[]> held = new ArrayDeque<>();
    private ChannelHandlerContext ctx;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        held.add(new Object[] {msg, promise});
    }

    int size() {
        return held.size();
    }

    /** Passes the oldest write on, with its promise. */
    void completeOne() {
        Object[] w = held.poll();
        ctx.writeAndFlush(w[0], (ChannelPromise) w[1]);
    }

    /**
     * Completes every held write in place, as a socket that took the bytes does, without passing it
     * on (an {@code EmbeddedChannel}'s flush runs the event loop's pending tasks too).
     *
     * @return the written messages, oldest first, the caller's to release
     */
    List<Object> succeedAll() {
        List<Object> messages = new ArrayList<>();
        for (Object[] w; (w = held.poll()) != null; ) {
            messages.add(w[0]);
            ((ChannelPromise) w[1]).setSuccess();
        }
        return messages;
    }

    void completeAll() {
        while (!held.isEmpty()) {
            completeOne();
        }
    }

    /** Fails the oldest write with {@code cause}, releasing its message. */
    void failOne(Throwable cause) {
        Object[] w = held.poll();
        ReferenceCountUtil.release(w[0]);
        ((ChannelPromise) w[1]).setFailure(cause);
    }
}
