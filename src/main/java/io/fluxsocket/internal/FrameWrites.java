package io.fluxsocket.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * The one promise of every frame a connection writes, which tells its {@link Listener} of each
 * write's completion in turn: no promise object per frame (what that costs is in
 * {@code WriteTrackingBenchmark} and the redesign's note).
 *
 * <p>Netty completes the writes that reached the channel's outbound buffer in the order they were
 * written, succeeded or failed, and so do handlers that queue writes (TLS, proxies): each
 * completion is the oldest frame's. A completion while {@link #write} is still on the stack, before
 * the frame reached that buffer (the channel closed, an encoder failed), is the newest frame's.
 *
 * <p>Handlers may add listeners to a write's promise while the write passes through them, as
 * {@code WriteTimeoutHandler} and Netty's promise notifiers do: such a listener belongs to the frame
 * being written, and is told of that frame's outcome with a future of its own. A listener added at
 * any other time cannot be matched to a write and is refused ({@link IllegalStateException}); the
 * promise is never done as a whole, cannot be cancelled, and cannot be waited for. Confined to the
 * event loop.
 */
final class FrameWrites implements ChannelPromise {

    private static final Logger log = Loggers.getLogger(FrameWrites.class);

    /** Told of each frame's write, on the event loop. */
    interface Listener {

        /**
         * @param tag   what {@link #write} was given with the frame
         * @param size  what {@link #write} was given as the frame's size
         * @param cause null if the frame was written to the socket, else why not
         */
        void frameWritten(Object tag, int size, Throwable cause);
    }

    /** Ring slots at first (a power of two); an idle connection keeps them. */
    private static final int INITIAL = 8;

    private final Channel channel;
    private final Listener listener;
    /** The frames written and not completed, oldest at {@link #head}: their sizes, tags and listeners (a ring). */
    private int[] sizes = new int[INITIAL];
    private Object[] tags = new Object[INITIAL];
    /** Other handlers' listeners of each frame, or null (most frames have none). */
    private Object[] listeners;
    private int head;
    private int count;
    /** A {@link #write} is on the stack and its frame's completion has not come: it is the newest frame's. */
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
        Object[] l = listeners == null ? null : new Object[2 * n];
        for (int i = 0; i < n; i++) {
            int from = (head + i) & (n - 1);
            s[i] = sizes[from];
            t[i] = tags[from];
            if (l != null) {
                l[i] = listeners[from];
            }
        }
        sizes = s;
        tags = t;
        listeners = l;
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
            // The frame being written failed (or succeeded) before it reached the outbound buffer.
            writing = false;
            i = (head + count - 1) & mask;
        } else {
            i = head;
            head = (head + 1) & mask;
        }
        int size = sizes[i];
        Object tag = tags[i];
        tags[i] = null;
        Object others = null;
        if (listeners != null) {
            others = listeners[i];
            listeners[i] = null;
        }
        count--;
        listener.frameWritten(tag, size, cause);
        if (others != null) {
            notifyOthers(others, cause);
        }
    }

    /** Tells the listeners other handlers added to one frame's write, with a future of its outcome. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void notifyOthers(Object others, Throwable cause) {
        ChannelFuture outcome = cause == null ? channel.newSucceededFuture() : channel.newFailedFuture(cause);
        List<GenericFutureListener> all = others instanceof List ? (List<GenericFutureListener>) others
                : List.of((GenericFutureListener) others);
        for (GenericFutureListener l : all) {
            try {
                l.operationComplete(outcome);
            } catch (Throwable t) {
                // As Netty's own promises do: a listener's failure does not stop the others.
                log.warn("a write listener of {} failed", channel, t);
            }
        }
    }

    // ---- what Netty's handlers call ----

    @Override
    public ChannelPromise addListener(GenericFutureListener<? extends Future<? super Void>> l) {
        if (!writing) {
            throw new IllegalStateException("a frame write's promise takes listeners only while its write passes"
                    + " through the handler that adds them");
        }
        if (listeners == null) {
            listeners = new Object[sizes.length];
        }
        int i = (head + count - 1) & (sizes.length - 1);
        Object existing = listeners[i];
        if (existing == null) {
            listeners[i] = l;
        } else if (existing instanceof List) {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) existing;
            list.add(l);
        } else {
            List<Object> list = new ArrayList<>(2);
            list.add(existing);
            list.add(l);
            listeners[i] = list;
        }
        return this;
    }

    @Override
    @SafeVarargs
    @SuppressWarnings("varargs")
    public final ChannelPromise addListeners(GenericFutureListener<? extends Future<? super Void>>... ls) {
        for (GenericFutureListener<? extends Future<? super Void>> l : ls) {
            addListener(l);
        }
        return this;
    }

    @Override
    public ChannelPromise removeListener(GenericFutureListener<? extends Future<? super Void>> l) {
        if (writing && listeners != null) {
            int i = (head + count - 1) & (sizes.length - 1);
            Object existing = listeners[i];
            if (existing == l) {
                listeners[i] = null;
            } else if (existing instanceof List<?> list) {
                list.remove(l);
            }
        }
        return this;
    }

    @Override
    @SafeVarargs
    @SuppressWarnings("varargs")
    public final ChannelPromise removeListeners(GenericFutureListener<? extends Future<? super Void>>... ls) {
        for (GenericFutureListener<? extends Future<? super Void>> l : ls) {
            removeListener(l);
        }
        return this;
    }

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

    // ---- not supported: a shared promise is never done as a whole ----

    @Override
    public ChannelPromise sync() {
        throw cannotWait();
    }

    @Override
    public ChannelPromise syncUninterruptibly() {
        throw cannotWait();
    }

    @Override
    public ChannelPromise await() {
        throw cannotWait();
    }

    @Override
    public ChannelPromise awaitUninterruptibly() {
        throw cannotWait();
    }

    @Override
    public boolean await(long timeout, TimeUnit unit) {
        throw cannotWait();
    }

    @Override
    public boolean await(long timeoutMillis) {
        throw cannotWait();
    }

    @Override
    public boolean awaitUninterruptibly(long timeout, TimeUnit unit) {
        throw cannotWait();
    }

    @Override
    public boolean awaitUninterruptibly(long timeoutMillis) {
        throw cannotWait();
    }

    @Override
    public Void get() {
        throw cannotWait();
    }

    @Override
    public Void get(long timeout, TimeUnit unit) {
        throw cannotWait();
    }

    private static UnsupportedOperationException cannotWait() {
        return new UnsupportedOperationException("a frame write's promise cannot be waited for; add a listener"
                + " while the write passes through your handler");
    }

    @Override
    public String toString() {
        return "FrameWrites(" + channel + ", " + count + " pending)";
    }
}
