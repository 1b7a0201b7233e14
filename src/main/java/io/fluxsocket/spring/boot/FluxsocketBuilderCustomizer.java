package io.fluxsocket.spring.boot;

import io.fluxsocket.WebSocketClient;

/**
 * Customizes the builder of the fluxsocket client that {@link FluxsocketAutoConfiguration} provides,
 * after the {@code fluxsocket.*} properties were applied: for what properties do not cover (TLS
 * trust and client certificates, proxies, metrics, certificate validation…). Every bean of this type
 * is applied, in their {@code @Order}.
 */
@FunctionalInterface
public interface FluxsocketBuilderCustomizer {

    /** Sets options on {@code builder}, which already has those of the properties. */
    void customize(WebSocketClient.Builder builder);
}
