package io.fluxsocket.spring.boot;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketMessage;
import io.fluxsocket.spring.FluxsocketWebSocketClient;
import io.netty.util.ResourceLeakDetector;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpHeaders;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The auto-configuration in a real Spring Boot application: {@code @SpringBootTest} starts
 * {@link WebSocketApplication} (auto-configuration only, no client bean of its own) on a random
 * port with Spring WebFlux's server on Reactor Netty, configured through {@code fluxsocket.*}
 * properties; the test is given the fluxsocket {@link WebSocketClient} and Spring's
 * {@code WebSocketClient} that Boot made, and talks to the application's WebSocket endpoints on its
 * {@link LocalServerPort}. Run with Boot 3.5 (Spring 6.2; execution {@code spring-6.2-tests}, where
 * the Boot 4 modules and Tomcat are off the class path) only: with Boot 4, Spring Framework 7's
 * {@code SpringExtension} needs JUnit Jupiter 6 ({@code NoSuchMethodError} on
 * {@code ExtensionContext.Store.computeIfAbsent} under 5.x), and the project's tests stay on JUnit 5;
 * the tag {@code spring-boot-test} keeps it out of the default execution. The code is Boot 4-ready:
 * it passed there with JUnit 6.1.3 on the class path.
 */
@Tag("spring")
@Tag("spring-boot-test")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@SpringBootTest(classes = FluxsocketSpringBootTest.WebSocketApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.main.banner-mode=off", "fluxsocket.max-message-size=1KB",
                "fluxsocket.headers.X-Client=boot-test", "fluxsocket.receive-mode=whole",
                "fluxsocket.connect-timeout=10s"})
// The server stops after this class, before the leak and error checks of the test extensions.
@DirtiesContext
class FluxsocketSpringBootTest {

    static {
        // Boot's java.util.logging system would reset java.util.logging (LogManager.readConfiguration),
        // removing the handlers of ErrorDetectionExtension and LeakDetectionExtension. Boot reads it when
        // the application starts, after this class is initialized; it stays set for the JVM (no other
        // test runs a SpringApplication).
        System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
    }

    private static final Duration WAIT = Duration.ofSeconds(10);

    @LocalServerPort
    private int port;
    @Autowired
    private ApplicationContext context;
    @Autowired
    private WebSocketClient client;
    @Autowired
    private org.springframework.web.reactive.socket.client.WebSocketClient springClient;
    @Autowired
    private ServerEvents events;

    @AfterEach
    void theServerRecordedNothingTheTestDidNotExpect() {
        assertEquals(List.of(), List.copyOf(events.queue), "events of the server that no test took");
    }

    @Test
    void bootStartsTheApplicationWithTheAutoConfiguredClients() {
        assertEquals(Map.of("fluxsocketClient", client), context.getBeansOfType(WebSocketClient.class));
        FluxsocketWebSocketClient spring = assertInstanceOf(FluxsocketWebSocketClient.class, springClient);
        assertSame(client, spring.client());
        assertEquals(String.valueOf(port), context.getEnvironment().getProperty("local.server.port"));
        // Boot's logging system stayed off: Netty's leak reports still reach LeakDetectionExtension.
        assertEquals(1, Logger.getLogger(ResourceLeakDetector.class.getName()).getHandlers().length,
                "the handlers of Netty's leak logger");
        // The pom runs this class with Boot 4.0 and again with 3.5 (execution spring-6.2-tests).
        String expected = System.getProperty("fluxsocket.test.spring-boot.version");
        Assumptions.assumeTrue(expected != null, "run outside Maven: no expected Boot version");
        assertEquals(expected, SpringBootVersion.getVersion());
    }

