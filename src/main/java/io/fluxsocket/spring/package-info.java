/**
 * fluxsocket for Spring WebFlux: {@link io.fluxsocket.spring.FluxsocketWebSocketClient}, an
 * implementation of Spring's {@code org.springframework.web.reactive.socket.client.WebSocketClient}
 * on a fluxsocket {@link io.fluxsocket.WebSocketClient}, and its session,
 * {@link io.fluxsocket.spring.FluxsocketWebSocketSession}, which also gives the underlying
 * {@link io.fluxsocket.MessageWebSocket} for what Spring's model has no room for (messages of any
 * size streamed with bounded memory, pings with their round trip). Built on the public API only.
 * Spring WebFlux (Spring Framework 6.2 or 7.0) is an optional dependency: use this package only with
 * {@code spring-webflux} on the class or module path; the rest of the library neither needs nor
 * loads it.
 */
package io.fluxsocket.spring;
