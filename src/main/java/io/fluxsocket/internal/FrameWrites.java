package io.fluxsocket.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;

import java.util.concurrent.TimeUnit;

/**
 * The one promise of every data frame a connection writes, which tells its {@link Listener} of
 * each write's completion in turn: no promise, listener or notification machinery per frame (the
 * way Reactor Netty's {@code MonoSendMany} is its own promise).
 *
 * <p>Netty completes the writes that reach the channel's outbound buffer in the order they were
 * written, succeeded or failed; so each completion is the oldest frame's. A write that fails (or
 * succeeds) while {@link #write} is still on the stack, before it reached that buffer (the channel
 * closed, an encoder failed), is the newest frame's, and is told as such.
 *
 * <p>It is never done, cannot be cancelled, and takes no listeners and no waiters: Netty's
 * handlers only complete a write's promise. Confined to the event loop.
 */
final class FrameWrites implements ChannelPromise {

    /** Told of each frame's write, on the event loop. */
    interface Listener {

        /**
         * @param tag   what {@link #write} was given with the frame
         * @param size  the frame's payload bytes
         * @param cause null if the frame was written to the socket, else why not
         */
        void frameWritten(Object tag, int size, Throwable cause);
    }

    /** Ring slots at first (a power of two); an idle connection keeps them. */
    private static final int INITIAL = 8;

    private final Channel channel;
    private final Listener listener;
    /** The frames written and not completed, oldest at {@link #head}: their sizes and tags (a ring). */
    private int[] sizes = new int[INITIAL];
    private Object[] tags = new Object[INITIAL];
    private int head;
    private int count;
    /**
     * A {@link #write} is on the stack and its frame's completion has not come: a completion now is
     * its frame's. Writes never nest: they all come from the framer's drain, which does not re-enter.
     */
    private boolean writing;

    FrameWrites(Channel channel, Listener listener) {
        this.channel = channel;
        this.listener = listener;
    }

    /** Writes a frame through {@code ctx} with this promise; its completion will be told with {@code tag}. */
    void write(ChannelHandlerContext ctx, Object frame, int size, Object tag) {
        if (count == sizes.length) {
            grow();
        }
        int tail = (head + count) & (sizes.length - 1);
        sizes[tail] = size;
        tags[tail] = tag;
        count++;
        writing = true;
        try {
            ctx.write(frame, this);
        } finally {
            writing = false;
        }
    }

    /** Frames written and not completed. */
    int pending() {
        return count;
    }

    private void grow() {
        int n = sizes.length;
        int[] s = new int[2 * n];
        Object[] t = new Object[2 * n];
        for (int i = 0; i < n; i++) {
            s[i] = sizes[(head + i) & (n - 1)];
            t[i] = tags[(head + i) & (n - 1)];
        }
        sizes = s;
        tags = t;
        head = 0;
    }

    private void complete(Throwable cause) {
        if (count == 0) {
            // Not a write of this promise's: nothing to tell.
            return;
        }
        int mask = sizes.length - 1;
        int i;
        if (writing) {
            // The frame being written failed before it reached the outbound buffer; what follows
            // (the channel closing fails the older frames) is the older frames', oldest first.
            writing = false;
            i = (head + count - 1) & mask;
        } else {
            i = head;
            head = (head + 1) & mask;
        }
        int size = sizes[i];
        Object tag = tags[i];
        tags[i] = null;
        count--;
        listener.frameWritten(tag, size, cause);
    }

    // ---- what Netty's handlers call ----

    @Override
    public boolean trySuccess() {
        complete(null);
        return true;
    }

    @Override
    public boolean trySuccess(Void result) {
        complete(null);
        return true;
    }

    @Override
    public boolean tryFailure(Throwable cause) {
        complete(cause);
        return true;
    }

    @Override
    public ChannelPromise setSuccess(Void result) {
        complete(null);
        return this;
    }

    @Override
    public ChannelPromise setSuccess() {
        complete(null);
        return this;
    }

    @Override
    public ChannelPromise setFailure(Throwable cause) {
        complete(cause);
        return this;
    }

    @Override
    public boolean setUncancellable() {
        return true;
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public boolean isVoid() {
        return false;
    }

    @Override
    public ChannelPromise unvoid() {
        return this;
    }

    @Override
    public boolean isDone() {
        return false;
    }

    @Override
    public boolean isSuccess() {
        return false;
    }

    @Override
    public boolean isCancellable() {
        return false;
    }

    @Override
    public boolean isCancelled() {
        return false;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return false;
    }

    @Override
    public Throwable cause() {
        return null;
    }

    @Override
    public Void getNow() {
        return null;
    }

    // ---- not supported: nobody may listen to or wait for a shared promise ----

    @Override
    public ChannelPromise addListener(GenericFutureListener<? extends Future<? super Void>> listener) {
        throw new UnsupportedOperationException("a frame write's promise takes no listener");
    }

    @Override
    @SafeVarargs
    @SuppressWarnings("varargs")
    public final ChannelPromise addListeners(GenericFutureListener<? extends Future<? super Void>>... listeners) {
        throw new UnsupportedOperationException("a frame write's promise takes no listener");
    }

    @Override
    public ChannelPromise removeListener(GenericFutureListener<? extends Future<? super Void>> listener) {
        return this;
    }

    @Override
    @SafeVarargs
    @SuppressWarnings("varargs")
    public final ChannelPromise removeListeners(GenericFutureListener<? extends Future<? super Void>>... listeners) {
        return this;
    }

    @Override
    public ChannelPromise sync() {
        throw new UnsupportedOperationException("a frame write's promise cannot be waited for");
    }

    @Override
    public ChannelPromise syncUninterruptibly() {
        throw new UnsupportedOperationException("a frame write's promise cannot be waited for");
    }

    @Override
    public ChannelPromise await() {
        throw new UnsupportedOperationException("a frame write's promise cannot be waited for");
    }

    @Override
    public ChannelPromise awaitUninterruptibly() {
        throw new UnsupportedOperationException("a frame write's promise cannot be waited for");
    }

    @Override
    public boolean await(long timeout, TimeUnit unit) {
        throw new UnsupportedOperationException("a frame write's promise cannot be waited for");
    }

    @Override
    public boolean await(long timeoutMillis) {
        throw new UnsupportedOperationException("a frame write's promise cannot be waited for");
    }

    @Override
    public boolean awaitUninterruptibly(long timeout, TimeUnit unit) {
        throw new UnsupportedOperationException("a frame write's promise cannot be waited for");
    }

    @Override
    public boolean awaitUninterruptibly(long timeoutMillis) {
        throw new UnsupportedOperationException("a frame write's promise cannot be waited for");
    }

    @Override
    public Void get() {
        throw new UnsupportedOperationException("a frame write's promise cannot be waited for");
    }

    @Override
    public Void get(long timeout, TimeUnit unit) {
        throw new UnsupportedOperationException("a frame write's promise cannot be waited for");
    }

    @Override
    public String toString() {
        return "FrameWrites(" + channel + ", " + count + " pending)";
    }
}
