package io.fluxsocket.testing;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketMessage;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import reactor.core.publisher.Mono;

/**
 * The child JVM of {@code SpringAbsentTest}: checks that Spring cannot be loaded (nor, then, the
 * adapter), then runs an echo server and a client in stream and in message mode, and prints what
 * happened.
 */
public final class WithoutSpring {

    private WithoutSpring() {
    }

    public static void main(String[] args) throws IOException {
        try {
            Class.forName("org.springframework.web.reactive.socket.client.WebSocketClient");
            System.out.println("Spring is present");
            System.exit(2);
        } catch (ClassNotFoundException e) {
            System.out.println("no Spring: " + e);
        }
        try {
            Class.forName("io.fluxsocket.spring.FluxsocketWebSocketClient");
            System.out.println("the adapter loaded");
        } catch (ClassNotFoundException | LinkageError e) {
            System.out.println("no adapter: " + e.getClass().getName());
        }
        System.out.println("module: " + (WebSocketClient.class.getModule().isNamed()
                ? WebSocketClient.class.getModule().getName() : "unnamed"));
        try (TestServer server = TestServer.echoing()) {
            WebSocketClient client = WebSocketClient.create();
            System.out.println(streamEcho(client, server.uri()));
            System.out.println(messageEcho(client, server.uri()));
        }
        System.exit(0);
    }

    private static String streamEcho(WebSocketClient client, URI uri) {
        StreamWebSocket ws = client.connect(uri).block(Duration.ofSeconds(10));
        ws.send(Mono.just(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)))).block(Duration.ofSeconds(10));
        int echoed = ws.receive().take(1).map(ByteBuffer::remaining).blockFirst(Duration.ofSeconds(10));
        ws.close().block(Duration.ofSeconds(10));
        CloseStatus status = ws.closeStatus().block(Duration.ofSeconds(10));
        return "stream mode: echoed " + echoed + " bytes, closed " + status.code();
    }

    private static String messageEcho(WebSocketClient client, URI uri) {
        MessageWebSocket ws = client.connectMessages(uri).block(Duration.ofSeconds(10));
        ws.send(Mono.just(WebSocketMessage.text("hello"))).block(Duration.ofSeconds(10));
        String echoed = ws.receive().take(1).map(WebSocketMessage::text).blockFirst(Duration.ofSeconds(10));
        ws.close().block(Duration.ofSeconds(10));
        CloseStatus status = ws.closeStatus().block(Duration.ofSeconds(10));
        return "message mode: echoed '" + echoed + "', closed " + status.code();
    }
}
