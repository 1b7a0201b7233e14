package io.fluxsocket.internal;

import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.ServerCredential;
import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketError;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketRequest;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;

import java.net.URI;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import reactor.core.publisher.Mono;
import reactor.netty.tcp.TcpClient;

/**
 * Opens connections: TCP (and TLS) through Reactor Netty's {@link TcpClient}, never pooled, on the
 * shared event loops, directly or through a proxy ({@link Dialer}); then the {@link Handshake}.
 * Public only for {@link WebSocketClient.Builder} to build it: the module does not export this package.
 */
public final class DefaultWebSocketClient implements WebSocketClient {

    /** The largest socket read: one read is what the inbound bound adds to the budget. */
    static final int MAX_READ_BYTES = 64 * 1024;
    /**
     * Socket reads in a row while the connection reads on its own (auto-read), as Netty's epoll and
     * NIO channels default to; the inbound side turns auto-read off from inside a read when its
     * budget fills, which ends the run at once.
     */
    static final int READS_PER_WAKEUP = 16;

    private final ClientConfig config;
    /** Opens the TCP connections, directly or through a proxy. */
    private final Dialer dialer;
    /** The TLS of {@code wss://} connections, made on the first one (a context costs time). */
    private volatile Tls tls;

    public DefaultWebSocketClient(ClientConfig config) {
        this(config, UnaryOperator.identity());
    }

    /** @param transport adjusts the TCP client further (tests: an allocator of their own) */
    DefaultWebSocketClient(ClientConfig config, UnaryOperator<TcpClient> transport) {
        this.config = config;
        int high = config.outboundBufferBytes();
        TcpClient tcp = TcpClient.newConnection()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, config.noDelay())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(high / 2, high))
                .option(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(512, 16 * 1024, MAX_READ_BYTES)
                        // Set here, or it is 1: one socket read per wake-up of the event loop.
                        .maxMessagesPerRead(READS_PER_WAKEUP));
        this.dialer = new Dialer(transport.apply(tcp), config);
    }

    /**
     * The connect timeout's error: naming the proxy while its tunnel was not open; a certificate
     * status while the custom validation had not answered.
     */
    private WebSocketException timedOut(URI uri, TlsSession session, ProxyTunnel tunnel) {
        String within = " within " + config.connectTimeout().toMillis() + " ms (connectTimeout)";
        if (tunnel != null && !tunnel.isOpen()) {
            return tunnel.timedOut(within);
        }
        if (session != null && session.validating) {
            return new WebSocketException(WebErrorStatus.CERTIFICATE_IS_INVALID, "serverCertificateValidation for "
                    + session.host + " did not answer" + within + ": the certificate is rejected");
        }
        return new WebSocketException(WebErrorStatus.TIMEOUT, "opening handshake with " + uri + " did not finish" + within);
    }

    private Tls tls() {
        Tls t = tls;
        if (t == null) {
            synchronized (this) {
                t = tls;
                if (t == null) {
                    tls = t = new Tls(config.tls());
                }
            }
        }
        return t;
    }

    @Override
    public Mono<StreamWebSocket> connect(URI uri) {
        return connect(uri, null);
    }

    @Override
    public Mono<StreamWebSocket> connect(WebSocketRequest request) {
        return request == null ? Mono.error(WebSocketProtocol.invalid("request", "must not be null"))
                : connect(request.uri(), request);
    }

    private Mono<StreamWebSocket> connect(URI uri, WebSocketRequest request) {
        return Metering.connect(config.metrics(), Target.withoutUserInfo(uri), open(uri, request, Mode.STREAM))
                .map(DefaultStreamWebSocket::new);
    }

    @Override
    public Mono<MessageWebSocket> connectMessages(URI uri) {
        return connectMessages(uri, null);
    }

    @Override
    public Mono<MessageWebSocket> connectMessages(WebSocketRequest request) {
        return request == null ? Mono.error(WebSocketProtocol.invalid("request", "must not be null"))
                : connectMessages(request.uri(), request);
    }

    private Mono<MessageWebSocket> connectMessages(URI uri, WebSocketRequest request) {
        return Metering.connect(config.metrics(), Target.withoutUserInfo(uri),
                        open(uri, request, Mode.messages(config.receiveMode())))
                .map(DefaultMessageWebSocket::new);
    }

    /**
     * Connects and performs the opening handshake, within the connect timeout: the attempts of
     * {@link Attempts} (a 401 answered with the credential, redirects followed), each on a new
     * connection.
     *
     * @param request the connection's own headers, subprotocols and credential; null for none
     */
    Mono<WebSocketConnection> open(URI uri, WebSocketRequest request, Mode mode) {
        Target target;
        try {
            target = Target.of(uri);
            if (target.secure()) {
                // A TLS configuration that fails, fails before any I/O.
                tls();
            }
        } catch (WebSocketException e) {
            return Mono.error(e);
        }
        // The connection's TLS, once its channel is made (wss:// only).
        AtomicReference<TlsSession> session = new AtomicReference<>();
        // The proxy tunnel of the latest attempt, if any: the timeout names the proxy while it is not open.
        AtomicReference<ProxyTunnel> tunnel = new AtomicReference<>();
        ServerCredential credential = request != null && request.serverCredential().isPresent()
                ? request.serverCredential().get()
                : target.credential() != null ? target.credential() : config.serverCredential();
        Attempts attempts = new Attempts(upgrade -> attempt(upgrade, mode, session, tunnel), credential, target,
                config.maxRedirects());
        // Computed header values first: one that fails, fails the connect before any I/O.
        // The hand-off owns the connect timeout: a connection that comes as the connect is cancelled or
        // times out is closed, not dropped.
        return new HandOff(HandshakeRequest.resolve(target, config, request).flatMap(attempts::run),
                        config.connectTimeout(), () -> timedOut(target.uri(), session.get(), tunnel.get()))
                .onErrorMap(e -> !(e instanceof WebSocketException), e -> new WebSocketException(
                        WebSocketError.status(e), "could not connect to " + target.uri() + ": " + e.getMessage(), e));
    }

    /** One attempt: a new connection (through the proxy, if any), TLS for wss://, the handshake. */
    private Mono<WebSocketConnection> attempt(HandshakeRequest upgrade, Mode mode, AtomicReference<TlsSession> session,
            AtomicReference<ProxyTunnel> tunnel) {
        Target target = upgrade.target();
        return Mono.defer(() -> {
            Tls secure = target.secure() ? tls() : null;
            session.set(null);
            return dialer.connect(target, secure == null ? null : channel -> session.set(secure.install(channel, target)),
                            tunnel)
                    // Reactor Netty keeps the connect's subscriber as long as the channel lives: once it has
                    // the connection, cut it from everything downstream, or each open connection keeps
                    // this whole chain (and the application's subscriber) on the heap.
                    .onTerminateDetach()
                    .flatMap(connection -> (session.get() == null ? Mono.just(TlsSession.Result.NONE)
                            : secure.handshake(connection.channel(), session.get()))
                            // A cancelled handshake closes the channel itself, once it no longer reports.
                            .flatMap(negotiated -> Handshake.perform(connection.channel(), upgrade, config, mode,
                                    negotiated)))
                    .onErrorMap(e -> Tls.explain(e, session.get()));
        });
    }

}
