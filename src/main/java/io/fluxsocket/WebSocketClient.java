package io.fluxsocket;

import java.net.ProxySelector;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * Opens WebSocket connections. Immutable and thread-safe: create one and share it. All clients
 * share one set of event loops (daemon threads); every connection is a new TCP connection, never
 * pooled.
 *
 * <pre>{@code
 * WebSocketClient client = WebSocketClient.builder()
 *         .connectTimeout(Duration.ofSeconds(10))
 *         .header("Authorization", "Bearer " + token)
 *         .build();
 * client.connect(URI.create("wss://example.org/stream"))
 *       .flatMapMany(ws -> ws.send(Flux.just(payload)).thenMany(ws.receive()))
 *       .subscribe(buffer -> ...);
 * }</pre>
 */
public interface WebSocketClient {

    /** A client with the defaults of {@link Builder}. */
    static WebSocketClient create() {
        return builder().build();
    }

    /** A builder for a client with options of its own (the Windows Runtime's Control). */
    static Builder builder() {
        return new ClientBuilder();
    }

    /**
     * Connects in stream mode. Nothing happens until subscription; cancelling the {@link Mono}
     * before it emits closes the socket, also when the cancel meets the handshake's success.
     *
     * <p>A subscriber disposed from another thread just as the connection reaches it may drop it:
     * Reactor's {@code subscribe(Consumer)} subscriber, disposed first, hands the connection to
     * {@code Hooks.onNextDropped} (logged at DEBUG) instead of the consumer. The connect closes such
     * a connection when the dispose's cancel reaches it while it is still handing the connection over
     * (the usual case), but not when the cancel comes after that. A subscriber that must never lose
     * one should take every connection it is given and close those that come after its own dispose
     * (a {@code BaseSubscriber} delivers them to {@code hookOnNext}).
     *
     * @param uri an absolute {@code ws://} or {@code wss://} URI
     * @return a {@link Mono} that emits the open connection once the opening handshake succeeded,
     *     and errors with a {@link WebSocketException}: {@code INVALID_ARGUMENT} for a bad URI
     *     (before any I/O), {@code HOST_NAME_NOT_RESOLVED}, {@code CANNOT_CONNECT} (naming every
     *     address tried, see {@link Builder#resolver}),
     *     {@code TIMEOUT} if the whole opening handshake took longer than the connect timeout,
     *     the handshake's HTTP status ({@code NOT_FOUND}, {@code UNAUTHORIZED}, …; after the one answer
     *     to a {@code 401} of {@link Builder#serverCredential(ServerCredential)} and the redirects
     *     {@link Builder#maxRedirects} allows), a proxy's failure
     *     naming the proxy ({@code PROXY_AUTHENTICATION_REQUIRED}, its status; see
     *     {@link WebSocketProxy}), a certificate status, or {@code PROTOCOL_ERROR} for a 101 response that is not a valid upgrade (wrong
     *     {@code Sec-WebSocket-Accept}, a subprotocol or extension that was not offered). No socket
     *     stays open after an error.
     */
    Mono<StreamWebSocket> connect(URI uri);

    /**
     * Connects in message mode: whole or streamed text and binary messages, received as
     * {@link Builder#receiveMode} says, whole ones up to {@link Builder#maxMessageSize}. Nothing
     * happens until subscription; cancelling the {@link Mono} before it emits closes the socket
     * (a subscriber disposed as the connection reaches it: see {@link #connect(URI)}).
     *
     * @param uri an absolute {@code ws://} or {@code wss://} URI
     * @return a {@link Mono} that emits the open connection once the opening handshake succeeded,
     *     and errors as {@link #connect(URI)}'s does
     */
    Mono<MessageWebSocket> connectMessages(URI uri);

    /**
     * Connects in stream mode with a request of its own: headers and subprotocols for this
     * connection alone, on top of the client's (see {@link WebSocketRequest}). Otherwise as
     * {@link #connect(URI)}.
     *
     * @return a {@link Mono} that emits the open connection, and errors as {@link #connect(URI)}'s
     *     does, or with a computed header's error (see {@link WebSocketRequest}) before any I/O;
     *     {@code INVALID_ARGUMENT} for a null {@code request}
     */
    Mono<StreamWebSocket> connect(WebSocketRequest request);

