package io.fluxsocket.spring.boot;

import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.spring.FluxsocketWebSocketClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;

/**
 * Spring Boot's auto-configuration of fluxsocket, when Spring WebFlux is on the class path: a
 * fluxsocket {@link WebSocketClient} (bean {@code fluxsocketClient}) from the {@code fluxsocket.*}
 * properties and the {@link FluxsocketBuilderCustomizer}s, unless the application defines a
 * {@code WebSocketClient} of fluxsocket's; and Spring's
 * {@link org.springframework.web.reactive.socket.client.WebSocketClient} on it, a
 * {@link FluxsocketWebSocketClient} (bean {@code fluxsocketWebSocketClient}), unless the
 * application defines a Spring {@code WebSocketClient} of its own.
 */
@AutoConfiguration
@ConditionalOnClass(org.springframework.web.reactive.socket.client.WebSocketClient.class)
@EnableConfigurationProperties(FluxsocketProperties.class)
public class FluxsocketAutoConfiguration {

    /** Made by Spring Boot. */
    public FluxsocketAutoConfiguration() {
    }

    /**
     * The fluxsocket client: the builder's defaults, then the properties (TLS from the SSL bundle
     * {@code fluxsocket.ssl.bundle} names), then each customizer.
     *
     * @throws WebSocketException with {@code INVALID_ARGUMENT} for an invalid property, or an SSL
     *     bundle named without {@code SslBundles} in the application; Boot's
     *     {@code NoSuchSslBundleException} for a bundle it does not have
     */
    @Bean
    @ConditionalOnMissingBean
    public WebSocketClient fluxsocketClient(FluxsocketProperties properties,
            ObjectProvider<FluxsocketBuilderCustomizer> customizers, ObjectProvider<SslBundles> sslBundles) {
        WebSocketClient.Builder builder = WebSocketClient.builder();
        properties.applyTo(builder);
        String bundle = properties.ssl() == null ? null : properties.ssl().bundle();
        if (bundle != null) {
            SslBundles bundles = sslBundles.getIfAvailable();
            if (bundles == null) {
                throw new WebSocketException(WebErrorStatus.INVALID_ARGUMENT,
                        "fluxsocket.ssl.bundle: '" + bundle + "' is set, but the application has no SslBundles");
            }
            // The bundle's trust and key managers decide, as with Builder.sslContext.
            builder.sslContext(bundles.getBundle(bundle).createSslContext());
        }
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        return builder.build();
    }

    /** Spring WebFlux's {@code WebSocketClient} on the fluxsocket client. */
    @Bean
    @ConditionalOnMissingBean(org.springframework.web.reactive.socket.client.WebSocketClient.class)
    public FluxsocketWebSocketClient fluxsocketWebSocketClient(WebSocketClient fluxsocketClient) {
        return new FluxsocketWebSocketClient(fluxsocketClient);
    }
}
