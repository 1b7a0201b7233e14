package io.fluxsocket;

import io.fluxsocket.WebSocketClient.Builder;
import io.fluxsocket.internal.ClientConfig;
import io.fluxsocket.internal.DefaultWebSocketClient;
import io.fluxsocket.internal.TlsOptions;

import java.net.ProxySelector;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * The one {@link WebSocketClient.Builder}: it checks each option as it is set (an
 * {@code INVALID_ARGUMENT} naming it, see {@link Arguments}; TLS files are read now, through
 * {@link TlsMaterial}) and builds the client's {@link ClientConfig}. Each method does what the
 * interface's javadoc says. The fields hold the options as set, defaults until then; not
 * thread-safe, as the interface says.
 */
final class ClientBuilder implements Builder {


    private Duration connectTimeout = Duration.ofSeconds(60);
    private Duration sendTimeout = Duration.ofSeconds(30);
    private Duration closeTimeout = Duration.ofSeconds(5);
    private boolean noDelay = true;
    /** Each header's value, fixed ones as {@code Mono.just}, in the order they were set. */
    private final Map<String, Mono<String>> headers = new LinkedHashMap<>();
    private final List<String> subprotocols = new ArrayList<>();
    private int maxFramePayload = 64 * 1024;
    private int receiveBufferBytes = 256 * 1024;
    private int outboundBufferBytes = 1024 * 1024;
    private int maxMessageSize = 1024 * 1024;
    private ReceiveMode receiveMode = ReceiveMode.WHOLE;
    /** Whose trust decides: null for the JVM's default. */
    private TrustManagerFactory trust;
    /** The argument that set {@link #trust}, for errors. */
    private String trustArgument;
    private KeyManagerFactory keys;
    private SSLContext sslContext;
    private final Set<ChainValidationResult> ignorable = EnumSet.noneOf(ChainValidationResult.class);
    private Function<ServerCertificateValidation, ? extends Publisher<Boolean>> validation;
    private List<String> tlsProtocols = List.of();
    private List<String> cipherSuites = List.of();
    /** The keep-alive's interval and timeout; null for none. */
    private Duration keepAliveInterval;
    private Duration keepAliveTimeout;
    /** No data either way for this long closes the connection with 1001; null for none. */
    private Duration idleTimeout;
    private Duration unsolicitedPongInterval;
    private PerMessageDeflate perMessageDeflate;
    /** Told of each connection's life; null for none. */
    private WebSocketMetrics metrics;
    /** The one proxy of every connection (but those it bypasses); null for none. */
    private WebSocketProxy proxy;
    /** Asked for the proxy of each connection instead; null for none. */
    private ProxySelector proxySelector;
    /** The credential of every connection (but those with one of their own); null for none. */
    private ServerCredential serverCredential;
    /** How many redirects a connect follows; 0 for none. */
    private int maxRedirects;
    /** Finds the addresses of a host name for direct connections. */
    private HostResolver resolver = HostResolver.system();
    /** The longest one TCP connect to one address may take; null for the connect timeout. */
    private Duration connectAttemptTimeout;

    ClientBuilder() {
    }

    @Override
    public Builder connectTimeout(Duration timeout) {
        this.connectTimeout = Arguments.positive(timeout, "connectTimeout");
        return this;
    }

    @Override
    public Builder sendTimeout(Duration timeout) {
        this.sendTimeout = Arguments.positive(timeout, "sendTimeout");
        return this;
    }

    @Override
    public Builder closeTimeout(Duration timeout) {
        this.closeTimeout = Arguments.positive(timeout, "closeTimeout");
        return this;
    }

    @Override
    public Builder noDelay(boolean noDelay) {
        this.noDelay = noDelay;
        return this;
    }

    @Override
    public Builder header(String name, String value) {
        Arguments.putHeader(headers, name, value);
        return this;
    }

    @Override
    public Builder header(String name, Mono<String> value) {
        Arguments.putHeader(headers, name, value);
        return this;
    }

    @Override
    public Builder subprotocols(String... protocols) {
        List<String> list = Arguments.subprotocols(protocols);
        subprotocols.clear();
        subprotocols.addAll(list);
        return this;
    }

    @Override
    public Builder maxFramePayload(int bytes) {
        this.maxFramePayload = Arguments.range(bytes, 125, 16 * 1024 * 1024, "maxFramePayload");
        return this;
    }

