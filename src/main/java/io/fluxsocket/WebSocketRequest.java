package io.fluxsocket;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * One connection's opening handshake request: the URI, and headers and subprotocols for this
 * connection alone, on top of those of the {@link WebSocketClient}. The original's
 * {@code SetRequestHeader}, per connection; what a framework that passes headers per call (Spring's
 * {@code WebSocketClient.execute(uri, headers, handler)}) needs.
 *
 * <pre>{@code
 * WebSocketRequest request = WebSocketRequest.builder(URI.create("wss://example.org/feed"))
 *         .header("X-Tenant", tenant)
 *         .header("Authorization", tokens.current().map(t -> "Bearer " + t))  // computed at each connect
 *         .subprotocols("v2.feed")
 *         .build();
 * client.connect(request) ...
 * }</pre>
 *
 * <p>A header of the request replaces the client's header of the same name (names compare without
 * regard to case); the request's subprotocols, when it sets any, are offered instead of the
 * client's. A <em>computed</em> header's {@link Mono} is subscribed at each connect that uses the
 * request, within the connect timeout, before any byte of the handshake is sent: a token that
 * rotates is read fresh every time. If it completes empty the header is left out; if it errors the
 * connect fails with that error (a {@link WebSocketException} as it is, anything else as
 * {@code INVALID_ARGUMENT} naming the header); a value with CR, LF or NUL fails it with
 * {@code INVALID_ARGUMENT}.
 *
 * <p>Immutable and reusable: connect with one request as often as needed.
 */
public final class WebSocketRequest {

    private final URI uri;
    /** Each header's value, fixed ones as {@code Mono.just}; unmodifiable, in the order they were set. */
    private final Map<String, Mono<String>> headers;
    /** The subprotocols to offer instead of the client's; null to offer the client's. */
    private final List<String> subprotocols;
    /** The credential instead of the client's and the URI's; null for theirs. */
    private final ServerCredential serverCredential;

    private WebSocketRequest(Builder builder) {
        this.uri = builder.uri;
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(builder.headers));
        this.subprotocols = builder.subprotocols == null ? null : List.copyOf(builder.subprotocols);
        this.serverCredential = builder.serverCredential;
    }

    /**
     * A request with nothing of its own: the same as connecting to the URI.
     *
     * @throws WebSocketException with {@code INVALID_ARGUMENT} if {@code uri} is null
     */
    public static WebSocketRequest of(URI uri) {
        return builder(uri).build();
    }

    /**
     * Starts a request to a {@code ws://} or {@code wss://} URI (checked when it is connected to, before
     * any I/O, as {@link WebSocketClient#connect(URI)} checks it).
     *
     * @throws WebSocketException with {@code INVALID_ARGUMENT} if {@code uri} is null
     */
    public static Builder builder(URI uri) {
        if (uri == null) {
            throw Arguments.invalid("uri", "must not be null");
        }
        return new Builder(uri);
    }

    /** The URI to connect to. */
    public URI uri() {
        return uri;
    }

    /**
     * The headers of this request, by name in the order they were set, each value a {@link Mono}
     * that gives it at a connect ({@code Mono.just} for a fixed one); unmodifiable.
     */
    public Map<String, Mono<String>> headers() {
        return headers;
    }

    /** The subprotocols this request offers instead of the client's; empty to offer the client's. */
    public Optional<List<String>> subprotocols() {
        return Optional.ofNullable(subprotocols);
    }

    /** The credential of this connection instead of the client's and the URI's; empty for theirs. */
    public Optional<ServerCredential> serverCredential() {
        return Optional.ofNullable(serverCredential);
    }

    /** The URI (without its user information), the header names, the subprotocols; never a password. */
    @Override
    public String toString() {
        return "WebSocketRequest[" + withoutUserInfo(uri) + ", headers " + headers.keySet()
                + (subprotocols == null ? "" : ", subprotocols " + subprotocols)
                + (serverCredential == null ? "" : ", " + serverCredential) + "]";
    }

    private static String withoutUserInfo(URI uri) {
        String s = uri.toString();
        int at = uri.getRawUserInfo() == null ? -1 : s.indexOf('@');
        return at < 0 ? s : s.substring(0, s.indexOf("//") + 2) + s.substring(at + 1);
    }

    /** Builds a {@link WebSocketRequest}. Not thread-safe. */
    public static final class Builder {

        private final URI uri;
        private final Map<String, Mono<String>> headers = new LinkedHashMap<>();
        private List<String> subprotocols;
        private ServerCredential serverCredential;

        private Builder(URI uri) {
            this.uri = uri;
        }

        /**
         * Sets a header of this request, replacing one of the same name set before. The headers the
         * handshake sets itself are refused, as for {@link WebSocketClient.Builder#header}.
         *
         * @throws WebSocketException with {@code INVALID_ARGUMENT}, naming the argument
         */
        public Builder header(String name, String value) {
            Arguments.putHeader(headers, name, value);
            return this;
        }

        /**
         * Sets a header whose value is computed at each connect: {@code value} is subscribed once per
         * connect (empty leaves the header out). Replaces a header of the same name set before.
         *
         * @throws WebSocketException with {@code INVALID_ARGUMENT} for a reserved or malformed name or a
         *     null {@code value}
         */
        public Builder header(String name, Mono<String> value) {
            Arguments.putHeader(headers, name, value);
            return this;
        }

        /**
         * The subprotocols this connection offers, most preferred first, instead of the client's; none
         * to offer none at all.
         *
         * @throws WebSocketException with {@code INVALID_ARGUMENT} for an empty or non-token name or a
         *     duplicate
         */
        public Builder subprotocols(String... protocols) {
            this.subprotocols = Arguments.subprotocols(protocols);
            return this;
        }

        /** The subprotocols as a list; see {@link #subprotocols(String...)}. */
        public Builder subprotocols(List<String> protocols) {
            if (protocols == null) {
                throw Arguments.invalid("subprotocols", "must not be null");
            }
            return subprotocols(protocols.toArray(String[]::new));
        }

        /**
         * The credential of this connection, instead of the client's
         * ({@link WebSocketClient.Builder#serverCredential(ServerCredential)}) and the URI's user
         * information.
         *
         * @throws WebSocketException with {@code INVALID_ARGUMENT} naming {@code serverCredential} if null
         */
        public Builder serverCredential(ServerCredential credential) {
            if (credential == null) {
                throw Arguments.invalid("serverCredential", "must not be null");
            }
            this.serverCredential = credential;
            return this;
        }

        /** The request. */
        public WebSocketRequest build() {
            return new WebSocketRequest(this);
        }
    }
}