    @Test
    void theInjectedClientEchoesATextAndABinaryMessageAndClosesExactly() throws InterruptedException {
        byte[] bytes = new byte[1000];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31);
        }
        MessageWebSocket ws = client.connectMessages(uri("/echo")).block(WAIT);
        assertEquals("echo on ReactorNettyWebSocketSession", events.next(), "Spring WebFlux's server on Reactor Netty");
        ws.send(Flux.just(WebSocketMessage.text("hello, boot"), WebSocketMessage.binary(ByteBuffer.wrap(bytes))))
                .block(WAIT);
        List<WebSocketMessage> echoed = ws.receive().take(2).collectList().block(WAIT);
        assertEquals(2, echoed.size());
        assertEquals("hello, boot", echoed.get(0).text());
        assertFalse(echoed.get(1).isText(), "the second message is binary");
        ByteBuffer payload = echoed.get(1).payload();
        byte[] got = new byte[payload.remaining()];
        payload.get(got);
        assertArrayEquals(bytes, got);
        ws.close(4100, "done").block(WAIT);
        assertEquals(new CloseStatus(4100, "done", true), ws.closeStatus().block(WAIT), "the server's answer");
        assertEquals("echo 4100 done", events.next(), "the Close the server received");
    }

    @Test
    void theSpringClientOnItSendsTheConfiguredHeader() {
        AtomicReference<String> seen = new AtomicReference<>();
        springClient.execute(uri("/headers"), session -> session.receive().next()
                .map(org.springframework.web.reactive.socket.WebSocketMessage::getPayloadAsText)
                .doOnNext(seen::set).then()).block(WAIT);
        assertEquals("X-Client: [boot-test]", seen.get());
    }

    @Test
    void aMessageOverTheConfiguredMaximumFailsTheConnectionWith1009() throws InterruptedException {
        MessageWebSocket ws = client.connectMessages(uri("/big")).block(WAIT);
        WebSocketException e = assertThrows(WebSocketException.class, () -> ws.receive().blockLast(WAIT));
        assertEquals(WebErrorStatus.MESSAGE_TOO_BIG, e.status(), e.toString());
        CloseStatus status = ws.closeStatus().block(WAIT);
        assertEquals(CloseStatus.MESSAGE_TOO_BIG, status.code());
        assertFalse(status.remote(), "this client failed the connection");
        assertTrue(status.reason().startsWith("a message longer than 1024 bytes (maxMessageSize)"), status.reason());
        assertEquals("big 1009 " + status.reason(), events.next(), "the Close the server received");
    }

    @Test
    void theServersCloseStatusArrivesExactly() {
        MessageWebSocket ws = client.connectMessages(uri("/close")).block(WAIT);
        assertEquals(List.of(), ws.receive().collectList().block(WAIT), "no message before the Close");
        assertEquals(new CloseStatus(4000, "server bye", true), ws.closeStatus().block(WAIT));
    }

    private URI uri(String path) {
        return URI.create("ws://127.0.0.1:" + port + path);
    }

    /** What the application's WebSocket handlers recorded, in order. */
    static final class ServerEvents {

        /** Written by the handlers on the server's event loops, taken by the test thread. */
        final BlockingQueue<String> queue = new LinkedBlockingQueue<>();

        /** The next event, waiting up to 10 s; fails if none came. */
        String next() throws InterruptedException {
            String event = queue.poll(10, TimeUnit.SECONDS);
            if (event == null) {
                throw new AssertionError("no event from the server's handlers within 10 s");
            }
            return event;
        }
    }

    /**
     * The application: Boot's auto-configuration (WebFlux on Reactor Netty, and fluxsocket's) and
     * WebSocket endpoints, no client of its own. Handlers recording a close record
     * {@code <path> <code> <reason>} when their session ended:
     * <ul>
     *   <li>{@code /echo}: records {@code echo on <session class>}, sends every message back;</li>
     *   <li>{@code /headers}: sends the values of the request's {@code X-Client} header;</li>
     *   <li>{@code /big}: sends one 2048-byte binary message, records {@code big};</li>
     *   <li>{@code /close}: closes with 4000 {@code server bye}.</li>
     * </ul>
     */
    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class WebSocketApplication {

        @Bean
        ServerEvents serverEvents() {
            return new ServerEvents();
        }

        @Bean
        HandlerMapping webSocketEndpoints(ServerEvents events) {
            Map<String, WebSocketHandler> endpoints = Map.of(
                    "/echo", session -> {
                        events.queue.add("echo on " + session.getClass().getSimpleName());
                        return session.send(session.receive()
                                        .doOnNext(org.springframework.web.reactive.socket.WebSocketMessage::retain))
                                .then(recordClose(events, "echo", session));
                    },
                    "/headers", session -> session.send(Mono.just(session.textMessage(
                            "X-Client: " + values(session.getHandshakeInfo().getHeaders(), "X-Client")))),
                    "/big", session -> session.send(Mono.just(session.binaryMessage(f -> f.wrap(new byte[2048]))))
                            .then(session.receive().then())
                            .then(recordClose(events, "big", session)),
                    "/close", session -> session.close(new org.springframework.web.reactive.socket.CloseStatus(4000,
                            "server bye")));
            // Ahead of WebFlux's annotated and resource mappings.
            return new SimpleUrlHandlerMapping(endpoints, -1);
        }

        private static Mono<Void> recordClose(ServerEvents events, String path, WebSocketSession session) {
            return session.closeStatus()
                    .doOnNext(status -> events.queue.add(path + " " + status.getCode() + " " + status.getReason()))
                    .then();
        }

        /**
         * Every value of a header. {@code HttpHeaders.get} is {@code get(String)} in Spring 7 and
         * {@code Map.get(Object)} in 6.2: code compiled against one fails on the other.
         */
        private static List<String> values(HttpHeaders headers, String name) {
            List<String> values = new ArrayList<>();
            headers.forEach((n, v) -> {
                if (n.equalsIgnoreCase(name)) {
                    values.addAll(v);
                }
            });
            return values;
        }
    }
}