    /**
     * Connects in message mode with a request of its own (see {@link WebSocketRequest}). Otherwise as
     * {@link #connectMessages(URI)}.
     *
     * @return a {@link Mono} that emits the open connection, and errors as
     *     {@link #connect(WebSocketRequest)}'s does
     */
    Mono<MessageWebSocket> connectMessages(WebSocketRequest request);

    /**
     * The options of the Windows Runtime's {@code Control}. Not thread-safe; build, then share. Only
     * the library implements it ({@link WebSocketClient#builder()}).
     */
    sealed interface Builder permits ClientBuilder {

        /**
         * Bounds the whole opening handshake: DNS, TCP (every address tried, see {@link #resolver}),
         * TLS and the HTTP upgrade. Default 60 s.
         */
        Builder connectTimeout(Duration timeout);

        /**
         * A send that makes no write progress for this long fails with {@code TIMEOUT}; the check
         * runs every eighth of it, so the failure comes between 1 and 1.25 times this after the
         * last progress. Default 30 s.
         */
        Builder sendTimeout(Duration timeout);

        /** How long {@code close} waits for the server's Close before it closes TCP. Default 5 s. */
        Builder closeTimeout(Duration timeout);

        /** {@code TCP_NODELAY}: {@code true} (the default) turns Nagle's algorithm off. */
        Builder noDelay(boolean noDelay);

        /**
         * Adds a header to the opening handshake request, replacing one of the same name. The
         * headers the handshake itself sets ({@code Host}, {@code Upgrade}, {@code Connection},
         * {@code Sec-WebSocket-*}) are refused, as are names that are not HTTP tokens and values
         * with CR, LF or NUL.
         *
         * @throws WebSocketException with {@code INVALID_ARGUMENT}, naming the argument
         */
        Builder header(String name, String value);

        /**
         * Adds a header whose value is computed at each connect, replacing one of the same name:
         * {@code value} is subscribed once per connect, within the connect timeout and before the
         * handshake is sent (a token that rotates: {@code Mono.fromCallable(tokens::current)}); empty
         * leaves the header out; an error fails the connect (see {@link WebSocketRequest}).
         *
         * @throws WebSocketException with {@code INVALID_ARGUMENT} for a reserved or malformed name or
         *     a null {@code value}
         */
        Builder header(String name, Mono<String> value);

        /**
         * The subprotocols to offer, most preferred first ({@code Sec-WebSocket-Protocol}).
         *
         * @throws WebSocketException with {@code INVALID_ARGUMENT} for an empty or non-token name
         *     or a duplicate
         */
        Builder subprotocols(String... protocols);

        /**
         * The largest outbound frame payload: a send's data is split into (and small buffers are
         * coalesced up to) frames of this size. Inbound frames of any size are accepted: they are
         * passed on in pieces as they arrive. Default 64 KiB; 125 bytes to 16 MiB.
         */
        Builder maxFramePayload(int bytes);

        /**
         * The inbound byte budget of a connection: the socket is not read while this many received
         * bytes wait for the subscriber. While fewer wait it is read ahead of the subscriber's
         * demand, and before it subscribes, so that the server's Pings are answered and its Close is
         * seen whatever the application requests. Default 256 KiB; 1 KiB to 1 GiB.
         */
        Builder receiveBufferBytes(int bytes);

        /**
         * The outbound byte budget of a connection ({@code OutboundBufferSizeInBytes}): a send takes
         * no more buffers from its publisher while this many bytes wait to be written; it is also the
         * channel's write-buffer high-water mark, so it is how much one flush can hand the socket.
         * Default 1 MiB (a bulk upload ran 20–40% faster than with 256 KiB, whose flushes were a
         * few frames each); 1 KiB to 1 GiB.
         */
        Builder outboundBufferBytes(int bytes);

        /**
         * Message mode: the largest message received whole, in bytes; a longer one fails the
         * connection with close code 1009 and {@code MESSAGE_TOO_BIG}, detected from the frame
         * headers before its excess is read. Streamed messages have no limit. Default 1 MiB;
         * 1 byte to 1 GiB.
         */
        Builder maxMessageSize(int bytes);

