package io.fluxsocket.testing.fault;

import io.fluxsocket.testing.fault.Fault.Direction;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One connection relayed by a {@link FaultProxy}: the client's channel, the channel to the
 * server, a {@link Relay} each way, and what happened (bytes each way, when a terminal fault fired,
 * when both sides were closed). Its counters are read by the test's thread through
 * {@link #snapshot(Direction)}, which asks the event loop.
 */
public final class Link {

    private final Channel client;
    private final Channel server;
    private final Relay upstream;
    private final Relay downstream;
    /** Completed with {@link System#nanoTime()} when a terminal fault took effect. */
    private final CompletableFuture<Long> faulted = new CompletableFuture<>();
    /** Completed when both channels are closed. */
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    /** A FIN fault took effect: each side is closed when it closes, not when the other does (event loop). */
    private boolean finished;

    /** What one direction did, at one moment. */
    public record Counts(long read, long forwarded, long dropped) {
    }

    Link(Channel client, Channel server, Fault[] up, Fault[] down, long seed) {
        this.client = client;
        this.server = server;
        this.upstream = new Relay(Direction.UPSTREAM, this, client, server, up[0], up[1], seed);
        this.downstream = new Relay(Direction.DOWNSTREAM, this, server, client, down[0], down[1], ~seed);
        client.pipeline().addLast("fault.relay", new Side(upstream, downstream));
        server.pipeline().addLast("fault.relay", new Side(downstream, upstream));
        client.closeFuture().addListener(f -> server.closeFuture().addListener(g -> closed.complete(null)));
    }

    void start() {
        upstream.start();
        downstream.start();
    }

    /** Completes with the {@link System#nanoTime()} at which a terminal fault took effect. */
    public CompletableFuture<Long> faulted() {
        return faulted;
    }

    /** Completes when both the client's and the server's channels are closed. */
    public CompletableFuture<Void> closed() {
        return closed;
    }

    /** The counts of one direction now. */
    public Counts snapshot(Direction direction) {
        Relay relay = direction == Direction.UPSTREAM ? upstream : downstream;
        try {
            return client.eventLoop().submit(() -> new Counts(relay.read(), relay.forwarded(), relay.dropped()))
                    .get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("the proxy's event loop did not answer", e);
        }
    }

    /** Waits for both channels to close. */
    public void awaitClosed(Duration timeout) {
        closed.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    /** Resets both sides now. */
    public void reset() {
        client.eventLoop().execute(() -> {
            closeQuietly(client, true);
            closeQuietly(server, true);
        });
    }

    /** Closes both sides now (the test's teardown). */
    void close() {
        client.eventLoop().execute(() -> {
            upstream.stop();
            downstream.stop();
            client.close();
            server.close();
        });
    }

    /** A relay's terminal fault took effect. */
    void faulted(Direction direction, Fault fault) {
        faulted.complete(System.nanoTime());
        switch (fault.kind()) {
            case RESET -> {
                closeQuietly(client, true);
                closeQuietly(server, true);
            }
            case FIN -> {
                finished = true;
                upstream.drainAndDrop();
                downstream.drainAndDrop();
                shutdownOutput(client);
                shutdownOutput(server);
            }
            default -> {
                // STALL: the relay stopped itself; nothing is closed.
            }
        }
    }

    /** Whether a FIN fault took effect: a side's close is then not passed on to the other side. */
    boolean finished() {
        return finished;
    }

    /** Closes the channel, with an RST when {@code reset}. */
    void closeQuietly(Channel channel, boolean reset) {
        if (reset && channel.isOpen()) {
            // SO_LINGER 0: close() sends RST and drops what the kernel still holds.
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
        }
        channel.close();
    }

    private static void shutdownOutput(Channel channel) {
        if (channel.isActive()) {
            ((SocketChannel) channel).shutdownOutput();
        }
    }

    @Override
    public String toString() {
        return "link " + upstream + "; " + downstream;
    }

    /** The handler on one channel: its reads go to {@code out}, its writability to {@code in}. */
    private final class Side extends ChannelInboundHandlerAdapter {

        /** The relay that reads this channel. */
        private final Relay out;
        /** The relay that writes to this channel. */
        private final Relay in;
        /** The channel failed with an I/O error (a reset) before it closed. */
        private boolean failed;

        Side(Relay out, Relay in) {
            this.out = out;
            this.in = in;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            out.onRead((ByteBuf) msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            out.onReadComplete();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            in.onWritable();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            in.stop();
            out.onSourceClosed(failed);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A reset or a broken pipe: the channel closes; the other side learns it as a reset.
            failed = true;
            ctx.close();
        }
    }
}
