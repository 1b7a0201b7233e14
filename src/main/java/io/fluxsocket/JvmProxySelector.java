package io.fluxsocket;

import java.io.IOException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;

/**
 * The JVM's proxy selector as it is at each connect ({@link ProxySelector#getDefault()}, which
 * follows the standard proxy system properties unless the application replaced it), for
 * {@link WebSocketClient.Builder#systemProxy()}.
 */
final class JvmProxySelector extends ProxySelector {

    static final JvmProxySelector INSTANCE = new JvmProxySelector();

    private JvmProxySelector() {
    }

    @Override
    public List<Proxy> select(URI uri) {
        ProxySelector selector = ProxySelector.getDefault();
        return selector == null ? List.of(Proxy.NO_PROXY) : selector.select(uri);
    }

    @Override
    public void connectFailed(URI uri, SocketAddress address, IOException failure) {
        ProxySelector selector = ProxySelector.getDefault();
        if (selector != null) {
            selector.connectFailed(uri, address, failure);
        }
    }

    @Override
    public String toString() {
        return "the JVM's proxy selector";
    }
}
