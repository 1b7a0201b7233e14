package io.fluxsocket.internal;

import io.fluxsocket.WebSocketProxy;

import java.net.InetSocketAddress;

/**
 * The proxy that one connect goes through, as chosen for its target ({@link Dialer}).
 *
 * @param proxy    the proxy, with the credential it may be offered
 * @param address  the proxy's resolved address
 * @param selected chosen by a {@link java.net.ProxySelector}: a credential it lacks may come from the
 *                 JVM's default {@link java.net.Authenticator}
 */
record ProxyRoute(WebSocketProxy proxy, InetSocketAddress address, boolean selected) {

    /** How errors name the proxy: {@code the HTTP proxy 127.0.0.1:3128}. */
    String describe() {
        String host = proxy.host().indexOf(':') >= 0 ? "[" + proxy.host() + "]" : proxy.host();
        return "the " + (proxy.type() == WebSocketProxy.Type.HTTP ? "HTTP" : "SOCKS5") + " proxy " + host + ":" + proxy.port();
    }

    /** The same route with this credential. */
    ProxyRoute withCredential(String username, String password) {
        return new ProxyRoute(proxy.credential(username, password), address, selected);
    }

    boolean hasCredential() {
        return proxy.username().isPresent();
    }
}
