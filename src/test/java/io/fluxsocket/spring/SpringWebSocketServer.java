package io.fluxsocket.spring;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * A Spring WebFlux WebSocket server on Reactor Netty, on loopback, for one test class: Spring's own
 * server stack ({@link HandshakeWebSocketService} with {@link ReactorNettyRequestUpgradeStrategy},
 * behind {@link WebHttpHandlerBuilder} and {@link ReactorHttpHandlerAdapter}), a
 * {@link WebSocketHandler} per path. Paths under {@code /ping-aware/} upgrade with
 * {@code handlePing(true)}, so their handlers receive the client's Pings as messages. Events the
 * handlers record (such as the close status a session ended with) go to {@link #events()}.
 */
final class SpringWebSocketServer implements AutoCloseable {

    private final DisposableServer server;
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    SpringWebSocketServer(Map<String, WebSocketHandler> handlers) {
        Map<String, WebSocketHandler> routes = new LinkedHashMap<>(handlers);
        HandshakeWebSocketService service = new HandshakeWebSocketService(new ReactorNettyRequestUpgradeStrategy());
        Supplier<WebsocketServerSpec.Builder> pingAware = () -> WebsocketServerSpec.builder().handlePing(true);
        HandshakeWebSocketService pingService = new HandshakeWebSocketService(new ReactorNettyRequestUpgradeStrategy(pingAware));
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
        this.server = HttpServer.create().host("127.0.0.1").port(0)
                .handle(new ReactorHttpHandlerAdapter(http))
                .bindNow();
    }

    /** The {@code ws://} URI of {@code path} on this server. */
    URI uri(String path) {
        return URI.create("ws://127.0.0.1:" + server.port() + path);
    }

    /** Records an event of a handler, for the test to take. */
    void record(String event) {
        events.add(event);
    }

    /** The next event a handler recorded, waiting up to 10 s; fails if none came. */
    String nextEvent() throws InterruptedException {
        String event = events.poll(10, TimeUnit.SECONDS);
        if (event == null) {
            throw new AssertionError("no event from the server's handlers within 10 s");
        }
        return event;
    }

    /** Every recorded event not taken yet. */
    BlockingQueue<String> events() {
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
        server.disposeNow();
    }
}
