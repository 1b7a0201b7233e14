package io.fluxsocket.internal;

import java.nio.ByteBuffer;
import java.time.Duration;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.WebSocketInfo;

import reactor.core.publisher.Mono;

/** What stream and message mode share: a {@link WebSocketConnection}'s close, Closed event and Information. */
abstract class AbstractWebSocket {

    final WebSocketConnection connection;

    AbstractWebSocket(WebSocketConnection connection) {
        this.connection = connection;
    }

    WebSocketConnection connection() {
        return connection;
    }

    public Mono<Void> close(int code, String reason) {
        return connection.close(code, reason);
    }

    public Mono<CloseStatus> closeStatus() {
        return connection.closeStatus();
    }

    public Mono<Duration> ping(ByteBuffer payload) {
        return Metering.ping(connection, connection.ping(payload));
    }

    public WebSocketInfo info() {
        return connection.info();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName().replace("Default", "") + "[" + connection.channel() + "]";
    }
}
