package io.fluxsocket.spring.boot;

import io.fluxsocket.ReceiveMode;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.spring.FluxsocketWebSocketClient;
import io.fluxsocket.spring.SpringWebSocketServer;
import io.fluxsocket.testing.TestPki;
import io.fluxsocket.testing.TestServer;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import reactor.core.publisher.Mono;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Boot auto-configuration in an {@link ApplicationContextRunner}: the beans it provides and
 * when it backs off, the {@code fluxsocket.*} properties and the customizers applied (seen in what
 * the clients do against Spring WebFlux's server), invalid properties refused at start, and where
 * it is registered. Run with Boot 4.0 and again with Boot 3.5 (Spring 6.2).
 */
@Tag("spring")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FluxsocketAutoConfigurationTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FluxsocketAutoConfiguration.class));
    private static SpringWebSocketServer server;

    @BeforeAll
    static void startServer() {
        server = SpringWebSocketServer.scenarios();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void theBootOnTheClassPathIsTheVersionThisRunIsFor() {
        // The pom runs these tests with Boot 4.0 and again with 3.5 (execution spring-6.2-tests).
        String expected = System.getProperty("fluxsocket.test.spring-boot.version");
        Assumptions.assumeTrue(expected != null, "run outside Maven: no expected Boot version");
        assertEquals(expected, SpringBootVersion.getVersion());
    }

    @Test
    void providesAFluxsocketClientAndSpringsWebSocketClientOnIt() {
        runner.run(context -> {
            WebSocketClient client = context.getBean(WebSocketClient.class);
            FluxsocketWebSocketClient spring = assertInstanceOf(FluxsocketWebSocketClient.class,
                    context.getBean(org.springframework.web.reactive.socket.client.WebSocketClient.class));
            assertSame(client, spring.client());
            assertEquals("hello", echo(spring, "hello"));
        });
    }

    @Test
    void thePropertiesApplyToTheClient() {
        runner.withPropertyValues("fluxsocket.max-message-size=1KB", "fluxsocket.headers.X-Client=from-boot",
                        "fluxsocket.connect-timeout=5s", "fluxsocket.keep-alive-interval=20s",
                        "fluxsocket.keep-alive-timeout=10s", "fluxsocket.receive-mode=whole")
                .run(context -> {
                    org.springframework.web.reactive.socket.client.WebSocketClient spring =
                            context.getBean(org.springframework.web.reactive.socket.client.WebSocketClient.class);
                    AtomicReference<String> headers = new AtomicReference<>();
                    spring.execute(server.uri("/custom-header"), session -> session.receive().next()
                            .map(WebSocketMessage::getPayloadAsText).doOnNext(headers::set).then()).block(WAIT);
                    assertTrue(headers.get().contains("x-client:[from-boot]"), headers.get());
                    // A 2 KiB message is over the 1 KB limit.
                    Mono<Void> big = spring.execute(server.uri("/big"), session -> session.receive().then());
                    WebSocketException e = assertThrows(WebSocketException.class, () -> big.block(WAIT));
                    assertEquals(WebErrorStatus.MESSAGE_TOO_BIG, e.status());
                    assertTrue(server.nextEvent().startsWith("big 1009 "));
                });
    }

    @Test
    void everyPropertyBindsAndTheClientIsBuiltWithIt() {
        runner.withPropertyValues("fluxsocket.connect-timeout=10s", "fluxsocket.send-timeout=31s",
                        "fluxsocket.close-timeout=4s", "fluxsocket.no-delay=false", "fluxsocket.headers.X-A=a",
                        "fluxsocket.subprotocols=v2,v1", "fluxsocket.max-frame-payload=32KB",
                        "fluxsocket.receive-buffer-bytes=512KB", "fluxsocket.outbound-buffer-bytes=2MB",
                        "fluxsocket.max-message-size=16MB", "fluxsocket.receive-mode=streamed",
                        "fluxsocket.keep-alive-interval=20s", "fluxsocket.keep-alive-timeout=10s",
                        "fluxsocket.idle-timeout=5m", "fluxsocket.unsolicited-pong-interval=30s", "fluxsocket.ssl.bundle=feeds")
                .withBean(SslBundles.class, () -> new DefaultSslBundleRegistry("feeds", SslBundle.of(null)))
                .run(context -> {
                    assertEquals(null, context.getStartupFailure());
                    FluxsocketProperties p = context.getBean(FluxsocketProperties.class);
                    assertEquals(new FluxsocketProperties(Duration.ofSeconds(10), Duration.ofSeconds(31), Duration.ofSeconds(4),
                            false, java.util.Map.of("X-A", "a"), java.util.List.of("v2", "v1"), DataSize.ofKilobytes(32),
                            DataSize.ofKilobytes(512), DataSize.ofMegabytes(2), DataSize.ofMegabytes(16), ReceiveMode.STREAMED,
                            Duration.ofSeconds(20), Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofSeconds(30),
                            new FluxsocketProperties.Ssl("feeds")), p);
                    assertEquals(1, context.getBeansOfType(WebSocketClient.class).size());
                });
    }

    @Test
    void tlsTrustAndTheClientCertificateComeFromAnSslBundle(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.get();
        Path ca = pki.writeCaPem(dir);
        Path chain = pki.client().writeChainPem(dir, "client.pem");
        Path key = pki.client().writeKeyPem(dir, "client-key.pem");
        try (TestServer tls = TestServer.echoingOverTls(pki.valid(), true)) {
            URI uri = tls.uri("wss", "localhost");
            ApplicationContextRunner withSsl = runner.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
                    .withPropertyValues("spring.ssl.bundle.pem.feeds.truststore.certificate=" + ca.toUri(),
                            "spring.ssl.bundle.pem.feeds.keystore.certificate=" + chain.toUri(),
                            "spring.ssl.bundle.pem.feeds.keystore.private-key=" + key.toUri());
            withSsl.withPropertyValues("fluxsocket.ssl.bundle=feeds").run(context -> {
                WebSocketClient client = context.getBean(WebSocketClient.class);
                io.fluxsocket.StreamWebSocket ws = client.connect(uri).block(WAIT);
                ws.send(Mono.just(java.nio.ByteBuffer.wrap(new byte[] {7}))).block(WAIT);
                assertEquals(1, ws.receive().next().block(WAIT).remaining());
                ws.close().block(WAIT);
            });
            // Without the bundle, the JVM's trust refuses the test CA.
            withSsl.run(context -> {
                Mono<io.fluxsocket.StreamWebSocket> connect = context.getBean(WebSocketClient.class).connect(uri);
                WebSocketException e = assertThrows(WebSocketException.class, () -> connect.block(WAIT));
                assertEquals(WebErrorStatus.CERTIFICATE_IS_INVALID, e.status(), e.toString());
            });
        }
    }

    @Test
    void anSslBundleTheApplicationDoesNotHaveFailsTheStart() {
        runner.withPropertyValues("fluxsocket.ssl.bundle=missing").run(context -> {
            Throwable failure = context.getStartupFailure();
            while (failure != null && !(failure instanceof WebSocketException)) {
                failure = failure.getCause();
            }
            WebSocketException e = assertInstanceOf(WebSocketException.class, failure);
            assertEquals(WebErrorStatus.INVALID_ARGUMENT, e.status());
            assertTrue(e.getMessage().startsWith("fluxsocket.ssl.bundle"), e.getMessage());
        });
    }

    @Test
    void customizersApplyAfterTheProperties() {
        runner.withPropertyValues("fluxsocket.max-message-size=1KB")
                .withBean(FluxsocketBuilderCustomizer.class, () -> builder -> builder.maxMessageSize(4096))
                .run(context -> {
                    org.springframework.web.reactive.socket.client.WebSocketClient spring =
                            context.getBean(org.springframework.web.reactive.socket.client.WebSocketClient.class);
                    AtomicReference<Integer> size = new AtomicReference<>();
                    spring.execute(server.uri("/big"), session -> session.receive().next()
                            .doOnNext(m -> size.set(m.getPayload().readableByteCount())).then()).block(WAIT);
                    assertEquals(2048, size.get());
                    assertEquals("big 1000 null", server.nextEvent());
                });
    }

    @Test
    void backsOffForTheApplicationsOwnClients() {
        WebSocketClient own = WebSocketClient.builder().receiveMode(ReceiveMode.STREAMED).build();
        runner.withBean(WebSocketClient.class, () -> own).run(context -> {
            assertSame(own, context.getBean(WebSocketClient.class));
            assertSame(own, context.getBean(FluxsocketWebSocketClient.class).client());
        });
        runner.withBean(ReactorNettyWebSocketClient.class, ReactorNettyWebSocketClient::new).run(context -> {
            assertInstanceOf(ReactorNettyWebSocketClient.class,
                    context.getBean(org.springframework.web.reactive.socket.client.WebSocketClient.class));
            assertEquals(1, context.getBeansOfType(WebSocketClient.class).size(), "the fluxsocket client is still there");
        });
    }

    @Test
    void doesNothingWithoutSpringWebFlux() {
        runner.withClassLoader(new FilteredClassLoader(org.springframework.web.reactive.socket.client.WebSocketClient.class))
                .run(context -> assertEquals(0, context.getBeansOfType(WebSocketClient.class).size()));
    }

    @Test
    void anInvalidPropertyFailsTheStartWithInvalidArgumentNamingIt() {
        runner.withPropertyValues("fluxsocket.max-message-size=0B").run(context -> {
            Throwable failure = context.getStartupFailure();
            while (failure != null && !(failure instanceof WebSocketException)) {
                failure = failure.getCause();
            }
            WebSocketException e = assertInstanceOf(WebSocketException.class, failure);
            assertEquals(WebErrorStatus.INVALID_ARGUMENT, e.status());
            assertTrue(e.getMessage().startsWith("maxMessageSize"), e.getMessage());
        });
        runner.withPropertyValues("fluxsocket.keep-alive-interval=20s").run(context -> {
            Throwable failure = context.getStartupFailure();
            while (failure != null && !(failure instanceof WebSocketException)) {
                failure = failure.getCause();
            }
            assertTrue(assertInstanceOf(WebSocketException.class, failure).getMessage().startsWith("keepAlive timeout"),
                    String.valueOf(failure));
        });
    }

    @Test
    void isRegisteredTheBootWay() throws Exception {
        try (var in = getClass().getClassLoader().getResourceAsStream(
                "META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports")) {
            String imports = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(imports.lines().anyMatch(FluxsocketAutoConfiguration.class.getName()::equals), imports);
        }
    }

    private static String echo(org.springframework.web.reactive.socket.client.WebSocketClient client, String text) {
        AtomicReference<String> echoed = new AtomicReference<>();
        client.execute(server.uri("/echo"), session -> session.send(Mono.just(session.textMessage(text)))
                .then(session.receive().next()).map(WebSocketMessage::getPayloadAsText).doOnNext(echoed::set).then())
                .block(WAIT);
        return echoed.get();
    }
}
