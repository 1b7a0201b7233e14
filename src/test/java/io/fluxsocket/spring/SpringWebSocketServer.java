package io.fluxsocket.spring;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * A Spring WebFlux WebSocket server on Reactor Netty (or Jetty 12), on loopback, for one test class:
 * Spring's own server stack ({@link HandshakeWebSocketService} with
 * {@link ReactorNettyRequestUpgradeStrategy}, behind {@link WebHttpHandlerBuilder} and
 * {@link ReactorHttpHandlerAdapter}; on Jetty, their Jetty core counterparts), a
 * {@link WebSocketHandler} per path. Paths under {@code /ping-aware/} upgrade with
 * {@code handlePing(true)}, so their handlers receive the client's Pings as messages. Events the
 * handlers record (such as the close status a session ended with) go to {@link #events()}.
 */
public final class SpringWebSocketServer implements AutoCloseable {

    /** The server's port on 127.0.0.1. */
    private final int port;
    /** Stops the server (Reactor Netty's or Jetty's). */
    private final Runnable stop;
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    /**
     * The server of the adapter's tests, on these paths (handlers recording events record
     * {@code <prefix> <code> <reason>} when their session ended):
     * <ul>
     *   <li>{@code /echo}: every message back as it came;</li>
     *   <li>{@code /sub-protocol}: offers {@code echo-v1}, sends the selected one as text;</li>
     *   <li>{@code /custom-header}: sends the values of {@code my-header}, {@code Cookie} and {@code X-Client};</li>
     *   <li>{@code /close}: closes with 4000 {@code server bye};</li>
     *   <li>{@code /expect-close}: waits for the client's Close, records {@code closed};</li>
     *   <li>{@code /big}: sends one 2048-byte binary message, records {@code big};</li>
     *   <li>{@code /ping-aware/describe}: receives Pings too; after two messages sends their
     *       {@code TYPE:payload}, sorted, joined with commas.</li>
     * </ul>
     */
    public static SpringWebSocketServer scenarios() {
        return scenarios(false);
    }

    /**
     * {@link #scenarios()} on Jetty 12 (Spring's {@code JettyCoreHttpHandlerAdapter} and
     * {@code JettyCoreRequestUpgradeStrategy}; {@code /ping-aware/} paths as the others), for the
     * {@code jetty-tests} execution, the only one with Jetty on its class path.
     */
    public static SpringWebSocketServer scenariosOnJetty() {
        return scenarios(true);
    }

    private static SpringWebSocketServer scenarios(boolean jetty) {
        return new SpringWebSocketServer(jetty, server -> Map.of(

                "/echo", session -> session.send(session.receive().doOnNext(WebSocketMessage::retain)),
                "/sub-protocol", new WebSocketHandler() {
                    @Override
                    public List<String> getSubProtocols() {
                        return List.of("echo-v1");
                    }

                    @Override
                    public Mono<Void> handle(WebSocketSession session) {
                        return session.send(Mono.just(session.textMessage(session.getHandshakeInfo().getSubProtocol())));
                    }
                },
                "/custom-header", session -> {
                    HttpHeaders headers = session.getHandshakeInfo().getHeaders();
                    return session.send(Mono.just(session.textMessage("my-header:" + values(headers, "my-header")
                            + " cookie:" + values(headers, "Cookie") + " x-client:" + values(headers, "X-Client"))));
                },
                "/close", session -> session.close(new CloseStatus(4000, "server bye")),
                "/expect-close", session -> server.recordingClose("closed").handle(session),
                "/big", session -> session.send(Mono.just(session.binaryMessage(f -> f.wrap(new byte[2048]))))
                        .then(server.recordingClose("big").handle(session)),
                // Cancelling a Reactor Netty session's receive() closes it: this one reads on.
                "/ping-aware/describe", session -> {
                    List<String> seen = new CopyOnWriteArrayList<>();
                    return session.send(session.receive()
                            .map(m -> m.getType() + ":" + m.getPayloadAsText())
                            .filter(seen::add)
                            .filter(m -> seen.size() == 2)
                            .map(m -> session.textMessage(seen.stream().sorted().collect(Collectors.joining(",")))));
                }));
    }

    SpringWebSocketServer(boolean jetty, Function<SpringWebSocketServer, Map<String, WebSocketHandler>> handlers) {
        Map<String, WebSocketHandler> routes = new LinkedHashMap<>(handlers.apply(this));
        HandshakeWebSocketService service;
        HandshakeWebSocketService pingService;
        if (jetty) {
            // Jetty's types only in JettyServer, which only this branch loads.
            service = JettyServer.webSocketService();
            pingService = service;
        } else {
            service = new HandshakeWebSocketService(new ReactorNettyRequestUpgradeStrategy());
            Supplier<WebsocketServerSpec.Builder> pingAware = () -> WebsocketServerSpec.builder().handlePing(true);
            pingService = new HandshakeWebSocketService(new ReactorNettyRequestUpgradeStrategy(pingAware));
        }
        HttpHandler http = WebHttpHandlerBuilder.webHandler(exchange -> {
            String path = exchange.getRequest().getPath().value();
            WebSocketHandler handler = routes.get(path);
            if (handler == null) {
                exchange.getResponse().setStatusCode(HttpStatus.NOT_FOUND);
                return exchange.getResponse().setComplete();
            }
            // Headers set before the upgrade are part of the 101 response.
            exchange.getResponse().getHeaders().set("X-Served-By", "spring-webflux");
            exchange.getResponse().getHeaders().add("Set-Cookie", "session=abc; Path=/");
            return (path.startsWith("/ping-aware/") ? pingService : service).handleRequest(exchange, handler);
        }).build();
        if (jetty) {
            JettyServer server = JettyServer.start(http);
            this.port = server.port();
            this.stop = server::stop;
        } else {
            DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                    .handle(new ReactorHttpHandlerAdapter(http))
                    .bindNow();
            this.port = server.port();
            this.stop = server::disposeNow;
        }
    }

    /** The {@code ws://} URI of {@code path} on this server. */
    public URI uri(String path) {
        return URI.create("ws://127.0.0.1:" + port + path);
    }

    /** Records an event of a handler, for the test to take. */
    void record(String event) {
        events.add(event);
    }

    /** The next event a handler recorded, waiting up to 10 s; fails if none came. */
    public String nextEvent() throws InterruptedException {
        String event = events.poll(10, TimeUnit.SECONDS);
        if (event == null) {
            throw new AssertionError("no event from the server's handlers within 10 s");
        }
        return event;
    }

    /** Every recorded event not taken yet. */
    public BlockingQueue<String> events() {
        return events;
    }

    /** A handler that does nothing until the session ends, then records its close status as {@code prefix code reason}. */
    WebSocketHandler recordingClose(String prefix) {
        return session -> session.receive().then(session.closeStatus()
                .doOnNext(status -> record(prefix + " " + status.getCode() + " " + status.getReason()))
                .then());
    }

    @Override
    public void close() {
        stop.run();
    }

    /**
     * Every value of a header. {@code HttpHeaders.get} is {@code get(String)} in Spring 7 and
     * {@code Map.get(Object)} in 6.2: code compiled against one fails on the other, so neither is called.
     */
    static List<String> values(HttpHeaders headers, String name) {
        List<String> values = new ArrayList<>();
        headers.forEach((n, v) -> {
            if (n.equalsIgnoreCase(name)) {
                values.addAll(v);
            }
        });
        return values;
    }
}
