/**
 * fluxsocket: a reactive streaming WebSocket client on Project Reactor and Reactor Netty. The API is
 * {@code io.fluxsocket} (start at {@link io.fluxsocket.WebSocketClient}), the blocking adapters
 * {@code io.fluxsocket.io}, the Micrometer reporter {@code io.fluxsocket.micrometer} (usable only
 * with Micrometer present) and the Spring WebFlux adapter {@code io.fluxsocket.spring} (usable only
 * with Spring WebFlux present) with its Boot auto-configuration {@code io.fluxsocket.spring.boot}; the implementation ({@code io.fluxsocket.internal}) and the command-line
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
    // The Spring Boot auto-configuration (io.fluxsocket.spring.boot): optional likewise.
    requires static spring.beans;
    requires static spring.context;
    requires static spring.boot;
    requires static spring.boot.autoconfigure;

    exports io.fluxsocket;
    exports io.fluxsocket.io;
    exports io.fluxsocket.micrometer;
    exports io.fluxsocket.spring;
    exports io.fluxsocket.spring.boot;
    // Spring Boot binds the properties by reflection, and Spring creates the auto-configuration.
    opens io.fluxsocket.spring.boot to spring.beans, spring.core, spring.context, spring.boot;

    // picocli reads and sets the tool's annotated option fields by reflection.
    opens io.fluxsocket.cli to info.picocli;
}