        /** Message mode: whole messages ({@link ReceiveMode#WHOLE}, the default) or streamed ones. */
        Builder receiveMode(ReceiveMode mode);

        /**
         * Keep-alive: when nothing was received for {@code interval}, a Ping is sent; when then no
         * frame comes within {@code timeout}, the connection fails with {@code TIMEOUT}, sends Close
         * 1011 and closes TCP. A silent server is so detected within {@code interval + timeout}
         * (plus the scheduling of the event loop). The connection reads ahead of the subscriber's
         * demand within {@link #receiveBufferBytes}, so the Pong is read whatever the application
         * requests; when that budget is full (the subscriber does not keep up), a Pong cannot be
         * read: the timeout does not run then, and starts again once reads resume. Off by default.
         *
         * @throws WebSocketException with {@code INVALID_ARGUMENT} for a zero, negative or null duration
         */
        Builder keepAlive(Duration interval, Duration timeout);

        /**
         * Closes the connection with 1001 (going away) and the reason {@code "idle timeout: ..."} once
         * no data frame payload moved either way for this long (control frames, keep-alive Pings
         * included, do not count); checked every quarter of it. Off by default.
         *
         * @throws WebSocketException with {@code INVALID_ARGUMENT} for a zero, negative or null duration
         */
        Builder idleTimeout(Duration timeout);

        /**
         * Sends an unsolicited Pong (empty, RFC 6455 §5.5.3: a one-way heartbeat that the server
         * does not answer) every {@code interval}, ahead of data frames, as the original's
         * {@code DesiredUnsolicitedPongInterval}; {@link WebSocketInfo#unsolicitedPongInterval()}
         * reports the interval in effect. A Pong that answers a Ping and waits to be written is not
         * replaced by one. Off by default.
         *
         * @throws WebSocketException with {@code INVALID_ARGUMENT} for a zero, negative or null duration
         */
        Builder unsolicitedPongInterval(Duration interval);

        /**
         * Offers permessage-deflate (RFC 7692) with these parameters: messages are compressed if the
         * server agrees, received ones inflated within the receive budget. Off by default.
         *
         * @throws WebSocketException with {@code INVALID_ARGUMENT} naming {@code perMessageDeflate} if null
         * @see PerMessageDeflate
         */
        Builder perMessageDeflate(PerMessageDeflate deflate);

        /**
         * Tells {@code metrics} of each connection's life: connects and how they ended, ping round
         * trips, closes and who closed; the bytes and messages are read from each connection's own
         * counts, never counted per message. For Micrometer:
         * {@code .metrics(io.fluxsocket.micrometer.MicrometerMetrics.of(registry))}. Off by default.
         *
         * @throws WebSocketException with {@code INVALID_ARGUMENT} for a null
         */
        Builder metrics(WebSocketMetrics metrics);

        // ---- Proxies ----

        /**
         * Connects through this proxy, but to the hosts it bypasses ({@link WebSocketProxy#nonProxyHosts}).
         * Replaces {@link #systemProxy()} and {@link #proxySelector}. No proxy by default.
         *
         * @throws WebSocketException with {@code INVALID_ARGUMENT} naming {@code proxy} if null
         * @see WebSocketProxy
         */
        Builder proxy(WebSocketProxy proxy);

        /**
         * Asks the JVM's proxy selector ({@link ProxySelector#getDefault()}, as it is at each connect)
         * for the proxy of each connection, so that the standard proxy system properties apply:
         * {@code http.proxyHost}/{@code http.proxyPort} for {@code ws://}, {@code https.proxyHost}/
         * {@code https.proxyPort} for {@code wss://}, {@code socksProxyHost}/{@code socksProxyPort}
         * otherwise, and {@code http.nonProxyHosts} (whose default bypasses {@code localhost} and
         * {@code 127.*}). It is asked as the JDK's WebSocket asks it, with the URI's scheme as
         * {@code http} or {@code https}, off the event loops. A credential for a proxy so chosen comes
         * from the JVM's default {@link java.net.Authenticator} (as a proxy's), asked when an HTTP
         * proxy answers 407 offering Basic and before a SOCKS5 connection; for SOCKS5 without one,
         * from {@code java.net.socks.username}/{@code java.net.socks.password}. Replaces
         * {@link #proxy}. Opt-in: without it, system properties do not matter.
         */
        Builder systemProxy();

