package io.fluxsocket;

import io.fluxsocket.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.Consumer;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every invalid argument is refused with INVALID_ARGUMENT, naming it, before any network I/O. */
@Timeout(30)
class ArgumentValidationTest {

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:%d/", "ftp://127.0.0.1:%d/", "/relative:%d", "ws:opaque%d",
            "ws:///no-host%d", "ws://127.0.0.1:%d/#fragment", "wss2://127.0.0.1:%d/"})
    void badUrisAreRefusedBeforeAnyConnection(String template) throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            URI uri = URI.create(String.format(template, listener.getLocalPort()));
            StepVerifier.create(WebSocketClient.create().connect(uri))
                    .expectErrorSatisfies(invalid("uri"))
                    .verify(Duration.ofSeconds(5));
            listener.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, listener::accept, "no connection was attempted");
        }
    }

    @Test
    void aNullUriIsAnInvalidArgument() {
        StepVerifier.create(WebSocketClient.create().connect((URI) null))
                .expectErrorSatisfies(invalid("uri"))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void aNullRequestIsAnInvalidArgument() {
        StepVerifier.create(WebSocketClient.create().connect((WebSocketRequest) null))
                .expectErrorSatisfies(invalid("request"))
                .verify(Duration.ofSeconds(5));
        StepVerifier.create(WebSocketClient.create().connectMessages((WebSocketRequest) null))
                .expectErrorSatisfies(invalid("request"))
                .verify(Duration.ofSeconds(5));
        assertThrows(WebSocketException.class, () -> WebSocketRequest.builder(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Sec-WebSocket-Key", "sec-websocket-protocol", "Sec-WebSocket-Extensions", "Upgrade",
            "Connection", "Host", "X\r\nInjected", "Bad Name", "", "Colon:"})
    void reservedOrMalformedHeaderNamesAreRefused(String name) {
        WebSocketException e = assertThrows(WebSocketException.class, () -> WebSocketClient.builder().header(name, "v"));
        invalid("header name").accept(e);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\r\nInjected: yes", "a\nb", "a\rb", "nul\0"})
    void headerValuesWithLineBreaksAreRefused(String value) {
        WebSocketException e = assertThrows(WebSocketException.class, () -> WebSocketClient.builder().header("X-Ok", value));
        invalid("header value").accept(e);
    }

    @Test
    void badSubprotocolsAreRefused() {
        invalid("subprotocols").accept(assertThrows(WebSocketException.class,
                () -> WebSocketClient.builder().subprotocols("chat", "a b")));
        invalid("subprotocols").accept(assertThrows(WebSocketException.class,
                () -> WebSocketClient.builder().subprotocols("")));
        invalid("subprotocols").accept(assertThrows(WebSocketException.class,
                () -> WebSocketClient.builder().subprotocols("chat", "CHAT")));
    }

    @Test
    void optionsOutOfRangeAreRefused() {
        invalid("maxFramePayload").accept(assertThrows(WebSocketException.class,
                () -> WebSocketClient.builder().maxFramePayload(0)));
        invalid("receiveBufferBytes").accept(assertThrows(WebSocketException.class,
                () -> WebSocketClient.builder().receiveBufferBytes(-1)));
        invalid("outboundBufferBytes").accept(assertThrows(WebSocketException.class,
                () -> WebSocketClient.builder().outboundBufferBytes(10)));
        invalid("connectTimeout").accept(assertThrows(WebSocketException.class,
                () -> WebSocketClient.builder().connectTimeout(Duration.ZERO)));
        invalid("sendTimeout").accept(assertThrows(WebSocketException.class,
                () -> WebSocketClient.builder().sendTimeout(Duration.ofSeconds(-1))));
        invalid("closeTimeout").accept(assertThrows(WebSocketException.class,
                () -> WebSocketClient.builder().closeTimeout(null)));
    }

    @Test
    void closeCodesThatMayNotBeSentAndLongReasonsAreRefusedAndTheConnectionStaysOpen() {
        try (TestServer server = TestServer.echoing()) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri()).block(Duration.ofSeconds(10));
            for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
                StepVerifier.create(ws.close(code, "")).expectErrorSatisfies(invalid("code")).verify(Duration.ofSeconds(5));
            }
            String euros123 = "€".repeat(41);
            String euros126 = "€".repeat(42);
            StepVerifier.create(ws.close(1000, euros126)).expectErrorSatisfies(invalid("reason")).verify(Duration.ofSeconds(5));
            StepVerifier.create(ws.close(1000, null)).expectErrorSatisfies(invalid("reason")).verify(Duration.ofSeconds(5));

            // Nothing was sent: the connection still echoes.
            StepVerifier.create(ws.send(Mono.just(ByteBuffer.wrap(new byte[] {1, 2, 3}))).thenMany(ws.receive().take(1)))
                    .expectNext(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                    .verifyComplete();
            ws.close(4999, euros123).block(Duration.ofSeconds(10));
            CloseStatus status = ws.closeStatus().block(Duration.ofSeconds(10));
            assertEquals(4999, status.code());
            assertEquals(euros123, status.reason());
        }
    }

    private static Consumer<Throwable> invalid(String argument) {
        return e -> {
            assertTrue(e instanceof WebSocketException, "a WebSocketException, was " + e);
            assertEquals(WebErrorStatus.INVALID_ARGUMENT, ((WebSocketException) e).status(), e.toString());
            assertTrue(e.getMessage().startsWith(argument + ":"), "the message names '" + argument + "': " + e.getMessage());
        };
    }
}
