package io.fluxsocket;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;
import reactor.test.StepVerifier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Any throwable maps to a status, as WebSocketError.GetStatus does; real failures carry theirs. */
@Timeout(30)
class WebSocketErrorTest {

    @Test
    void mapsTheJdksAndNettysExceptions() {
        assertEquals(WebErrorStatus.HOST_NAME_NOT_RESOLVED, WebSocketError.status(new UnknownHostException("x")));
        assertEquals(WebErrorStatus.CANNOT_CONNECT, WebSocketError.status(new ConnectException("Connection refused")));
        assertEquals(WebErrorStatus.TIMEOUT, WebSocketError.status(new ConnectTimeoutException("connect timed out")));
        assertEquals(WebErrorStatus.TIMEOUT, WebSocketError.status(new TimeoutException()));
        assertEquals(WebErrorStatus.CONNECTION_RESET, WebSocketError.status(new IOException("Connection reset by peer")));
        assertEquals(WebErrorStatus.CONNECTION_RESET, WebSocketError.status(new IOException("Broken pipe")));
        assertEquals(WebErrorStatus.CLOSED, WebSocketError.status(new ClosedChannelException()));
        assertEquals(WebErrorStatus.INVALID_ARGUMENT, WebSocketError.status(new IllegalArgumentException()));
        assertEquals(WebErrorStatus.MESSAGE_TOO_BIG, WebSocketError.status(
                new CorruptedWebSocketFrameException(WebSocketCloseStatus.MESSAGE_TOO_BIG, "too big")));
        assertEquals(WebErrorStatus.PROTOCOL_ERROR, WebSocketError.status(
                new CorruptedWebSocketFrameException(WebSocketCloseStatus.PROTOCOL_ERROR, "bad")));
        assertEquals(WebErrorStatus.CERTIFICATE_IS_INVALID, WebSocketError.status(
                new SSLHandshakeException("PKIX path building failed: unable to find valid certification path")));
        assertEquals(WebErrorStatus.UNKNOWN, WebSocketError.status(new RuntimeException("?")));
        assertEquals(WebErrorStatus.UNKNOWN, WebSocketError.status(null));
    }

    @Test
    void looksThroughTheCauseChainAndPrefersOurOwnStatus() {
        assertEquals(WebErrorStatus.HOST_NAME_NOT_RESOLVED,
                WebSocketError.status(new RuntimeException(new IllegalStateException(new UnknownHostException("x")))));
        assertEquals(WebErrorStatus.FORBIDDEN, WebSocketError.status(new RuntimeException(
                new WebSocketException(WebErrorStatus.FORBIDDEN, "403", new ConnectException()))));
    }

    @Test
    void httpStatusesHaveTheirOwnStatus() {
        assertEquals(WebErrorStatus.NOT_FOUND, WebErrorStatus.fromHttpStatus(404));
        assertEquals(WebErrorStatus.PROXY_AUTHENTICATION_REQUIRED, WebErrorStatus.fromHttpStatus(407));
        assertEquals(WebErrorStatus.HTTP_ERROR, WebErrorStatus.fromHttpStatus(418));
        assertEquals(WebErrorStatus.HTTP_ERROR, WebErrorStatus.fromHttpStatus(0));
        assertEquals(401, WebErrorStatus.UNAUTHORIZED.httpStatus());
        assertEquals(0, WebErrorStatus.TIMEOUT.httpStatus());
    }

    @Test
    void aRefusedConnectionIsCannotConnect() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        StepVerifier.create(WebSocketClient.create().connect(URI.create("ws://127.0.0.1:" + port + "/")))
                .expectErrorSatisfies(e -> assertEquals(WebErrorStatus.CANNOT_CONNECT, WebSocketError.status(e), e.toString()))
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void anUnresolvableHostIsHostNameNotResolved() {
        StepVerifier.create(WebSocketClient.builder().connectTimeout(Duration.ofSeconds(10)).build()
                        .connect(URI.create("ws://no-such-host.invalid/")))
                .expectErrorSatisfies(e -> assertEquals(WebErrorStatus.HOST_NAME_NOT_RESOLVED, WebSocketError.status(e), e.toString()))
                .verify(Duration.ofSeconds(15));
    }
}
