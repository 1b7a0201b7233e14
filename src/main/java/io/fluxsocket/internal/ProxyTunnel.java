package io.fluxsocket.internal;

import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketError;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketProxy;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.proxy.ProxyConnectException;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.handler.proxy.Socks5ProxyHandler;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

/**
 * One connection's tunnel through a proxy: Netty's proxy handler at the head of the new channel's
 * pipeline ({@link #install}; the TLS handler of {@code wss://} goes right behind it, so that TLS
 * runs with the origin through the tunnel), the wait for the tunnel ({@link #established}), and
 * what its failures mean as a {@link WebErrorStatus} naming the proxy.
 *
 * <p>The handler's own timeout is off: the client's connect timeout bounds the tunnel with the rest
 * of the opening handshake. It stays in the pipeline once the tunnel is open, passing bytes through.
 */
final class ProxyTunnel {

    static final String HANDLER = "fluxsocket.proxy";

    /** {@code status: 407 Proxy Authentication Required} in Netty's message of a refused CONNECT. */
    private static final Pattern HTTP_STATUS = Pattern.compile("status: (\\d{3})\\b(.*)$");

    private final ProxyRoute route;
    private final Target target;
    /** Whether the credential is sent with the first CONNECT (HTTP) or offered (SOCKS5). */
    private final boolean offerCredential;
    /** The channel's proxy handler, once installed (event loop; read by the timeout on any thread). */
    private volatile ProxyHandler handler;

    ProxyTunnel(ProxyRoute route, Target target, boolean offerCredential) {
        this.route = route;
        this.target = target;
        this.offerCredential = offerCredential && route.hasCredential();
    }

    ProxyRoute route() {
        return route;
    }

    /** Whether this tunnel offered the proxy a credential. */
    boolean offeredCredential() {
        return offerCredential;
    }

    /** Puts the proxy handler at the head of a new channel's pipeline, before it connects. */
    void install(Channel channel) {
        WebSocketProxy proxy = route.proxy();
        ProxyHandler h;
        if (proxy.type() == WebSocketProxy.Type.HTTP) {
            h = offerCredential ? new HttpProxyHandler(route.address(), proxy.username().orElseThrow(),
                    proxy.password().orElseThrow()) : new HttpProxyHandler(route.address());
        } else {
            h = offerCredential ? new Socks5ProxyHandler(route.address(), proxy.username().orElseThrow(),
                    proxy.password().orElseThrow()) : new Socks5ProxyHandler(route.address());
        }
        // The connect timeout bounds the tunnel: no second timer with another status.
        h.setConnectTimeoutMillis(0);
        channel.pipeline().addFirst(HANDLER, h);
        handler = h;
    }

    /**
     * Waits until the proxy opened the tunnel.
     *
     * @return a {@link Mono} of the connection once the tunnel is open; it errors with a
     *     {@link WebSocketException} naming the proxy (the proxy handler has closed the channel
     *     then), and closes the channel when cancelled
     */
    Mono<Connection> established(Connection connection) {
        Channel channel = connection.channel();
        ProxyHandler h = handler;
        return Mono.create(sink -> {
            // Set on cancel (any thread), before the channel closes: the failure that follows is not reported.
            AtomicBoolean cancelled = new AtomicBoolean();
            sink.onCancel(() -> {
                cancelled.set(true);
                channel.close();
            });
            h.connectFuture().addListener(f -> {
                if (cancelled.get()) {
                    return;
                }
                if (f.isSuccess()) {
                    sink.success(connection);
                } else {
                    sink.error(failure(f.cause()));
                }
            });
        });
    }

    /** Whether the tunnel is open. */
    boolean isOpen() {
        ProxyHandler h = handler;
        return h != null && h.isConnected();
    }

    /** The error of a connection to the proxy itself that failed (refused, unreachable, timed out). */
    WebSocketException unreachable(Throwable error) {
        if (error instanceof WebSocketException e) {
            return e;
        }
        WebErrorStatus status = WebSocketError.status(error);
        return new WebSocketException(status == WebErrorStatus.UNKNOWN ? WebErrorStatus.CANNOT_CONNECT : status,
                "could not connect to " + route.describe() + " (for " + target.uri() + "): " + error.getMessage(), error);
    }

    /** The error of the connect timeout while the tunnel was not open. */
    WebSocketException timedOut(String within) {
        return new WebSocketException(WebErrorStatus.TIMEOUT, route.describe() + " did not open a tunnel to "
                + destination() + within);
    }

