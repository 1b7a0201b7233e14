package io.fluxsocket.internal;

import io.fluxsocket.ServerCredential;
import io.fluxsocket.WebSocketException;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A validated {@code ws}/{@code wss} URI, split into what the connection needs. User information
 * ({@code ws://user:password@host/}) becomes the credential and is kept out of everything else: the
 * URI here (which messages print), the request line and the {@code Host} header.
 *
 * @param uri           the URI as given, without its user information
 * @param secure        {@code wss}
 * @param host          the host, without IPv6 brackets
 * @param port          the port, the scheme's default if none was given
 * @param requestTarget the path and query of the request line, {@code /} at least
 * @param hostHeader    the {@code Host} header: the host, and the port unless it is the default
 * @param credential    the credential of the URI's user information, percent-decoded; null for none
 */
record Target(URI uri, boolean secure, String host, int port, String requestTarget, String hostHeader,
        ServerCredential credential) {

    /**
     * Validates a URI before any I/O.
     *
     * @throws io.fluxsocket.WebSocketException {@code INVALID_ARGUMENT}, naming {@code uri}
     */
    static Target of(URI uri) {
        if (uri == null) {
            throw WebSocketProtocol.invalid("uri", "must not be null");
        }
        ServerCredential credential = uri.getRawUserInfo() == null ? null : credential(uri.getRawUserInfo());
        uri = withoutUserInfo(uri);
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
        return new Target(uri, secure, bareHost, port, requestTarget, hostHeader, credential);
    }

    /** The origin of this target: the scheme ({@code ws} or {@code wss}), host and port. */
    String origin() {
        return (secure ? "wss://" : "ws://") + host.toLowerCase(Locale.ROOT) + ":" + port;
    }

    /** The URI as it may be shown: without user information (which may hold a password). */
    static URI withoutUserInfo(URI uri) {
        if (uri == null || uri.getRawUserInfo() == null) {
            return uri;
        }
        String raw = uri.toString();
        int start = raw.indexOf("//") + 2;
        int at = raw.indexOf('@', start);
        try {
            return new URI(raw.substring(0, start) + raw.substring(at + 1));
        } catch (URISyntaxException e) {
            // Cannot happen: the rest of a valid URI is one.
            throw new IllegalStateException("cannot remove the user information of a URI", e);
        }
    }

    /** The credential of a URI's user information, {@code user[:password]}, percent-decoded. */
    private static ServerCredential credential(String rawUserInfo) {
        int colon = rawUserInfo.indexOf(':');
        String user = decoded(colon < 0 ? rawUserInfo : rawUserInfo.substring(0, colon));
        String password = colon < 0 ? "" : decoded(rawUserInfo.substring(colon + 1));
        try {
            return ServerCredential.of(user, password);
        } catch (WebSocketException e) {
            // Its message names serverCredential, and never shows the password.
            throw WebSocketProtocol.invalid("uri", "the user information is not a credential: "
                    + e.getMessage().substring(e.getMessage().indexOf(':') + 2));
        }
    }

    /** Percent-decoding as UTF-8 (the URI's own parsing checked that each escape has two hex digits). */
    private static String decoded(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        int i = 0;
        while (i < raw.length()) {
            int c = raw.codePointAt(i);
            if (c == '%' && i + 2 < raw.length()) {
                bytes.write(Character.digit(raw.charAt(i + 1), 16) * 16 + Character.digit(raw.charAt(i + 2), 16));
                i += 3;
            } else {
                bytes.writeBytes(Character.toString(c).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(c);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
