/**
 * The Spring Boot auto-configuration of fluxsocket: {@link io.fluxsocket.spring.boot.FluxsocketAutoConfiguration}
 * provides a fluxsocket {@link io.fluxsocket.WebSocketClient} built from the {@code fluxsocket.*}
 * properties ({@link io.fluxsocket.spring.boot.FluxsocketProperties}) and
 * {@link io.fluxsocket.spring.boot.FluxsocketBuilderCustomizer}s, and Spring WebFlux's
 * {@code WebSocketClient} on it, each unless the application defines its own. Spring Boot (3.5 or 4.0)
 * is an optional dependency: this package is used only by Boot, which finds the auto-configuration
 * in {@code META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports}.
 */
package io.fluxsocket.spring.boot;