        /**
         * Asks this selector for the proxy of each connection, as {@link #systemProxy()} asks the JVM's:
         * the first HTTP or SOCKS proxy it lists is used (SOCKS as SOCKS5), none for
         * {@link java.net.Proxy#NO_PROXY} or an empty list; a proxy that cannot be reached is reported
         * to its {@code connectFailed}. Replaces {@link #proxy}.
         *
         * @throws WebSocketException with {@code INVALID_ARGUMENT} naming {@code proxySelector} if null
         */
        Builder proxySelector(ProxySelector selector);

        // ---- Server credentials and redirects ----

        /**
         * The credential every connection answers a server's {@code 401} with (Basic, or Digest with
         * SHA-256 or MD5; once per connect), or sends at once if it is
         * {@link ServerCredential#preemptive(boolean) preemptive}. A connection's own (its
         * {@link WebSocketRequest}'s, then its URI's user information) replaces it. Never sent to
         * another origin a redirect leads to. None by default: a {@code 401} fails the connect with
         * {@code UNAUTHORIZED}.
         *
         * @throws WebSocketException with {@code INVALID_ARGUMENT} naming {@code serverCredential} if null
         * @see ServerCredential
         */
        Builder serverCredential(ServerCredential credential);

        /**
         * As {@link #serverCredential(ServerCredential)} with {@link ServerCredential#of(String, String)}.
         *
         * @throws WebSocketException with {@code INVALID_ARGUMENT} naming {@code serverCredential} for a
         *     null or empty user name, a colon in it, a null password, or CR, LF or NUL in either
         */
        Builder serverCredential(String username, String password);

        /**
         * Follows up to {@code redirects} redirects ({@code 301}, {@code 302}, {@code 307},
         * {@code 308}) of the opening handshake to a {@code ws}, {@code wss}, {@code http} (as
         * {@code ws}) or {@code https} (as {@code wss}) location, relative ones resolved against the
         * request's URI; each on a new connection (to another host, maybe through another proxy
         * route), all within the connect timeout. Never from {@code wss} to an unencrypted scheme.
         * A redirect not followed fails the connect with its status and response
         * ({@link WebSocketException#handshakeResponse()}, with its {@code Location}). The connection's
         * {@link WebSocketInfo#uri()} is the URI it reached. Default 0: none is followed.
         *
         * @param redirects 0 to 100
         * @throws WebSocketException with {@code INVALID_ARGUMENT} naming {@code maxRedirects} below 0
         *     or above 100
         */
        Builder maxRedirects(int redirects);

        // ---- Addresses ----

        /**
         * Finds the addresses of a host name for direct connections; every address is tried, the
         * Happy Eyeballs way (see {@link HostResolver}). When all fail, {@code connect} errors naming
         * the host and each address with its reason: the status all the attempts failed with, else
         * {@code CANNOT_CONNECT}. Default: {@link HostResolver#system()}, the JVM's, off the event loops.
         *
         * @throws WebSocketException with {@code INVALID_ARGUMENT} naming {@code resolver} if null
         */
        Builder resolver(HostResolver resolver);

        /**
         * The longest one TCP connect to one address may take (the original's per-address timeout).
         * Attempts overlap, so an address that does not answer never holds up the next: this only
         * ends such attempts, and a connect no address answers, sooner. Default: none but
         * {@link #connectTimeout}, which bounds every attempt and the whole connect.
         *
         * @throws WebSocketException with {@code INVALID_ARGUMENT} for a zero, negative or null duration
         */
        Builder connectAttemptTimeout(Duration timeout);

        // ---- TLS (wss://) ----

        /**
         * Trusts the CA certificates of a PEM (or DER) file for {@code wss://}, instead of the JVM's
         * default trust store. The file is read now.
         *
         * @throws WebSocketException with {@code INVALID_ARGUMENT} naming {@code trustedCertificates}
         *     if the file cannot be read or holds no certificate
         */
        Builder trustedCertificates(Path pemFile);

