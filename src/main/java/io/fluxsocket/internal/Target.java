package io.fluxsocket.internal;

import java.net.URI;
import java.util.Locale;

/**
 * A validated {@code ws}/{@code wss} URI, split into what the connection needs.
 *
 * @param uri           the URI as given
 * @param secure        {@code wss}
 * @param host          the host, without IPv6 brackets
 * @param port          the port, the scheme's default if none was given
 * @param requestTarget the path and query of the request line, {@code /} at least
 * @param hostHeader    the {@code Host} header: the host, and the port unless it is the default
 */
record Target(URI uri, boolean secure, String host, int port, String requestTarget, String hostHeader) {

    /**
     * Validates a URI before any I/O.
     *
     * @throws io.fluxsocket.WebSocketException {@code INVALID_ARGUMENT}, naming {@code uri}
     */
    static Target of(URI uri) {
        if (uri == null) {
            throw WebSocketProtocol.invalid("uri", "must not be null");
        }
        if (!uri.isAbsolute() || uri.isOpaque()) {
            throw WebSocketProtocol.invalid("uri", "'" + uri + "' is not an absolute hierarchical URI");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        boolean secure;
        if (scheme.equals("ws")) {
            secure = false;
        } else if (scheme.equals("wss")) {
            secure = true;
        } else {
            throw WebSocketProtocol.invalid("uri", "scheme '" + uri.getScheme() + "' is not ws or wss");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw WebSocketProtocol.invalid("uri", "'" + uri + "' has no host");
        }
        if (uri.getRawFragment() != null) {
            throw WebSocketProtocol.invalid("uri", "'" + uri + "' has a fragment, which WebSocket URIs may not have");
        }
        int defaultPort = secure ? 443 : 80;
        int port = uri.getPort() == -1 ? defaultPort : uri.getPort();
        if (port < 1 || port > 65535) {
            throw WebSocketProtocol.invalid("uri", "port " + port + " is out of range");
        }
        String bareHost = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String requestTarget = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        String hostHeader = port == defaultPort ? host : host + ":" + port;
        return new Target(uri, secure, bareHost, port, requestTarget, hostHeader);
    }
}
