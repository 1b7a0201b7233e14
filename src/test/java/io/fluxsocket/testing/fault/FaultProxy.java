package io.fluxsocket.testing.fault;

import io.fluxsocket.testing.fault.Fault.Direction;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy of the tests' own, on Netty, that relays every connection it accepts on loopback to
 * one target address and injects {@link Fault}s on the way: latency and jitter, a bandwidth
 * throttle, a drip of one byte at a time, and at a chosen {@link Position} (a byte offset, or a
 * place inside a frame header or payload) a cut with RST or FIN of both sides, or a stall of one
 * direction without closing anything (half-open). Each connection gets the same faults.
 *
 * <p>It never holds more than {@link Relay#QUEUE_LIMIT} bytes per direction and reads a side only
 * while the other is writable, so backpressure passes through it. It counts the bytes it read,
 * forwarded and dropped each way ({@link Link#snapshot}), so a test knows exactly which bytes
 * the faults kept from the other side. One event-loop thread of its own; {@link #close()} resets
 * every connection left and stops it.
 */
public final class FaultProxy implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel listener;
    /** Connections in the order they were accepted (event loop adds, test thread reads). */
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<Link> accepted = new LinkedBlockingQueue<>();

    private FaultProxy(InetSocketAddress target, int receiveBufferBytes, List<Fault> faults, long seed) {
        Fault[] up = faultsOf(faults, Direction.UPSTREAM);
        Fault[] down = faultsOf(faults, Direction.DOWNSTREAM);
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel client) {
                        client.pipeline().addLast("fault.connect", new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                ctx.pipeline().remove(this);
                                connect(client, target, up, down, seed + links.size());
                            }
                        });
                    }
                });
        if (receiveBufferBytes > 0) {
            // Set on the listener so that accepted sockets start with it (and its window scale).
            bootstrap.option(ChannelOption.SO_RCVBUF, receiveBufferBytes);
        }
        this.listener = bootstrap.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .syncUninterruptibly().channel();
    }

    /** Starts a proxy to {@code target} with the faults (at most one timing and one terminal per direction). */
    public static FaultProxy start(InetSocketAddress target, Fault... faults) {
        return new FaultProxy(target, 0, List.of(faults), 42);
    }

    /**
     * Starts a proxy to {@code target} whose sockets accepted from clients have
     * {@code SO_RCVBUF = receiveBufferBytes} (the kernel doubles it; no autotuning then): what the
     * proxy's kernel can hold of a client's bytes that the proxy did not read is bounded.
     */
    public static FaultProxy start(InetSocketAddress target, int receiveBufferBytes, Fault... faults) {
        return new FaultProxy(target, receiveBufferBytes, List.of(faults), 42);
    }

    /** Starts a proxy to {@code 127.0.0.1:port}. */
    public static FaultProxy start(int port, Fault... faults) {
        return start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), faults);
    }

    private static Fault[] faultsOf(List<Fault> faults, Direction direction) {
        Fault[] pair = new Fault[2];
        for (Fault f : faults) {
            if (f.direction() == direction) {
                int i = f.kind().terminal() ? 1 : 0;
                if (pair[i] != null) {
                    throw new IllegalArgumentException("two " + (i == 1 ? "terminal" : "timing") + " faults " + direction);
                }
                pair[i] = f;
            }
        }
        return pair;
    }

    private void connect(Channel client, InetSocketAddress target, Fault[] up, Fault[] down, long seed) {
        ChannelFuture connecting = new Bootstrap()
                .group(client.eventLoop())
                .channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(target);
        connecting.addListener(f -> {
            if (!f.isSuccess() || !client.isActive()) {
                connecting.channel().close();
                client.close();
                return;
            }
            Link link = new Link(client, connecting.channel(), up, down, seed);
            links.add(link);
            accepted.add(link);
            link.start();
        });
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** {@code ws://127.0.0.1:<port><pathAndQuery>}. */
    public URI uri(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + port() + pathAndQuery);
    }

    /** The connections relayed so far, in order. */
    public List<Link> links() {
        return List.copyOf(links);
    }

    /**
     * Waits for the next connection relayed (connected to the target) and returns it.
     *
     * @throws AssertionError if none came within {@code timeout}
     */
    public Link awaitLink(Duration timeout) {
        try {
            Link link = accepted.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (link == null) {
                throw new AssertionError("no connection through the fault proxy within " + timeout.toMillis() + " ms");
            }
            return link;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Closes every connection left and stops the proxy. */
    @Override
    public void close() {
        if (group.isShuttingDown()) {
            return;
        }
        listener.close().syncUninterruptibly();
        for (Link link : links) {
            link.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
