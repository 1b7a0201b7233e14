package io.fluxsocket;

import io.netty.util.NetUtil;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A proxy that connections go through: an HTTP proxy that opens a {@code CONNECT} tunnel, or a
 * SOCKS5 proxy; with an optional credential (the original's {@code ProxyCredential}) and the hosts
 * that bypass it. Immutable: each {@code with}-style method returns a copy. Use it with
 * {@link WebSocketClient.Builder#proxy(WebSocketProxy)}:
 *
 * <pre>{@code
 * WebSocketClient client = WebSocketClient.builder()
 *         .proxy(WebSocketProxy.http("proxy.example", 3128)
 *                 .credential("alice", "s3cret")
 *                 .nonProxyHosts("localhost|*.internal"))
 *         .build();
 * }</pre>
 *
 * <p>The proxy resolves the origin's host name: the client never looks it up itself, so names that
 * only the proxy can resolve work. {@code wss://} through a proxy is TLS end to end with the origin:
 * the proxy carries the encrypted bytes, SNI names the origin and the certificate is checked against
 * the origin's host name, never the proxy's. The connect timeout bounds the whole way: the TCP
 * connection to the proxy, the tunnel, TLS and the upgrade. The connection's
 * {@link WebSocketInfo#remoteAddress()} is then the proxy's address.
 *
 * <p><b>Credentials.</b> An HTTP proxy gets Basic authentication (RFC 7617, UTF-8): by default only
 * when it answers {@code 407} with a {@code Proxy-Authenticate} header that offers Basic, on a second
 * connection, once; with {@link #preemptive(boolean) preemptive(true)} on the first {@code CONNECT}.
 * A SOCKS5 proxy gets username/password authentication (RFC 1929) when it asks for it in the method
 * negotiation. A proxy that still refuses fails the connection with
 * {@link WebErrorStatus#PROXY_AUTHENTICATION_REQUIRED}; there is no second retry.
 *
 * <p><b>Failures</b> name the proxy: {@code CANNOT_CONNECT} (or {@code TIMEOUT}) when it cannot be
 * reached, {@code HOST_NAME_NOT_RESOLVED} when its host name does not resolve,
 * {@code PROXY_AUTHENTICATION_REQUIRED} for a missing or refused credential, the HTTP status of an
 * HTTP proxy that refuses the tunnel ({@code FORBIDDEN}, {@code BAD_GATEWAY}, …), and
 * {@code CANNOT_CONNECT} (or {@code FORBIDDEN}) for a SOCKS5 proxy that cannot reach the origin.
 *
 * <p>Every argument is checked when it is given, before any I/O: a failure is a
 * {@link WebSocketException} with {@link WebErrorStatus#INVALID_ARGUMENT} whose message starts with
 * the argument's name ({@code proxy}, {@code proxy credential}, {@code nonProxyHosts},
 * {@code preemptive}). No message, and no {@link #toString()}, shows the password.
 */
public final class WebSocketProxy {

    /** The kind of proxy. */
    public enum Type {
        /** An HTTP proxy: {@code CONNECT host:port} opens a tunnel. */
        HTTP,
        /** A SOCKS5 proxy (RFC 1928), asked to connect to the host name. */
        SOCKS5
    }

    /** RFC 1929: a user name and a password are each at most 255 bytes. */
    private static final int SOCKS5_CREDENTIAL_BYTES = 255;
    /** The longest host name (RFC 1035), without a trailing dot. */
    private static final int MAX_HOST_LENGTH = 253;

    private final Type type;
    /** The host as given, without IPv6 brackets. */
    private final String host;
    private final int port;
    /** The credential; both null when there is none. */
    private final String username;
    private final String password;
    private final boolean preemptive;
    /** The bypass patterns as given, or null for none. */
    private final String nonProxyHosts;
    /** {@link #nonProxyHosts} compiled, or null for none. */
    private final Pattern bypass;

    private WebSocketProxy(Type type, String host, int port, String username, String password, boolean preemptive,
            String nonProxyHosts, Pattern bypass) {
        this.type = type;
        this.host = host;
        this.port = port;
        this.username = username;
        this.password = password;
        this.preemptive = preemptive;
        this.nonProxyHosts = nonProxyHosts;
        this.bypass = bypass;
    }

    /**
     * An HTTP proxy that opens tunnels with {@code CONNECT}.
     *
     * @param host a host name or an IP address (an IPv6 address with or without brackets)
     * @param port 1 to 65535
     * @throws WebSocketException with {@code INVALID_ARGUMENT} naming {@code proxy} for a bad host or port
     */
    public static WebSocketProxy http(String host, int port) {
        return of(Type.HTTP, host, port);
    }

    /**
     * A SOCKS5 proxy (RFC 1928), which is sent the origin's host name to connect to.
     *
     * @param host a host name or an IP address (an IPv6 address with or without brackets)
     * @param port 1 to 65535
     * @throws WebSocketException with {@code INVALID_ARGUMENT} naming {@code proxy} for a bad host or port
     */
    public static WebSocketProxy socks5(String host, int port) {
        return of(Type.SOCKS5, host, port);
    }

    /**
     * A proxy from a URL, as command-line tools take it: {@code http://host:port} or
     * {@code socks5://host:port} ({@code socks5h://} is the same: the proxy always resolves the
     * origin), with an optional credential, percent-encoded, before the host:
     * {@code http://alice:s3cret@proxy.example:3128}. The port is required; a path other than
     * {@code /}, a query and a fragment are refused.
     *
     * @throws WebSocketException with {@code INVALID_ARGUMENT} naming {@code proxy} for a URL that
     *     cannot be parsed, a scheme other than these, no host, no port; and as
     *     {@link #credential(String, String)} for a bad credential
     */
    public static WebSocketProxy parse(String url) {
        if (url == null) {
            throw Arguments.invalid("proxy", "must not be null");
        }
        String shown = redacted(url);
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw Arguments.invalid("proxy", "'" + shown + "' is not a URL: " + e.getReason()
                    + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""));
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        Type type;
        if ("http".equals(scheme)) {
            type = Type.HTTP;
        } else if ("socks5".equals(scheme) || "socks5h".equals(scheme)) {
            type = Type.SOCKS5;
        } else {
            throw Arguments.invalid("proxy", scheme == null ? "'" + shown + "' has no scheme: give http:// or socks5://"
                    : "unsupported proxy scheme '" + uri.getScheme() + "' in '" + shown
                            + "': give http:// (a CONNECT proxy) or socks5://");
        }
        if (uri.getHost() == null) {
            throw Arguments.invalid("proxy", "'" + shown + "' has no host");
        }
        if (uri.getPort() == -1) {
            throw Arguments.invalid("proxy", "'" + shown + "' has no port: give one, as in " + scheme + "://"
                    + uri.getHost() + ":" + (type == Type.HTTP ? 3128 : 1080));
        }
        String path = uri.getRawPath();
        if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw Arguments.invalid("proxy", "'" + shown + "' has a path, query or fragment; a proxy URL has none");
        }
        WebSocketProxy proxy = of(type, uri.getHost(), uri.getPort());
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            String user = percentDecoded(colon < 0 ? userInfo : userInfo.substring(0, colon));
            String pass = colon < 0 ? "" : percentDecoded(userInfo.substring(colon + 1));
            proxy = proxy.credential(user, pass);
        }
        return proxy;
    }

    private static WebSocketProxy of(Type type, String host, int port) {
        if (port < 1 || port > 65535) {
            throw Arguments.invalid("proxy", "port " + port + " is not between 1 and 65535");
        }
        return new WebSocketProxy(type, checkHost(host), port, null, null, false, null, null);
    }

    /**
     * The credential the proxy is sent when it asks for one (the original's {@code ProxyCredential}):
     * Basic for an HTTP proxy, username/password for a SOCKS5 one.
     *
     * @param username not empty; no colon (Basic cannot carry one), CR, LF or NUL
     * @param password possibly empty; no CR, LF or NUL
     * @throws WebSocketException with {@code INVALID_ARGUMENT} naming {@code proxy credential} for a
     *     null or empty user name, a null password, a forbidden character, or, for SOCKS5, a user
     *     name or password longer than 255 bytes in UTF-8
     */
    public WebSocketProxy credential(String username, String password) {
        if (username == null || username.isEmpty()) {
            throw Arguments.invalid("proxy credential", "the user name must not be null or empty");
        }
        if (password == null) {
            throw Arguments.invalid("proxy credential", "the password must not be null (give \"\" for none)");
        }
        if (username.indexOf(':') >= 0) {
            throw Arguments.invalid("proxy credential", "the user name contains a colon (at index "
                    + username.indexOf(':') + "), which Basic authentication cannot carry (RFC 7617)");
        }
        checkCharacters(username, "user name");
        checkCharacters(password, "password");
        if (type == Type.SOCKS5) {
            for (String part : new String[] {username, password}) {
                if (part.getBytes(StandardCharsets.UTF_8).length > SOCKS5_CREDENTIAL_BYTES) {
                    throw Arguments.invalid("proxy credential", "SOCKS5 takes a user name and a password of at most "
                            + SOCKS5_CREDENTIAL_BYTES + " bytes each (RFC 1929)");
                }
            }
        }
        return new WebSocketProxy(type, host, port, username, password, preemptive, nonProxyHosts, bypass);
    }

    /**
     * Whether an HTTP proxy is sent the credential with the first {@code CONNECT} ({@code true}), or
     * only when it answers {@code 407} offering Basic ({@code false}, the default; that costs a
     * second connection, and keeps the password from a proxy that does not ask for it).
     *
     * @throws WebSocketException with {@code INVALID_ARGUMENT} naming {@code preemptive} when set on a
     *     SOCKS5 proxy, whose method negotiation always decides
     */
    public WebSocketProxy preemptive(boolean preemptive) {
        if (preemptive && type != Type.HTTP) {
            throw Arguments.invalid("preemptive", "applies to HTTP proxies only: a SOCKS5 proxy asks for the"
                    + " credential in its method negotiation");
        }
        return new WebSocketProxy(type, host, port, username, password, preemptive, nonProxyHosts, bypass);
    }

    /**
     * The hosts reached directly, not through the proxy, as the {@code http.nonProxyHosts} system
     * property gives them: patterns separated by {@code |}, each a host name or IP address where
     * {@code *} stands for any characters ({@code localhost|127.*|*.internal|[::1]}), matched against
     * the host of the URI connected to, ignoring case (never against what it resolves to).
     * Replaces earlier patterns; none by default.
     *
     * @throws WebSocketException with {@code INVALID_ARGUMENT} naming {@code nonProxyHosts} for null,
     *     an empty pattern, or a character that cannot be in a host
     */
    public WebSocketProxy nonProxyHosts(String patterns) {
        if (patterns == null) {
            throw Arguments.invalid("nonProxyHosts", "must not be null");
        }
        List<String> regexes = new ArrayList<>();
        for (String p : patterns.split("\\|", -1)) {
            if (p.isEmpty()) {
                throw Arguments.invalid("nonProxyHosts", "'" + patterns + "' has an empty pattern");
            }
            for (int i = 0; i < p.length(); i++) {
                char c = p.charAt(i);
                boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || "-._*:[]%".indexOf(c) >= 0;
                if (!allowed) {
                    throw Arguments.invalid("nonProxyHosts", "pattern '" + p.replace("\r", "\\r").replace("\n", "\\n")
                            + "' has a character that cannot be in a host at index " + i);
                }
            }
            regexes.add(wildcards(p));
        }
        Pattern compiled = Pattern.compile(String.join("|", regexes), Pattern.CASE_INSENSITIVE);
        return new WebSocketProxy(type, host, port, username, password, preemptive, patterns, compiled);
    }

    /** A pattern of {@link #nonProxyHosts} as a regular expression: each {@code *} any characters. */
    private static String wildcards(String pattern) {
        StringBuilder regex = new StringBuilder("(?:");
        String[] literals = pattern.split("\\*", -1);
        for (int i = 0; i < literals.length; i++) {
            if (i > 0) {
                regex.append(".*");
            }
            if (!literals[i].isEmpty()) {
                regex.append(Pattern.quote(literals[i]));
            }
        }
        return regex.append(')').toString();
    }

    /**
     * Whether a connection to {@code host} bypasses this proxy, by {@link #nonProxyHosts}. An IPv6
     * address matches with or without brackets.
     */
    public boolean bypasses(String host) {
        if (bypass == null || host == null) {
            return false;
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return bypass.matcher(bare).matches() || (bare.indexOf(':') >= 0 && bypass.matcher("[" + bare + "]").matches());
    }

    public Type type() {
        return type;
    }

    /** The proxy's host as given, an IPv6 address without brackets. */
    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The credential's user name; empty without a credential. */
    public Optional<String> username() {
        return Optional.ofNullable(username);
    }

    /** The credential's password; empty without a credential. */
    public Optional<String> password() {
        return Optional.ofNullable(password);
    }

    /** Whether an HTTP proxy is sent the credential with the first {@code CONNECT}. */
    public boolean preemptive() {
        return preemptive;
    }

    /** The bypass patterns as given; empty for none. */
    public Optional<String> nonProxyHosts() {
        return Optional.ofNullable(nonProxyHosts);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WebSocketProxy p && p.type == type && p.host.equals(host) && p.port == port
                && Objects.equals(p.username, username) && Objects.equals(p.password, password)
                && p.preemptive == preemptive && Objects.equals(p.nonProxyHosts, nonProxyHosts);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, host, port, username, password, preemptive, nonProxyHosts);
    }

    /**
     * The proxy as a URL, with the user name but never the password, then its options:
     * {@code http://alice@proxy.example:3128 (preemptive, nonProxyHosts localhost|*.internal)}.
     */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(type == Type.HTTP ? "http://" : "socks5://");
        if (username != null) {
            s.append(username).append('@');
        }
        s.append(host.indexOf(':') >= 0 ? "[" + host + "]" : host).append(':').append(port);
        if (preemptive || nonProxyHosts != null) {
            s.append(" (");
            if (preemptive) {
                s.append("preemptive").append(nonProxyHosts != null ? ", " : "");
            }
            if (nonProxyHosts != null) {
                s.append("nonProxyHosts ").append(nonProxyHosts);
            }
            s.append(')');
        }
        return s.toString();
    }

    private static String checkHost(String host) {
        if (host == null || host.isEmpty()) {
            throw Arguments.invalid("proxy", "the host must not be null or empty");
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (NetUtil.isValidIpV4Address(bare) || NetUtil.isValidIpV6Address(bare)) {
            return bare;
        }
        if (bare.length() > MAX_HOST_LENGTH) {
            throw Arguments.invalid("proxy", "the host name is longer than " + MAX_HOST_LENGTH + " characters");
        }
        for (int i = 0; i < bare.length(); i++) {
            char c = bare.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '.' || c == '_';
            if (!allowed) {
                throw Arguments.invalid("proxy", "'" + bare.replace("\r", "\\r").replace("\n", "\\n")
                        + "' is not a host name or IP address (bad character at index " + i + ")");
            }
        }
        return bare;
    }

    private static void checkCharacters(String value, String what) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw Arguments.invalid("proxy credential", "the " + what + " contains a forbidden character (CR, LF"
                        + " or NUL) at index " + i);
            }
        }
    }

    /** A URL as it may be shown: any credential before the host replaced. */
    private static String redacted(String url) {
        int scheme = url.indexOf("://");
        int at = url.lastIndexOf('@');
        return scheme >= 0 && at > scheme ? url.substring(0, scheme + 3) + "(credential)" + url.substring(at) : url;
    }

    /** Percent-decoding of a URL's user information, as UTF-8. */
    private static String percentDecoded(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        int i = 0;
        while (i < raw.length()) {
            int percent = raw.indexOf('%', i);
            int end = percent < 0 ? raw.length() : percent;
            bytes.writeBytes(raw.substring(i, end).getBytes(StandardCharsets.UTF_8));
            if (percent < 0) {
                break;
            }
            int hi = percent + 2 < raw.length() ? Character.digit(raw.charAt(percent + 1), 16) : -1;
            int lo = hi >= 0 ? Character.digit(raw.charAt(percent + 2), 16) : -1;
            if (lo < 0) {
                throw Arguments.invalid("proxy", "the credential has a bad percent-encoding at index " + percent);
            }
            bytes.write(hi * 16 + lo);
            i = percent + 3;
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
