package io.fluxsocket.internal;

import io.fluxsocket.ChainValidationResult;
import io.fluxsocket.ServerCertificateErrorSeverity;
import io.fluxsocket.ServerCertificateValidation;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketError;
import io.fluxsocket.WebSocketException;
import io.netty.channel.Channel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import reactor.core.publisher.Mono;

/**
 * The TLS of a client's {@code wss://} connections: one TLS context for all of them, built from the
 * client's {@link TlsOptions}; per connection, the {@link SslHandler} at the head of the pipeline,
 * or behind a proxy's handler (with SNI, and no handshake timeout of its own: the connect timeout bounds the handshake), then,
 * once the handshake is done, the custom validation, before the HTTP upgrade is sent. The
 * validation is a {@code Mono}: no event loop waits for it.
 */
final class Tls {

    static final String HANDLER = "fluxsocket.tls";

    private final TlsOptions options;
    private final SslContext context;
    /** With the user's own SSLContext, its trust manager checks host names: it is told to. */
    private final boolean usersContext;
    /** The connections whose handshake may still run, by engine (any thread). */
    private final Map<SSLEngine, TlsSession> sessions = new ConcurrentHashMap<>();

    Tls(TlsOptions options) {
        this.options = options;
        this.usersContext = options.sslContext() != null;
        try {
            if (usersContext) {
                List<String> ciphers = options.cipherSuites().isEmpty()
                        ? Arrays.asList(options.sslContext().getDefaultSSLParameters().getCipherSuites()) : options.cipherSuites();
                this.context = new JdkSslContext(options.sslContext(), true, ciphers, IdentityCipherSuiteFilter.INSTANCE,
                        null, ClientAuth.NONE, options.protocols().isEmpty() ? null : options.protocols().toArray(new String[0]), false);
            } else {
                TrustManagerFactory trust = options.trust() != null ? options.trust() : jvmTrust();
                SslContextBuilder builder = SslContextBuilder.forClient()
                        .sslProvider(SslProvider.JDK)
                        // The trust manager checks names itself, and reports what it found.
                        .endpointIdentificationAlgorithm(null)
                        .trustManager(new TlsManagers.Trust(TlsManagers.x509(trust), options.ignorable(), sessions::get))
                        .keyManager(new TlsManagers.Keys(options.keys() == null ? null : TlsManagers.x509(options.keys()), sessions::get));
                if (!options.protocols().isEmpty()) {
                    builder.protocols(options.protocols());
                }
                if (!options.cipherSuites().isEmpty()) {
                    builder.ciphers(options.cipherSuites());
                }
                this.context = builder.build();
            }
        } catch (SSLException | GeneralSecurityException | IllegalArgumentException e) {
            throw new WebSocketException(WebErrorStatus.INVALID_ARGUMENT, "the TLS options cannot be used: " + e.getMessage(), e);
        }
    }

