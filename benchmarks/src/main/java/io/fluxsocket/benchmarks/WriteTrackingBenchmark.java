package io.fluxsocket.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How a connection learns that each frame's write completed, three ways side by side; Netty only, no
 * library class. The library needs that signal to count the bytes in flight against its outbound
 * budget and to complete a {@code send} when its last frame is written.
 * <ul>
 *   <li>{@code per-write-promise}: a promise per frame write, a small subclass of
 *       {@link DefaultChannelPromise} carrying the frame's size and tag, with one
 *       {@link ChannelFutureListener} instance per connection added to each (so a handler that adds
 *       its own listener to a write's promise keeps working).</li>
 *   <li>{@code per-write-direct}: a promise per frame write as above, which tells the connection of
 *       its completion itself, from the methods that complete it ({@link DirectFramePromise}: no
 *       listener of the connection's, no listener notification); other handlers may still add
 *       listeners and wait. Tried by the redesign of the outbound side, and left for the next one.</li>
 *   <li>{@code shared-promise}: one hand-written {@link ChannelPromise} for every write of the
 *       connection, told of each completion in order ({@link SharedWrites}: a copy of the essential
 *       logic of the library's {@code FrameWrites} as of commit {@code 4059ced}; the library's
 *       current one also serves listeners that handlers add while a write passes them).</li>
 * </ul>
 *
 * <p>One operation is one frame: an invocation writes {@value #FRAMES} frames of {@code payload}
 * bytes, already encoded (masked client frames, {@link FluxsocketMasking}), each written as a
 * retained duplicate of one of 256 pooled direct buffers, with a flush after every
 * {@code flushEvery} writes, and waits until every write completed; ops/s is frames/s and
 * {@code gc.alloc.rate.norm} is bytes per frame. The writes are made on the event loop the way the
 * library's framer makes them: from the context of the last handler, through one outbound handler
 * that forwards them (where the library's frame encoder sits), while the bytes in flight (written,
 * not completed, counted by the completions being measured) are under the library's default budget
 * of 1 MiB; completions that come later (the socket was full) schedule the next batch. Each
 * completion does what the library's does: in-flight bytes down, bytes sent up (a release store),
 * a message completed when the frame carries a tag (every frame here: small messages).
 *
 * <p>{@code transport=socket}: a real loopback connection (epoll when available, as the library
 * through Reactor Netty, else NIO; {@code nio} and {@code epoll} can be asked for by name) to
 * {@link BenchServer}'s {@code /upload} route in its own JVM, which parses the frames and discards
 * them. Completions happen inside the flush that wrote the bytes, or on the socket's next writable
 * event. {@code transport=embedded}: an {@link EmbeddedChannel}, whose flush completes every write
 * at once (and whose queue of written buffers is emptied after each flush): no system calls, so the
 * tracking's own cost is a larger share. It is driven from a thread of Netty's
 * {@link DefaultThreadFactory} (a {@code FastThreadLocalThread}, as an event loop's is): driven from
 * the JMH thread, Netty 4.2's recycler made its pooled objects (the duplicates, the outbound
 * buffer's entries) anew, about 80 B more per frame.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// Leak detection off: its sampled stack traces (one buffer in 128) are the same for both ways and
// would be most of the allocation per frame.
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dio.netty.leakDetection.level=disabled"})
@State(Scope.Benchmark)
public class WriteTrackingBenchmark {

    /** Frames per invocation (a multiple of every {@code flushEvery}). */
    static final int FRAMES = 65536;
    /** The library's default {@code outboundBufferBytes}. */
    static final long BUDGET = 1 << 20;
    /** Distinct encoded frames, written in turn as retained duplicates (a power of two). */
    private static final int DISTINCT = 256;

    @Param({"per-write-promise", "per-write-direct", "shared-promise"})
    public String tracking;

    /** Payload bytes per frame. */
    @Param({"64", "1024"})
    public int payload;

    /** Frames written between two flushes. */
    @Param({"64", "1024"})
    public int flushEvery;

    @Param({"socket", "embedded"})
    public String transport;

    private ServerProcess server;
    private EventLoopGroup group;
    private Channel channel;
    private EmbeddedChannel embedded;
    /** The embedded channel's thread: a {@code FastThreadLocalThread}, as an event loop's. */
    private ExecutorService embeddedThread;
    private Runnable embeddedOp;
    private Driver driver;
    private final ByteBuf[] frames = new ByteBuf[DISTINCT];

    @Setup
    public void setUp() throws Exception {
        if (FRAMES % flushEvery != 0) {
            throw new IllegalArgumentException("flushEvery must divide " + FRAMES);
        }
        SplittableRandom random = new SplittableRandom(11);
        byte[] bytes = new byte[payload];
        for (int i = 0; i < DISTINCT; i++) {
            random.nextBytes(bytes);
            frames[i] = FluxsocketMasking.encode(PooledByteBufAllocator.DEFAULT,
                    new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)), random.nextInt());
        }
        driver = new Driver(frames, payload, flushEvery);
        if (transport.equals("embedded")) {
            embeddedThread = Executors.newSingleThreadExecutor(new DefaultThreadFactory("embedded-writer", true));
            embedded = embeddedThread.submit(() -> new EmbeddedChannel(new PassThrough(), driver)).get();
            driver.afterFlush = () -> {
                for (Object m; (m = embedded.readOutbound()) != null; ) {
                    ReferenceCountUtil.release(m);
                }
            };
            embeddedOp = () -> {
                driver.start();
                embedded.runPendingTasks();
            };
        } else {
            boolean epoll = transport.equals("epoll") || (transport.equals("socket") && Epoll.isAvailable());
            if (!epoll && !transport.equals("nio") && !transport.equals("socket")) {
                throw new IllegalArgumentException("transport: socket, epoll, nio or embedded, not " + transport);
            }
            server = new ServerProcess();
            URI uri = server.uri("/upload?bytes=" + Long.MAX_VALUE);
            group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
            Handshake handshake = new Handshake(uri);
            channel = new Bootstrap().group(group)
                    .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(handshake, new PassThrough(), driver);
                        }
                    })
                    .connect(uri.getHost(), uri.getPort()).sync().channel();
            handshake.done.get(10, TimeUnit.SECONDS);
        }
        driver.writes = tracking.equals("per-write-promise") ? new PerWritePromises(driver)
                : tracking.equals("per-write-direct") ? new DirectWritePromises(driver)
                : tracking.equals("shared-promise") ? new SharedWrites(driver.ctx.channel(), driver)
                : null;
        if (driver.writes == null) {
            throw new IllegalArgumentException("tracking: per-write-promise, per-write-direct or shared-promise, not "
                    + tracking);
        }
    }

    @TearDown
    public void tearDown() throws Exception {
        if (embedded != null) {
            embeddedThread.submit(() -> embedded.finishAndReleaseAll()).get();
            embeddedThread.shutdown();
        }
        if (channel != null) {
            channel.close().sync();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        if (server != null) {
            server.close();
        }
        for (ByteBuf f : frames) {
            f.release();
        }
    }

    /** Writes {@value #FRAMES} frames, flushing every {@code flushEvery}, and waits for every completion. */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long write() throws Exception {
        if (embedded != null) {
            embeddedThread.submit(embeddedOp).get(60, TimeUnit.SECONDS);
        } else {
            driver.waiter = Thread.currentThread();
            driver.done = false;
            driver.ctx.executor().execute(driver.startTask);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!driver.done) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("writes did not complete in 60 s: " + driver);
                }
            }
        }
        return driver.check();
    }

    /** Told of each frame's completed write (the library's framer's callback). */
    interface Listener {
        /**
         * @param tag   what the write was given with the frame
         * @param size  the frame's payload bytes
         * @param cause null if the frame was written to the socket, else why not
         */
        void frameWritten(Object tag, int size, Throwable cause);
    }

    /** One way of writing a frame and being told of its completion. */
    interface Writes {
        void write(ChannelHandlerContext ctx, Object frame, int size, Object tag);
    }

    /**
     * The last handler: writes the frames from its context while the bytes in flight are under
     * {@link #BUDGET}, and is told of their completions.
     */
    static final class Driver extends ChannelDuplexHandler implements Listener {
        private static final VarHandle BYTES_SENT;

        static {
            try {
                BYTES_SENT = MethodHandles.lookup().findVarHandle(Driver.class, "bytesSent", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final ByteBuf[] frames;
        private final int size;
        private final int flushEvery;
        /** A message object per frame slot: every frame is the last (and only) frame of its message. */
        private final Object[] tags = new Object[DISTINCT];
        final Runnable startTask = this::start;
        private final Runnable driveTask = this::drive;
        Runnable afterFlush = () -> { };
        Writes writes;
        ChannelHandlerContext ctx;
        volatile Thread waiter;
        volatile boolean done;

        private int next;
        private int remaining;
        private long inFlight;
        private boolean driving;
        private boolean driveScheduled;
        private int framesCompleted;
        private int messagesCompleted;
        private Throwable failure;
        private volatile long bytesSent;

        Driver(ByteBuf[] frames, int size, int flushEvery) {
            this.frames = frames;
            this.size = size;
            this.flushEvery = flushEvery;
            for (int i = 0; i < DISTINCT; i++) {
                tags[i] = new Object();
            }
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        /** On the event loop: one invocation's frames. */
        void start() {
            remaining = FRAMES;
            framesCompleted = 0;
            messagesCompleted = 0;
            failure = null;
            drive();
        }

        private void drive() {
            driveScheduled = false;
            driving = true;
            try {
                while (remaining > 0 && inFlight < BUDGET && failure == null) {
                    for (int i = 0; i < flushEvery; i++) {
                        int slot = next++ & (DISTINCT - 1);
                        inFlight += size;
                        remaining--;
                        writes.write(ctx, frames[slot].retainedDuplicate(), size, tags[slot]);
                    }
                    ctx.flush();
                    afterFlush.run();
                }
            } finally {
                driving = false;
            }
            maybeDone();
        }

        @Override
        public void frameWritten(Object tag, int size, Throwable cause) {
            inFlight -= size;
            if (cause == null) {
                BYTES_SENT.setRelease(this, bytesSent + size);
                framesCompleted++;
                if (tag != null) {
                    messagesCompleted++;
                }
            } else if (failure == null) {
                failure = cause;
            }
            if (driving) {
                return;
            }
            if (remaining > 0 && inFlight < BUDGET && failure == null) {
                if (!driveScheduled) {
                    driveScheduled = true;
                    ctx.executor().execute(driveTask);
                }
            } else {
                maybeDone();
            }
        }

        private void maybeDone() {
            if ((remaining == 0 || failure != null) && inFlight == 0 && !done) {
                done = true;
                Thread w = waiter;
                if (w != null) {
                    LockSupport.unpark(w);
                }
            }
        }

        /** After an invocation: every frame completed, successfully. */
        long check() {
            if (failure != null) {
                throw new IllegalStateException("a write failed", failure);
            }
            if (framesCompleted != FRAMES || messagesCompleted != FRAMES || inFlight != 0) {
                throw new IllegalStateException(this.toString());
            }
            done = false;
            return bytesSent;
        }

        @Override
        public String toString() {
            return "Driver(remaining " + remaining + ", in flight " + inFlight + " B, completed "
                    + framesCompleted + " frames, " + messagesCompleted + " messages, failure " + failure + ")";
        }
    }

    /**
     * An outbound handler that forwards every write, where the library's frame encoder sits (a
     * {@code write} of its own, so that Netty does not skip it).
     */
    static final class PassThrough extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ctx.write(msg, promise);
        }
    }

    /** (a) A promise per write carrying the frame's size and tag; one listener per connection. */
    static final class PerWritePromises implements Writes, ChannelFutureListener {
        private final Listener listener;

        PerWritePromises(Listener listener) {
            this.listener = listener;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object frame, int size, Object tag) {
            FramePromise p = new FramePromise(ctx.channel(), ctx.executor(), size, tag);
            p.addListener(this);
            ctx.write(frame, p);
        }

        @Override
        public void operationComplete(ChannelFuture future) {
            FramePromise p = (FramePromise) future;
            listener.frameWritten(p.tag, p.size, future.cause());
        }
    }

    static final class FramePromise extends DefaultChannelPromise {
        final int size;
        final Object tag;

        FramePromise(Channel channel, EventExecutor executor, int size, Object tag) {
            super(channel, executor);
            this.size = size;
            this.tag = tag;
        }
    }

    /** (c) A promise per write that tells the connection of its completion itself, without a listener. */
    static final class DirectWritePromises implements Writes {
        private final Listener listener;

        DirectWritePromises(Listener listener) {
            this.listener = listener;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object frame, int size, Object tag) {
            ctx.write(frame, new DirectFramePromise(ctx.channel(), ctx.executor(), size, tag, listener));
        }
    }

    static final class DirectFramePromise extends DefaultChannelPromise {
        final int size;
        final Object tag;
        final Listener listener;

        DirectFramePromise(Channel channel, EventExecutor executor, int size, Object tag, Listener listener) {
            super(channel, executor);
            this.size = size;
            this.tag = tag;
            this.listener = listener;
        }

        @Override
        public boolean trySuccess(Void result) {
            if (!super.trySuccess(result)) {
                return false;
            }
            listener.frameWritten(tag, size, null);
            return true;
        }

        @Override
        public ChannelPromise setSuccess(Void result) {
            super.setSuccess(result);
            listener.frameWritten(tag, size, null);
            return this;
        }

        @Override
        public boolean tryFailure(Throwable cause) {
            if (!super.tryFailure(cause)) {
                return false;
            }
            listener.frameWritten(tag, size, cause);
            return true;
        }

        @Override
        public ChannelPromise setFailure(Throwable cause) {
            super.setFailure(cause);
            listener.frameWritten(tag, size, cause);
            return this;
        }
    }

    /**
     * (b) The one promise of every frame write of a connection: a copy of the essential logic of
     * the library's {@code FrameWrites} ({@code src/main/java/io/fluxsocket/internal/FrameWrites.java}
     * at commit {@code 4059ced}). Netty completes the writes that reached the channel's outbound
     * buffer in the order they were written; so each completion is the oldest frame's, except one
     * that comes while {@link #write} is on the stack (the write failed before it reached that
     * buffer), which is the newest frame's. Never done, no listeners, no waiters; event loop only.
     */
    static final class SharedWrites implements Writes, ChannelPromise {
        private static final int INITIAL = 8;

        private final Channel channel;
        private final Listener listener;
        private int[] sizes = new int[INITIAL];
        private Object[] tags = new Object[INITIAL];
        private int head;
        private int count;
        private boolean writing;

        SharedWrites(Channel channel, Listener listener) {
            this.channel = channel;
            this.listener = listener;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object frame, int size, Object tag) {
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
                return;
            }
            int mask = sizes.length - 1;
            int i;
            if (writing) {
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
    }

    /**
     * The opening handshake by hand (the route answers nothing else until the connection closes):
     * the request written, the response read to its blank line and checked for 101, then removed.
     */
    static final class Handshake extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        private final URI uri;
        private final StringBuilder response = new StringBuilder();

        Handshake(URI uri) {
            this.uri = uri;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            String req = "GET " + uri.getRawPath() + "?" + uri.getRawQuery() + " HTTP/1.1\r\n"
                    + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
            ctx.writeAndFlush(Unpooled.copiedBuffer(req, StandardCharsets.US_ASCII));
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                response.append(in.toString(StandardCharsets.US_ASCII));
            } finally {
                in.release();
            }
            int end = response.indexOf("\r\n\r\n");
            if (end < 0) {
                return;
            }
            if (response.indexOf("HTTP/1.1 101") != 0 || end + 4 != response.length()) {
                done.completeExceptionally(new IllegalStateException("handshake: " + response));
                ctx.close();
                return;
            }
            ctx.pipeline().remove(this);
            done.complete(null);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.completeExceptionally(new IllegalStateException("closed during the handshake: " + response));
            ctx.fireChannelInactive();
        }
    }
}