    /** What a failed tunnel means: the proxy's answer, as a status, with the proxy named. */
    WebSocketException failure(Throwable cause) {
        String who = route.describe();
        String to = destination();
        if (cause instanceof HttpProxyHandler.HttpProxyConnectException refused) {
            Matcher m = HTTP_STATUS.matcher(String.valueOf(refused.getMessage()));
            if (!m.find()) {
                return new WebSocketException(WebErrorStatus.PROTOCOL_ERROR, who + " gave no valid answer to CONNECT "
                        + to + ": " + detail(refused), cause);
            }
            int code = Integer.parseInt(m.group(1));
            String answer = code + m.group(2);
            // A 401 is what some proxies (tinyproxy) answer a credential they refuse with.
            if (code == 407 || (code == 401 && offerCredential)) {
                return new WebSocketException(WebErrorStatus.PROXY_AUTHENTICATION_REQUIRED, who + " refused the tunnel to "
                        + to + ": " + answer + "; " + (offerCredential
                                ? "it refused the credential of user '" + route.proxy().username().orElseThrow() + "'"
                                : route.hasCredential() && !challengedForBasic(refused)
                                        ? "it asks for a credential" + challenges(refused) + " by a scheme other than"
                                                + " Basic, the only one the client sends"
                                        : "it asks for a credential" + challenges(refused) + ", and the client has none"),
                        cause);
            }
            return new WebSocketException(WebErrorStatus.fromHttpStatus(code), who + " refused the tunnel to " + to
                    + ": " + answer, cause);
        }
        if (cause instanceof ProxyConnectException) {
            String detail = detail(cause);
            if (detail.startsWith("authStatus:")) {
                return new WebSocketException(WebErrorStatus.PROXY_AUTHENTICATION_REQUIRED, who + " refused the credential"
                        + " of user '" + route.proxy().username().orElse("") + "' (" + detail + ")", cause);
            }
            if (detail.startsWith("unexpected authMethod:")) {
                return new WebSocketException(WebErrorStatus.PROXY_AUTHENTICATION_REQUIRED, who + " asks for an"
                        + " authentication method the client did not offer (" + detail + ")"
                        + (offerCredential ? "" : "; the client has no credential for it"), cause);
            }
            if (detail.startsWith("status:")) {
                return new WebSocketException(detail.contains("FORBIDDEN") ? WebErrorStatus.FORBIDDEN
                        : WebErrorStatus.CANNOT_CONNECT, who + " could not open a tunnel to " + to + " (" + detail + ")", cause);
            }
            if (detail.equals("disconnected")) {
                return new WebSocketException(WebErrorStatus.CONNECTION_ABORTED, who + " closed the connection before"
                        + " it opened a tunnel to " + to, cause);
            }
            Throwable inner = cause.getCause() != null ? cause.getCause() : cause;
            WebErrorStatus status = WebSocketError.status(inner);
            return new WebSocketException(status == WebErrorStatus.UNKNOWN ? WebErrorStatus.PROTOCOL_ERROR : status,
                    who + " failed to open a tunnel to " + to + ": " + inner, cause);
        }
        WebErrorStatus status = WebSocketError.status(cause);
        return new WebSocketException(status == WebErrorStatus.UNKNOWN ? WebErrorStatus.CONNECTION_ABORTED : status,
                who + " failed to open a tunnel to " + to + ": " + cause, cause);
    }

    /** Whether a failure was an HTTP proxy's 407 whose {@code Proxy-Authenticate} offers Basic. */
    static boolean challengedForBasic(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HttpProxyHandler.HttpProxyConnectException refused && refused.headers() != null) {
                Matcher m = HTTP_STATUS.matcher(String.valueOf(refused.getMessage()));
                return m.find() && m.group(1).equals("407") && refused.headers().getAll(HttpHeaderNames.PROXY_AUTHENTICATE)
                        .stream().anyMatch(c -> c.trim().toLowerCase(Locale.ROOT).startsWith("basic"));
            }
        }
        return false;
    }

    /** The realm of a Basic challenge, or null. */
    static String realm(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HttpProxyHandler.HttpProxyConnectException refused && refused.headers() != null) {
                for (String c : refused.headers().getAll(HttpHeaderNames.PROXY_AUTHENTICATE)) {
                    Matcher m = Pattern.compile("realm=\"([^\"]*)\"", Pattern.CASE_INSENSITIVE).matcher(c);
                    if (m.find()) {
                        return m.group(1);
                    }
                }
            }
        }
        return null;
    }

    /** The origin as the proxy is asked for it: {@code host:port}. */
    private String destination() {
        return (target.host().indexOf(':') >= 0 ? "[" + target.host() + "]" : target.host()) + ":" + target.port();
    }

    /** The {@code Proxy-Authenticate} challenges of a 407, as {@code " (Proxy-Authenticate: …)"}, or "". */
    private static String challenges(HttpProxyHandler.HttpProxyConnectException refused) {
        List<String> offered = refused.headers() == null ? List.of() : refused.headers().getAll(HttpHeaderNames.PROXY_AUTHENTICATE);
        return offered.isEmpty() ? "" : " (Proxy-Authenticate: " + String.join(", ", offered) + ")";
    }

    /** What Netty's message says after {@code protocol, auth, proxy => destination, }. */
    private static String detail(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int arrow = m.indexOf(" => ");
        int comma = arrow < 0 ? -1 : m.indexOf(", ", arrow);
        return comma < 0 ? m : m.substring(comma + 2);
    }
}