        /** Trusts these CA certificates for {@code wss://}, instead of the JVM's default trust store. */
        Builder trustedCertificates(X509Certificate... certificates);

        /** Trusts the certificate entries of a key store for {@code wss://}, instead of the JVM's default trust store. */
        Builder trustStore(KeyStore trustStore);

        /**
         * Lets this factory's trust manager decide which chains are trusted, instead of the JVM's
         * default. Host names are still checked, and errors are still classified and may be
         * ignorable as {@link #ignorableServerCertificateErrors} says.
         */
        Builder trustManagerFactory(TrustManagerFactory factory);


        /**
         * A ready {@link SSLContext} for {@code wss://}: its own trust and key managers decide, and
         * the host name is checked (HTTPS endpoint identification) all the same. It cannot be
         * combined with the trust, client-certificate and ignorable-error options, which it
         * replaces; {@link #serverCertificateValidation}, {@link #tlsProtocols} and
         * {@link #cipherSuites} apply.
         */
        Builder sslContext(SSLContext context);

        /**
         * The client certificate ({@code ClientCertificate}) offered when a server asks for one:
         * a PEM file of its chain (the certificate first) and one of its unencrypted PKCS#8 private
         * key ({@code BEGIN PRIVATE KEY}). Both are read now.
         *
         * @throws WebSocketException with {@code INVALID_ARGUMENT} naming {@code clientCertificate}
         *     if a file cannot be read or parsed, or the key does not match the certificate
         */
        Builder clientCertificate(Path certificateChainPem, Path privateKeyPem);

        /**
         * The client certificate offered when a server asks for one, from a PKCS#12 file holding
         * one private key with its chain. It is read now.
         *
         * @throws WebSocketException with {@code INVALID_ARGUMENT} naming {@code clientCertificate}
         *     if the file cannot be read, the password is wrong, or it holds no key or several
         */
        Builder clientCertificate(Path pkcs12File, char[] password);

        /** The client certificate offered when a server asks for one: a private key and its chain, its own certificate first. */
        Builder clientCertificate(PrivateKey key, X509Certificate... chain);

        /** The client certificates offered when a server asks for one, as this factory's key manager chooses. */
        Builder keyManagerFactory(KeyManagerFactory factory);

        /**
         * Errors in the server's certificate chain that do not fail the connection
         * ({@code IgnorableServerCertificateErrors}); {@code info()} then reports them. Replaces an
         * earlier set; none by default.
         *
         * @throws WebSocketException with {@code INVALID_ARGUMENT} naming
         *     {@code ignorableServerCertificateErrors} for {@link ChainValidationResult#REVOKED} and
         *     {@link ChainValidationResult#INVALID_SIGNATURE}, which can never be ignored, or a null
         */
        Builder ignorableServerCertificateErrors(ChainValidationResult... errors);

        /** As {@link #ignorableServerCertificateErrors(ChainValidationResult...)}. */
        Builder ignorableServerCertificateErrors(Collection<ChainValidationResult> errors);

        /**
         * A custom validation of the server's certificate ({@code ServerCustomValidationRequested},
         * its deferral being the returned publisher). It runs once the TLS handshake passed the
         * built-in checks (so it sees only errors that are ignorable), before the HTTP upgrade is
         * sent, and answers asynchronously: {@code true} accepts, {@code false} rejects; an error,
         * no answer, or no answer within the connect timeout rejects too. A rejection fails
         * {@code connect} with {@code CERTIFICATE_IS_INVALID} and the reason. No event loop waits for
         * the answer. Pinning a public key:
         *
         * <pre>{@code
         * .serverCertificateValidation(v -> Mono.just(v.publicKeyPin().equals("sha256/AbC…=")))
         * }</pre>
         */
        Builder serverCertificateValidation(Function<ServerCertificateValidation, ? extends Publisher<Boolean>> validation);

        /** The TLS protocol versions to enable, such as {@code TLSv1.3}; the JVM's defaults otherwise. */
        Builder tlsProtocols(String... protocols);

        /** The cipher suites to enable, in order of preference; the JVM's defaults otherwise. */
        Builder cipherSuites(String... suites);

        /** A client with these options; the builder may be used again afterwards. */
        WebSocketClient build();
    }
}
