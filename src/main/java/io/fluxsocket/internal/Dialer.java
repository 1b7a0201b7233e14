package io.fluxsocket.internal;

import io.fluxsocket.HostResolver;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketProxy;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.NetUtil;

import java.io.IOException;
import java.net.Authenticator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;
import reactor.netty.tcp.TcpClient;

/**
 * How a connection reaches its origin: straight there, or through a proxy's tunnel. Per connect it
 * chooses the route (the client's proxy unless its {@code nonProxyHosts} match the host, or what a
 * {@link ProxySelector} says), resolves the proxy's address, opens the TCP connection and, through
 * a proxy, waits for the tunnel ({@link ProxyTunnel}); an HTTP proxy that answers 407 offering Basic
 * to a connect without a credential is asked once more, on a new connection, with the credential.
 *
 * <p>A direct connection asks the client's {@link HostResolver} for the addresses of the origin's
 * host name (an IP literal is not resolved) and races TCP connections to them ({@link AddressRace},
 * RFC 8305); {@code init} then runs on the winner's channel only, before anything is read or
 * written on it. The origin's host name is never resolved here when a proxy is used: the proxy
 * resolves it. The TCP clients' own resolver is Netty's no-op one: every address they get is
 * resolved already, or goes to the proxy unresolved. Work that may block (a selector, which is
 * application code; resolving a proxy's host name; the JVM's {@link Authenticator}) runs on
 * {@link Schedulers#boundedElastic()}, never on an event loop.
 */
final class Dialer {

    /** No proxy: the marker route of a direct connection. */
    private static final Optional<ProxyRoute> DIRECT = Optional.empty();

    /** An attempt of a direct connection: to one resolved address, within the per-attempt timeout. */
    private final TcpClient perAddress;
    /** Connections through a proxy: the origin goes to the proxy unresolved. */
    private final TcpClient tunnelled;
    private final WebSocketProxy proxy;
    private final ProxySelector selector;
    /** The addresses of an origin's host name, for direct connections. */
    private final HostResolver resolver;
    /** How a timed-out attempt is described in the error of a race that every address lost. */
    private final String attemptTimeout;

