package io.fluxsocket;

import java.net.InetAddress;
import java.util.List;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Finds the addresses of a host name, for the client's direct connections: what OkHttp's {@code Dns}
 * and Reactor Netty's {@code resolver(...)} option are, in Reactive Streams form. Set one with
 * {@link WebSocketClient.Builder#resolver}; the default is {@link #system()}.
 *
 * <p>A client asks its resolver once per connect to a host name, when the connection goes straight to
 * the origin. It is not asked for an IP literal ({@code ws://127.0.0.1/}, {@code ws://[::1]/}), nor
 * when the connection goes through a proxy (the proxy resolves the origin's name; the proxy's own
 * name is looked up with the JVM's resolver).
 *
 * <p>The client then tries the addresses the way RFC 8305 (Happy Eyeballs) says: ordered so that the
 * two families alternate, the family of the first address first; the next attempt starts when the
 * previous one has not connected within 250 ms, or at once when one failed; the first TCP connection
 * made wins and every other attempt is closed. TLS and the HTTP upgrade then run once, on the winner,
 * and {@link WebSocketInfo#remoteAddress()} reports its address.
 *
 * <p><b>Threading.</b> {@link #resolve} is called on the thread that subscribed to the connect, which
 * may be an event loop: it must not block. A lookup that blocks belongs on a scheduler made for it:
 *
 * <pre>{@code
 * HostResolver fromRegistry = host -> Mono.fromCallable(() -> registry.addressesOf(host))
 *         .subscribeOn(Schedulers.boundedElastic());
 * HostResolver pinned = host -> Mono.fromCallable(() -> List.of(InetAddress.getByAddress(host, new byte[] {10, 0, 0, 7})));
 * }</pre>
 *
 * The publisher's signals may come on any thread. Its first element is the answer (later ones are
 * not asked for); the connect fails with {@code HOST_NAME_NOT_RESOLVED} when the publisher completes
 * without one, its list is empty, or it errors (an error that is a {@link WebSocketException} is
 * passed on as it is); with {@code INVALID_ARGUMENT} naming {@code resolver} when {@code resolve}
 * returns {@code null} or the list holds a {@code null}. A connect that is cancelled, or whose
 * {@link WebSocketClient.Builder#connectTimeout} passes, cancels the publisher. The connect timeout
 * covers the lookup.
 */
@FunctionalInterface
public interface HostResolver {

    /**
     * The addresses of {@code host}, in the order of preference; duplicates are tried once.
     *
     * @param host a host name as the URI has it (never {@code null}, never an IP literal)
     * @return a publisher of the list of addresses (its first element is used); never {@code null}
     */
    Publisher<List<InetAddress>> resolve(String host);

    /**
     * The JVM's resolver: {@link InetAddress#getAllByName(String)} (the hosts file, the system's name
     * service configuration, the JVM's DNS cache and its TTLs, a {@code java.net.spi.InetAddressResolverProvider}
     * on Java 18 and later) on {@link Schedulers#boundedElastic()}, so that no event loop waits for it.
     * Its order is the JVM's ({@code java.net.preferIPv6Addresses}). The default.
     *
     * @return the resolver; each {@code resolve} looks up when subscribed
     */
    static HostResolver system() {
        return host -> Mono.fromCallable(() -> List.of(InetAddress.getAllByName(host)))
                .subscribeOn(Schedulers.boundedElastic());
    }
}
