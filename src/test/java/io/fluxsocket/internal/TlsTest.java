package io.fluxsocket.internal;

import io.fluxsocket.ReceiveMode;
import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketError;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.server.HttpServer;
import reactor.netty.tcp.TcpSslContextSpec;
import reactor.test.StepVerifier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code wss://}: TLS with the JDK's trust and host name checks, against a self-signed server. */
@Timeout(60)
class TlsTest {

    private static SelfSignedCertificate certificate;
    private static DisposableServer server;

    @BeforeAll
    @SuppressWarnings("deprecation")
    static void startServer() throws Exception {
        certificate = new SelfSignedCertificate("localhost");
        server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .secure(spec -> spec.sslContext(Http11SslContextSpec.forServer(certificate.certificate(), certificate.privateKey())))
                .handle((request, response) -> response.sendWebsocket(
                        (in, out) -> out.sendObject(in.receiveFrames().map(WebSocketFrame::retain))))
                .bindNow();
    }

    @AfterAll
    static void stopServer() {
        server.disposeNow();
        certificate.delete();
    }

    private static URI uri(String host) {
        return URI.create("wss://" + host + ":" + server.port() + "/");
    }

    /** A client that trusts the test certificate (the public API has no trust option yet). */
    private static DefaultWebSocketClient trusting() {
        ClientConfig config = new ClientConfig(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(5), true,
                Map.of(), List.of(), 64 * 1024, 256 * 1024, 256 * 1024, 1 << 20, ReceiveMode.WHOLE);
        return new DefaultWebSocketClient(config, tcp -> tcp.secure(spec -> spec.sslContext(
                TcpSslContextSpec.forClient().configure(b -> b.trustManager(certificate.certificate())))));
    }

    @Test
    void anUntrustedCertificateFailsTheConnectWithACertificateStatus() {
        StepVerifier.create(WebSocketClient.create().connect(uri("localhost")))
                .expectErrorSatisfies(e -> assertEquals(WebErrorStatus.CERTIFICATE_IS_INVALID, WebSocketError.status(e), e.toString()))
                .verify(Duration.ofSeconds(20));
    }

    @Test
    void aTrustedCertificateCarriesTheConnection() {
        StreamWebSocket ws = trusting().connect(uri("localhost")).block(Duration.ofSeconds(20));
        StepVerifier.create(ws.send(Mono.just(ByteBuffer.wrap(new byte[] {7, 8, 9}))).thenMany(ws.receive().take(1)))
                .expectNext(ByteBuffer.wrap(new byte[] {7, 8, 9}))
                .verifyComplete();
        ws.close().block(Duration.ofSeconds(10));
    }

    @Test
    void aCertificateForAnotherHostIsRefused() {
        // Trusted, but issued for "localhost", not for the address connected to.
        StepVerifier.create(trusting().connect(uri("127.0.0.1")))
                .expectErrorSatisfies(e -> assertEquals(WebErrorStatus.CERTIFICATE_COMMON_NAME_IS_INCORRECT,
                        WebSocketError.status(e), e.toString()))
                .verify(Duration.ofSeconds(20));
    }
}
