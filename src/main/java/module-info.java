/**
 * fluxsocket: a reactive streaming WebSocket client on Project Reactor and Reactor Netty. The API is
 * {@code io.fluxsocket} (start at {@link io.fluxsocket.WebSocketClient}), the blocking adapters
 * {@code io.fluxsocket.io}, the Micrometer reporter {@code io.fluxsocket.micrometer} (usable only
 * with Micrometer present) and the Spring WebFlux adapter {@code io.fluxsocket.spring} (usable only
 * with Spring WebFlux present); the implementation ({@code io.fluxsocket.internal}) and the command-line
 * tool ({@code io.fluxsocket.cli}) are not exported.
 */
module io.fluxsocket {
    requires transitive org.reactivestreams;
    requires transitive reactor.core;
    requires reactor.netty.core;
    requires reactor.netty.http;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.codec.http;
    requires io.netty.common;
    requires io.netty.handler;
    requires io.netty.handler.proxy;
    requires io.netty.resolver;
    requires io.netty.transport;
    requires java.naming;
    // The command-line tool's parser: optional, on the module path only where the tool runs.
    requires static info.picocli;
    // The Micrometer reporter's meters: optional, needed only by an application that uses
    // io.fluxsocket.micrometer (which then has Micrometer itself).
    requires static micrometer.core;
    // The Spring WebFlux adapter's types: optional, needed only by an application that uses
    // io.fluxsocket.spring (which then has Spring WebFlux itself).
    requires static spring.core;
    requires static spring.web;
    requires static spring.webflux;

    exports io.fluxsocket;
    exports io.fluxsocket.io;
    exports io.fluxsocket.micrometer;
    exports io.fluxsocket.spring;

    // picocli reads and sets the tool's annotated option fields by reflection.
    opens io.fluxsocket.cli to info.picocli;
}
