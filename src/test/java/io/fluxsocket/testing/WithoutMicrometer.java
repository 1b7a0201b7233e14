package io.fluxsocket.testing;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketInfo;
import io.fluxsocket.WebSocketMetrics;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Mono;

/**
 * The child JVM of {@code MicrometerAbsentTest}: checks that Micrometer cannot be loaded, then runs
 * an echo server and a client without and one with metrics of its own, and prints what happened.
 */
public final class WithoutMicrometer {

    private WithoutMicrometer() {
    }

    public static void main(String[] args) throws IOException {
        try {
            Class.forName("io.micrometer.core.instrument.MeterRegistry");
            System.out.println("Micrometer is present");
            System.exit(2);
        } catch (ClassNotFoundException e) {
            System.out.println("no Micrometer: " + e);
        }
        System.out.println("module: " + (WebSocketClient.class.getModule().isNamed()
                ? WebSocketClient.class.getModule().getName() : "unnamed"));
        try (TestServer server = TestServer.echoing()) {
            System.out.println(echo(WebSocketClient.create(), server.uri()) + " without metrics");
            List<String> events = new CopyOnWriteArrayList<>();
            WebSocketMetrics metrics = new WebSocketMetrics() {
                @Override
                public void connected(URI uri, Duration duration, WebSocketInfo connection) {
                    events.add("connected");
                }

                @Override
                public void pinged(WebSocketInfo connection, Duration roundTrip) {
                    events.add("pinged");
                }

                @Override
                public void closed(WebSocketInfo connection, CloseStatus status, ClosedBy closedBy) {
                    events.add("closed " + closedBy);
                }
            };
            String result = echo(WebSocketClient.builder().metrics(metrics).build(), server.uri());
            System.out.println(result + " with metrics: " + events);
        }
        System.exit(0);
    }

    private static String echo(WebSocketClient client, URI uri) {
        StreamWebSocket ws = client.connect(uri).block(Duration.ofSeconds(10));
        ws.ping(ByteBuffer.allocate(0)).block(Duration.ofSeconds(10));
        ws.send(Mono.just(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)))).block(Duration.ofSeconds(10));
        int echoed = ws.receive().take(1).map(ByteBuffer::remaining).blockFirst(Duration.ofSeconds(10));
        ws.close().block(Duration.ofSeconds(10));
        CloseStatus status = ws.closeStatus().block(Duration.ofSeconds(10));
        return "echoed " + echoed + " bytes, closed " + status.code();
    }
}