    /** @param tcp the TCP client of every connection, its {@code CONNECT_TIMEOUT_MILLIS} the connect timeout */
    Dialer(TcpClient tcp, ClientConfig config) {
        this.tunnelled = tcp.resolver(NoopAddressResolverGroup.INSTANCE);
        this.proxy = config.proxy();
        this.selector = config.proxySelector();
        this.resolver = config.resolver() == null ? HostResolver.system() : config.resolver();
        Duration perAttempt = config.connectAttemptTimeout();
        if (perAttempt == null || perAttempt.compareTo(config.connectTimeout()) >= 0) {
            this.perAddress = tunnelled;
            this.attemptTimeout = "within " + config.connectTimeout().toMillis() + " ms";
        } else {
            this.perAddress = tunnelled.option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                    (int) Math.max(1, Math.min(Integer.MAX_VALUE, perAttempt.toMillis())));
            this.attemptTimeout = "within " + perAttempt.toMillis() + " ms (connectAttemptTimeout)";
        }
    }

    /**
     * Connects to the target, directly or through its proxy. Nothing happens until subscription.
     *
     * @param init    run on each new channel, after any proxy handler was put in place (the TLS
     *                handler goes behind it); null for nothing
     * @param current set to the tunnel of each attempt through a proxy, for the connect timeout's
     *                message
     * @return a {@link Mono} of the connection once it reaches the origin (through an open tunnel);
     *     errors with a {@link WebSocketException} naming the proxy when one failed
     */
    Mono<Connection> connect(Target target, Consumer<Channel> init, AtomicReference<ProxyTunnel> current) {
        return route(target).flatMap(route -> route.isEmpty() ? direct(target, init)
                : through(route.get(), target, init, current));
    }

    /**
     * Straight to the origin: its addresses raced, then {@code init} on the winner's channel only (an
     * attempt that loses must not build an SSLEngine, send a ClientHello, or leave its TlsSession
     * where the winner's is looked for).
     */
    private Mono<Connection> direct(Target target, Consumer<Channel> init) {
        return addresses(target)
                .flatMap(addresses -> AddressRace.connect(perAddress, target.host(), addresses, attemptTimeout))
                .flatMap(connection -> {
                    if (init != null) {
                        try {
                            init.accept(connection.channel());
                        } catch (RuntimeException | Error e) {
                            connection.dispose();
                            return Mono.error(e);
                        }
                    }
                    return Mono.just(connection);
                });
    }

    /**
     * The addresses to try for the origin, in the order of the attempts: an IP literal's own, else
     * what the resolver answers. Errors with {@code HOST_NAME_NOT_RESOLVED} for no answer, an empty
     * one or the resolver's error; with {@code INVALID_ARGUMENT} naming {@code resolver} for a null.
     */
    private Mono<List<InetSocketAddress>> addresses(Target target) {
        String host = target.host();
        if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
            // A literal: no lookup happens.
            return Mono.fromCallable(() -> List.of(new InetSocketAddress(InetAddress.getByName(host), target.port())));
        }
        return Mono.defer(() -> {
            Publisher<List<InetAddress>> answer = resolver.resolve(host);
            if (answer == null) {
                return Mono.error(WebSocketProtocol.invalid("resolver", "answered null for " + host));
            }
            return Mono.from(answer);
        }).onErrorMap(e -> !(e instanceof WebSocketException), e -> new WebSocketException(WebErrorStatus.HOST_NAME_NOT_RESOLVED,
                        "the host name " + host + " could not be resolved: "
                        + (e instanceof UnknownHostException ? e.getMessage() : e.toString()), e))
                .switchIfEmpty(Mono.error(() -> notFound(host)))
                .<List<InetSocketAddress>>handle((resolved, sink) -> {
                    if (resolved.isEmpty()) {
                        sink.error(notFound(host));
                    } else if (resolved.stream().anyMatch(Objects::isNull)) {
                        sink.error(WebSocketProtocol.invalid("resolver", "answered a list holding null for " + host));
                    } else {
                        sink.next(AddressRace.order(resolved, target.port()));
                    }
                });
    }

    private static WebSocketException notFound(String host) {
        return new WebSocketException(WebErrorStatus.HOST_NAME_NOT_RESOLVED, "the resolver found no address for " + host);
    }

    /** Through a proxy: once, and once more with the credential if an HTTP proxy asks for it. */
    private Mono<Connection> through(ProxyRoute route, Target target, Consumer<Channel> init,
            AtomicReference<ProxyTunnel> current) {
        boolean first = route.proxy().type() == WebSocketProxy.Type.SOCKS5 || route.proxy().preemptive();
        return attempt(route, first, target, init, current).onErrorResume(
                e -> !current.get().offeredCredential() && ProxyTunnel.challengedForBasic(e),
                e -> credentialFor(route, e)
                        .flatMap(withCredential -> attempt(withCredential, true, target, init, current))
                        .switchIfEmpty(Mono.error(e)));
    }

    private Mono<Connection> attempt(ProxyRoute route, boolean offerCredential, Target target, Consumer<Channel> init,
            AtomicReference<ProxyTunnel> current) {
        return Mono.defer(() -> {
            ProxyTunnel tunnel = new ProxyTunnel(route, target, offerCredential);
            current.set(tunnel);
            return tunnelled.remoteAddress(() -> InetSocketAddress.createUnresolved(target.host(), target.port()))
                    .doOnChannelInit((observer, channel, address) -> {
                        tunnel.install(channel);
                        if (init != null) {
                            init.accept(channel);
                        }
                    }).connect().cast(Connection.class).onErrorMap(e -> {
                WebSocketException failed = tunnel.unreachable(e);
                if (route.selected() && failed.status() == WebErrorStatus.CANNOT_CONNECT) {
                    // Application code: told off the event loop.
                    Schedulers.boundedElastic().schedule(() -> selector.connectFailed(uri(target), route.address(),
                            new IOException(failed.getMessage(), e)));
                }
                return failed;
            }).flatMap(tunnel::established);
        });
    }

    /** The credential to answer a 407 with: the proxy's own, else (for a selected one) the JVM's. */
    private static Mono<ProxyRoute> credentialFor(ProxyRoute route, Throwable challenge) {
        if (route.hasCredential()) {
            return Mono.just(route);
        }
        if (!route.selected()) {
            return Mono.empty();
        }
        String realm = ProxyTunnel.realm(challenge);
        // Empty when the JVM has no Authenticator, or it has no answer.
        return Mono.fromCallable(() -> Authenticator.requestPasswordAuthentication(route.proxy().host(),
                        route.address().getAddress(), route.proxy().port(), "http", realm == null ? "" : realm, "Basic",
                        null, Authenticator.RequestorType.PROXY))
                .subscribeOn(Schedulers.boundedElastic())
                .map(a -> route.withCredential(a.getUserName(), new String(a.getPassword())));
    }

    /** The route of a connect: direct, the client's proxy, or the selector's choice. */
    private Mono<Optional<ProxyRoute>> route(Target target) {
        if (proxy != null) {
            if (proxy.bypasses(target.host())) {
                return Mono.just(DIRECT);
            }
            return resolved(proxy).map(Optional::of);
        }
        if (selector != null) {
            return Mono.fromCallable(() -> selected(target)).subscribeOn(Schedulers.boundedElastic());
        }
        return Mono.just(DIRECT);
    }

    /** What the selector says, with the proxy's address resolved and a SOCKS5 credential found (blocks). */
    private Optional<ProxyRoute> selected(Target target) throws UnknownHostException {
        List<Proxy> proxies = selector.select(uri(target));
        for (Proxy p : proxies == null ? List.<Proxy>of() : proxies) {
            if (p.type() == Proxy.Type.DIRECT) {
                return DIRECT;
            }
            if (p.address() instanceof InetSocketAddress a) {
                String host = a.getHostString();
                WebSocketProxy chosen = p.type() == Proxy.Type.HTTP ? WebSocketProxy.http(host, a.getPort())
                        : WebSocketProxy.socks5(host, a.getPort());
                InetSocketAddress address = a.isUnresolved() ? resolve(chosen) : a;
                if (chosen.type() == WebSocketProxy.Type.SOCKS5) {
                    chosen = socksCredential(chosen, address);
                }
                return Optional.of(new ProxyRoute(chosen, address, true));
            }
        }
        return DIRECT;
    }

    /** A SOCKS5 proxy's credential from the JVM: its Authenticator, else the {@code java.net.socks.*} properties. */
    private static WebSocketProxy socksCredential(WebSocketProxy socks, InetSocketAddress address) {
        PasswordAuthentication a = Authenticator.requestPasswordAuthentication(socks.host(), address.getAddress(),
                socks.port(), "SOCKS5", "SOCKS authentication", null, null, Authenticator.RequestorType.PROXY);
        if (a != null) {
            return socks.credential(a.getUserName(), new String(a.getPassword()));
        }
        String user = System.getProperty("java.net.socks.username");
        return user == null ? socks : socks.credential(user, System.getProperty("java.net.socks.password", ""));
    }

    /** The client's proxy with its address: an IP address at once, a host name looked up off the event loops. */
    private static Mono<ProxyRoute> resolved(WebSocketProxy proxy) {
        Mono<ProxyRoute> route = Mono.fromCallable(() -> new ProxyRoute(proxy, resolve(proxy), false));
        boolean literal = NetUtil.isValidIpV4Address(proxy.host()) || NetUtil.isValidIpV6Address(proxy.host());
        return literal ? route : route.subscribeOn(Schedulers.boundedElastic());
    }

    /** The proxy's address (blocks for a host name). */
    private static InetSocketAddress resolve(WebSocketProxy proxy) throws UnknownHostException {
        try {
            return new InetSocketAddress(InetAddress.getByName(proxy.host()), proxy.port());
        } catch (UnknownHostException e) {
            throw new WebSocketException(WebErrorStatus.HOST_NAME_NOT_RESOLVED, "the host name of the "
                    + (proxy.type() == WebSocketProxy.Type.HTTP ? "HTTP" : "SOCKS5") + " proxy " + proxy.host()
                    + ":" + proxy.port() + " could not be resolved: " + e.getMessage(), e);
        }
    }

    /** The URI a selector is asked about: the target's, with {@code http} or {@code https} as the JDK's WebSocket asks. */
    private static URI uri(Target target) {
        return URI.create((target.secure() ? "https://" : "http://") + target.hostHeader() + target.requestTarget());
    }
}