    @Override
    public Builder receiveBufferBytes(int bytes) {
        this.receiveBufferBytes = Arguments.range(bytes, 1024, 1 << 30, "receiveBufferBytes");
        return this;
    }

    @Override
    public Builder outboundBufferBytes(int bytes) {
        this.outboundBufferBytes = Arguments.range(bytes, 1024, 1 << 30, "outboundBufferBytes");
        return this;
    }

    @Override
    public Builder maxMessageSize(int bytes) {
        this.maxMessageSize = Arguments.range(bytes, 1, 1 << 30, "maxMessageSize");
        return this;
    }

    @Override
    public Builder receiveMode(ReceiveMode mode) {
        if (mode == null) {
            throw Arguments.invalid("receiveMode", "must not be null");
        }
        this.receiveMode = mode;
        return this;
    }

    @Override
    public Builder keepAlive(Duration interval, Duration timeout) {
        this.keepAliveInterval = Arguments.positive(interval, "keepAlive interval");
        this.keepAliveTimeout = Arguments.positive(timeout, "keepAlive timeout");
        return this;
    }

    @Override
    public Builder idleTimeout(Duration timeout) {
        this.idleTimeout = Arguments.positive(timeout, "idleTimeout");
        return this;
    }

    @Override
    public Builder unsolicitedPongInterval(Duration interval) {
        this.unsolicitedPongInterval = Arguments.positive(interval, "unsolicitedPongInterval");
        return this;
    }

    @Override
    public Builder perMessageDeflate(PerMessageDeflate deflate) {
        if (deflate == null) {
            throw Arguments.invalid("perMessageDeflate", "must not be null (leave it unset for no compression)");
        }
        this.perMessageDeflate = deflate;
        return this;
    }

    @Override
    public Builder metrics(WebSocketMetrics metrics) {
        if (metrics == null) {
            throw Arguments.invalid("metrics", "must not be null");
        }
        this.metrics = metrics;
        return this;
    }

    // ---- Proxies ----

    @Override
    public Builder proxy(WebSocketProxy proxy) {
        if (proxy == null) {
            throw Arguments.invalid("proxy", "must not be null (leave it unset for direct connections)");
        }
        this.proxy = proxy;
        this.proxySelector = null;
        return this;
    }

    @Override
    public Builder systemProxy() {
        return proxySelector(JvmProxySelector.INSTANCE);
    }

    @Override
    public Builder proxySelector(ProxySelector selector) {
        if (selector == null) {
            throw Arguments.invalid("proxySelector", "must not be null");
        }
        this.proxySelector = selector;
        this.proxy = null;
        return this;
    }

    // ---- Server credentials and redirects ----

    @Override
    public Builder serverCredential(ServerCredential credential) {
        if (credential == null) {
            throw Arguments.invalid("serverCredential", "must not be null (leave it unset for none)");
        }
        this.serverCredential = credential;
        return this;
    }

    @Override
    public Builder serverCredential(String username, String password) {
        return serverCredential(ServerCredential.of(username, password));
    }

    @Override
    public Builder maxRedirects(int redirects) {
        this.maxRedirects = Arguments.range(redirects, 0, 100, "maxRedirects");
        return this;
    }

    // ---- Addresses ----

    @Override
    public Builder resolver(HostResolver resolver) {
        if (resolver == null) {
            throw Arguments.invalid("resolver", "must not be null (HostResolver.system() is the default)");
        }
        this.resolver = resolver;
        return this;
    }

    @Override
    public Builder connectAttemptTimeout(Duration timeout) {
        this.connectAttemptTimeout = Arguments.positive(timeout, "connectAttemptTimeout");
        return this;
    }

    // ---- TLS (wss://) ----

    @Override
    public Builder trustedCertificates(Path pemFile) {
        return trust(TlsMaterial.trustPem(pemFile, "trustedCertificates"), "trustedCertificates");
    }

    @Override
    public Builder trustedCertificates(X509Certificate... certificates) {
        return trust(TlsMaterial.trust(TlsMaterial.list(certificates), "trustedCertificates"), "trustedCertificates");
    }

    @Override
    public Builder trustStore(KeyStore trustStore) {
        return trust(TlsMaterial.trust(trustStore, "trustStore"), "trustStore");
    }