    private static TrustManagerFactory jvmTrust() throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        return factory;
    }

    /**
     * Puts the TLS handler for {@code target} at the head of a new channel's pipeline, or right behind
     * the proxy's handler when the connection goes through a proxy ({@link ProxyTunnel}).
     */
    TlsSession install(Channel channel, Target target) {
        SSLEngine engine = context.newEngine(channel.alloc(), target.host(), target.port());
        SSLParameters parameters = engine.getSSLParameters();
        if (usersContext) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (!NetUtil.isValidIpV4Address(target.host()) && !NetUtil.isValidIpV6Address(target.host())) {
            try {
                // The JDK sends no SNI for a name without a dot, such as localhost: named here.
                parameters.setServerNames(List.of(new SNIHostName(target.host())));
            } catch (IllegalArgumentException e) {
                // Not a name SNI can carry (an underscore, say): the handshake goes without it.
            }
        }
        engine.setSSLParameters(parameters);
        TlsSession session = new TlsSession(target.host());
        sessions.put(engine, session);
        channel.closeFuture().addListener(f -> sessions.remove(engine));
        SslHandler handler = new SslHandler(engine);
        handler.setHandshakeTimeoutMillis(0);
        if (channel.pipeline().get(ProxyTunnel.HANDLER) != null) {
            // Behind the proxy's handler: TLS runs with the origin, through the tunnel.
            channel.pipeline().addAfter(ProxyTunnel.HANDLER, HANDLER, handler);
        } else {
            channel.pipeline().addFirst(HANDLER, handler);
        }
        return session;
    }

    /**
     * Waits for the TLS handshake of a connected channel, then runs the custom validation. Errors
     * with the certificate status of a refused chain or validation, or the handshake's failure;
     * the channel is closed on error and on cancel.
     */
    Mono<TlsSession.Result> handshake(Channel channel, TlsSession session) {
        SslHandler handler = (SslHandler) channel.pipeline().get(HANDLER);
        Mono<TlsSession.Result> done = Mono.create(sink -> {
            Future<Channel> handshake = handler.handshakeFuture();
            handshake.addListener(f -> {
                if (f.isSuccess()) {
                    try {
                        sink.success(result(handler.engine().getSession(), session));
                    } catch (SSLPeerUnverifiedException e) {
                        sink.error(new WebSocketException(WebErrorStatus.CERTIFICATE_IS_INVALID,
                                "the server of " + session.host + " sent no certificate", e));
                    }
                } else {
                    sink.error(failure(session, f.cause()));
                }
            });
            // Reads are the connection's to ask for (auto-read is off): the handshake's first.
            channel.eventLoop().execute(() -> {
                if (!handshake.isDone()) {
                    channel.read();
                }
            });
        });
        Mono<TlsSession.Result> checked = options.validation() == null ? done : done.flatMap(r -> validate(r, session));
        return checked.doOnError(e -> channel.close()).doOnCancel(channel::close);
    }

    /**
     * A connect that failed in TLS, or by the server ending the connection, after the server
     * asked for a client certificate that the client did not have: {@code CLIENT_CERTIFICATE_REQUIRED}.
     * With TLS 1.3 the server refuses only after the client's handshake ended, by an alert or by
     * closing the connection, so this is also asked of failures of the HTTP upgrade. Any other
     * failure as it is.
     */
    static Throwable explain(Throwable error, TlsSession session) {
        if (session == null || !session.certificateMissing) {
            return error;
        }
        WebErrorStatus status = WebSocketError.status(error);
        boolean ended = status == WebErrorStatus.CONNECTION_ABORTED || status == WebErrorStatus.CONNECTION_RESET;
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException || (ended && t.getCause() == null)) {
                return new WebSocketException(WebErrorStatus.CLIENT_CERTIFICATE_REQUIRED, "the server of " + session.host
                        + " asked for a client certificate, the client has none it accepts (clientCertificate), and it"
                        + " refused the connection: " + t.getMessage(), error);
            }
        }
        return error;
    }

    private static WebSocketException failure(TlsSession session, Throwable cause) {
        if (session.refusal != null) {
            return new WebSocketException(session.refusal.status(), session.refusal.getMessage(), cause);
        }
        Throwable explained = explain(cause, session);
        if (explained instanceof WebSocketException e) {
            return e;
        }
        return new WebSocketException(WebSocketError.status(cause),
                "the TLS handshake with " + session.host + " failed: " + cause.getMessage(), cause);
    }

    private static TlsSession.Result result(SSLSession ssl, TlsSession session) throws SSLPeerUnverifiedException {
        Certificate[] peer = ssl.getPeerCertificates();
        List<X509Certificate> intermediates = new ArrayList<>();
        for (int i = 1; i < peer.length; i++) {
            intermediates.add((X509Certificate) peer[i]);
        }
        return new TlsSession.Result(ssl.getProtocol(), ssl.getCipherSuite(), (X509Certificate) peer[0],
                List.copyOf(intermediates), session.errors);
    }

    private Mono<TlsSession.Result> validate(TlsSession.Result result, TlsSession session) {
        Request request = new Request(session.host, result.server(), result.intermediates(), result.errors(), result.severity());
        String who = "serverCertificateValidation for " + session.host;
        return Mono.defer(() -> {
                    session.validating = true;
                    return Mono.from(options.validation().apply(request));
                })
                // Not on cancel: the connect timeout cancels first, then reads it.
                .doOnTerminate(() -> session.validating = false)
                .onErrorMap(e -> new WebSocketException(WebErrorStatus.CERTIFICATE_IS_INVALID, who + " failed: " + e, e))
                .switchIfEmpty(Mono.error(() -> new WebSocketException(WebErrorStatus.CERTIFICATE_IS_INVALID,
                        who + " answered nothing: the certificate is rejected")))
                .flatMap(accepted -> accepted ? Mono.just(result) : Mono.error(new WebSocketException(
                        WebErrorStatus.CERTIFICATE_IS_INVALID, who + " rejected the certificate "
                                + result.server().getSubjectX500Principal().getName())));
    }

    /** What the custom validation is asked. */
    private record Request(String host, X509Certificate serverCertificate, List<X509Certificate> intermediateCertificates,
            Set<ChainValidationResult> errors, ServerCertificateErrorSeverity severity) implements ServerCertificateValidation {

        @Override
        public String publicKeyPin() {
            try {
                byte[] hash = MessageDigest.getInstance("SHA-256").digest(serverCertificate.getPublicKey().getEncoded());
                return "sha256/" + Base64.getEncoder().encodeToString(hash);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JVM has no SHA-256", e);
            }
        }
    }
}
