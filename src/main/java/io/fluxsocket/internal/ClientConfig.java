package io.fluxsocket.internal;

import io.fluxsocket.HostResolver;
import io.fluxsocket.PerMessageDeflate;
import io.fluxsocket.ReceiveMode;
import io.fluxsocket.ServerCredential;
import io.fluxsocket.WebSocketMetrics;
import io.fluxsocket.WebSocketProxy;

import java.net.ProxySelector;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * The validated, immutable options of a client, as the public builder set them ({@code resolver}
 * never null; {@code connectAttemptTimeout} null for the connect timeout). Public only for
 * {@link io.fluxsocket.WebSocketClient.Builder} to build it: the module does not export this package.
 */
public record ClientConfig(
        Duration connectTimeout,
        Duration sendTimeout,
        Duration closeTimeout,
        boolean noDelay,
        Map<String, Mono<String>> headers,
        List<String> subprotocols,
        int maxFramePayload,
        int receiveBufferBytes,
        int outboundBufferBytes,
        int maxMessageSize,
        ReceiveMode receiveMode,
        TlsOptions tls,
        Duration keepAliveInterval,
        Duration keepAliveTimeout,
        Duration idleTimeout,
        Duration unsolicitedPongInterval,
        PerMessageDeflate perMessageDeflate,
        WebSocketMetrics metrics,
        WebSocketProxy proxy,
        ProxySelector proxySelector,
        ServerCredential serverCredential,
        int maxRedirects,
        HostResolver resolver,
        Duration connectAttemptTimeout) {

    /** Options with the default TLS options. */
    public ClientConfig(Duration connectTimeout, Duration sendTimeout, Duration closeTimeout, boolean noDelay,
            Map<String, Mono<String>> headers, List<String> subprotocols, int maxFramePayload, int receiveBufferBytes,
            int outboundBufferBytes, int maxMessageSize, ReceiveMode receiveMode) {
        this(connectTimeout, sendTimeout, closeTimeout, noDelay, headers, subprotocols, maxFramePayload,
                receiveBufferBytes, outboundBufferBytes, maxMessageSize, receiveMode, TlsOptions.DEFAULT, null, null, null, null, null, null, null, null,
                null, 0, HostResolver.system(), null);
    }
}