    @Override
    public Builder trustManagerFactory(TrustManagerFactory factory) {
        if (factory == null) {
            throw Arguments.invalid("trustManagerFactory", "must not be null");
        }
        return trust(factory, "trustManagerFactory");
    }

    private Builder trust(TrustManagerFactory factory, String argument) {
        this.trust = factory;
        this.trustArgument = argument;
        return this;
    }

    @Override
    public Builder sslContext(SSLContext context) {
        if (context == null) {
            throw Arguments.invalid("sslContext", "must not be null");
        }
        this.sslContext = context;
        return this;
    }

    @Override
    public Builder clientCertificate(Path certificateChainPem, Path privateKeyPem) {
        this.keys = TlsMaterial.keysPem(certificateChainPem, privateKeyPem, "clientCertificate");
        return this;
    }

    @Override
    public Builder clientCertificate(Path pkcs12File, char[] password) {
        this.keys = TlsMaterial.keysPkcs12(pkcs12File, password, "clientCertificate");
        return this;
    }

    @Override
    public Builder clientCertificate(PrivateKey key, X509Certificate... chain) {
        this.keys = TlsMaterial.keys(key, TlsMaterial.list(chain), "clientCertificate");
        return this;
    }

    @Override
    public Builder keyManagerFactory(KeyManagerFactory factory) {
        if (factory == null) {
            throw Arguments.invalid("keyManagerFactory", "must not be null");
        }
        this.keys = factory;
        return this;
    }

    @Override
    public Builder ignorableServerCertificateErrors(ChainValidationResult... errors) {
        if (errors == null) {
            throw Arguments.invalid("ignorableServerCertificateErrors", "must not be null");
        }
        return ignorableServerCertificateErrors(Arrays.asList(errors));
    }

    @Override
    public Builder ignorableServerCertificateErrors(Collection<ChainValidationResult> errors) {
        if (errors == null) {
            throw Arguments.invalid("ignorableServerCertificateErrors", "must not be null");
        }
        EnumSet<ChainValidationResult> set = EnumSet.noneOf(ChainValidationResult.class);
        for (ChainValidationResult e : errors) {
            if (e == null) {
                throw Arguments.invalid("ignorableServerCertificateErrors", "must not contain null");
            }
            if (!e.isIgnorable()) {
                throw Arguments.invalid("ignorableServerCertificateErrors", e + " can never be ignored");
            }
            set.add(e);
        }
        ignorable.clear();
        ignorable.addAll(set);
        return this;
    }

    @Override
    public Builder serverCertificateValidation(Function<ServerCertificateValidation, ? extends Publisher<Boolean>> validation) {
        if (validation == null) {
            throw Arguments.invalid("serverCertificateValidation", "must not be null");
        }
        this.validation = validation;
        return this;
    }

    @Override
    public Builder tlsProtocols(String... protocols) {
        this.tlsProtocols = TlsMaterial.supported(protocols, "tlsProtocols", true);
        return this;
    }

    @Override
    public Builder cipherSuites(String... suites) {
        this.cipherSuites = TlsMaterial.supported(suites, "cipherSuites", false);
        return this;
    }

    @Override
    public WebSocketClient build() {
        if (sslContext != null) {
            String clash = trust != null ? trustArgument : keys != null ? "clientCertificate"
                    : !ignorable.isEmpty() ? "ignorableServerCertificateErrors" : null;
            if (clash != null) {
                throw Arguments.invalid("sslContext", "cannot be combined with " + clash
                        + ": the context's own trust and key managers decide");
            }
        }
        TlsOptions tls = new TlsOptions(trust, keys, sslContext, Set.copyOf(ignorable), validation, tlsProtocols, cipherSuites);
        return new DefaultWebSocketClient(new ClientConfig(connectTimeout, sendTimeout, closeTimeout, noDelay,
                Collections.unmodifiableMap(new LinkedHashMap<>(headers)), List.copyOf(subprotocols), maxFramePayload, receiveBufferBytes,
                outboundBufferBytes, maxMessageSize, receiveMode, tls, keepAliveInterval, keepAliveTimeout, idleTimeout,
                unsolicitedPongInterval, perMessageDeflate, metrics, proxy, proxySelector,
                serverCredential, maxRedirects, resolver, connectAttemptTimeout));
    }
}
