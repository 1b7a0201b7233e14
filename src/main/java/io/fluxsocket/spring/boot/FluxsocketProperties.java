package io.fluxsocket.spring.boot;

import io.fluxsocket.ReceiveMode;
import io.fluxsocket.WebSocketClient;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code fluxsocket.*} properties: the options of {@link WebSocketClient.Builder} that a
 * configuration file can hold. An option left unset keeps the builder's default. Invalid values fail
 * the application's start with the builder's {@code WebSocketException} ({@code INVALID_ARGUMENT},
 * naming the option).
 *
 * <pre>
 * fluxsocket.connect-timeout=10s
 * fluxsocket.max-message-size=16MB
 * fluxsocket.receive-mode=streamed
 * fluxsocket.keep-alive-interval=20s
 * fluxsocket.keep-alive-timeout=10s
 * fluxsocket.headers.X-Client=orders-service
 * fluxsocket.ssl.bundle=feeds
 * </pre>
 *
 * @param connectTimeout          the whole opening handshake's timeout
 * @param sendTimeout             no write progress for this long fails the send and the connection with
 *                                {@code TIMEOUT}
 * @param closeTimeout            how long {@code close()} waits for the server's Close
 * @param noDelay                 {@code TCP_NODELAY}
 * @param headers                 handshake request headers of every connection (empty if unset)
 * @param subprotocols            subprotocols offered, most preferred first (empty if unset; a Spring
 *                                handler's own replace them)
 * @param maxFramePayload         the outbound frame size
 * @param receiveBufferBytes      the inbound byte budget of a connection
 * @param outboundBufferBytes     the outbound byte budget of a connection
 * @param maxMessageSize          message mode: the largest message received whole (1009 beyond)
 * @param receiveMode             message mode: whole messages or streamed ones
 * @param keepAliveInterval       keep-alive: a Ping after this long without a received frame (set
 *                                with {@code keepAliveTimeout})
 * @param keepAliveTimeout        keep-alive: how long to wait for a frame after that Ping
 * @param idleTimeout             no data either way for this long closes the connection with 1001
 * @param unsolicitedPongInterval an unsolicited Pong every interval
 * @param ssl                     {@code wss://}: the Spring Boot SSL bundle whose trust and key
 *                                material the client uses ({@code fluxsocket.ssl.bundle})
 */
@ConfigurationProperties("fluxsocket")
public record FluxsocketProperties(Duration connectTimeout, Duration sendTimeout, Duration closeTimeout,
        Boolean noDelay, Map<String, String> headers, List<String> subprotocols, DataSize maxFramePayload,
        DataSize receiveBufferBytes, DataSize outboundBufferBytes, DataSize maxMessageSize,
        ReceiveMode receiveMode, Duration keepAliveInterval, Duration keepAliveTimeout, Duration idleTimeout,
        Duration unsolicitedPongInterval, Ssl ssl) {

    /** Unset options are null, but for headers and subprotocols, which are then empty. */
    public FluxsocketProperties {
        headers = headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        subprotocols = subprotocols == null ? List.of() : List.copyOf(subprotocols);
    }

    /**
     * TLS from a Spring Boot SSL bundle ({@code spring.ssl.bundle.*}).
     *
     * @param bundle the name of the bundle whose trust material checks the server's certificate and
     *               whose key material, if it has any, is the client certificate
     */
    public record Ssl(String bundle) {
    }

    /**
     * Sets every option that is set here on {@code builder} (but the SSL bundle, which
     * {@link FluxsocketAutoConfiguration} resolves).
     *
     * @throws io.fluxsocket.WebSocketException with {@code INVALID_ARGUMENT} for an invalid value, or
     *     for only one of the keep-alive's interval and timeout
     */
    public void applyTo(WebSocketClient.Builder builder) {
        if (connectTimeout != null) {
            builder.connectTimeout(connectTimeout);
        }
        if (sendTimeout != null) {
            builder.sendTimeout(sendTimeout);
        }
        if (closeTimeout != null) {
            builder.closeTimeout(closeTimeout);
        }
        if (noDelay != null) {
            builder.noDelay(noDelay);
        }
        headers.forEach(builder::header);
        if (!subprotocols.isEmpty()) {
            builder.subprotocols(subprotocols.toArray(String[]::new));
        }
        if (maxFramePayload != null) {
            builder.maxFramePayload(bytes(maxFramePayload));
        }
        if (receiveBufferBytes != null) {
            builder.receiveBufferBytes(bytes(receiveBufferBytes));
        }
        if (outboundBufferBytes != null) {
            builder.outboundBufferBytes(bytes(outboundBufferBytes));
        }
        if (maxMessageSize != null) {
            builder.maxMessageSize(bytes(maxMessageSize));
        }
        if (receiveMode != null) {
            builder.receiveMode(receiveMode);
        }
        if (keepAliveInterval != null || keepAliveTimeout != null) {
            // Both or neither: the builder checks each for null.
            builder.keepAlive(keepAliveInterval, keepAliveTimeout);
        }
        if (idleTimeout != null) {
            builder.idleTimeout(idleTimeout);
        }
        if (unsolicitedPongInterval != null) {
            builder.unsolicitedPongInterval(unsolicitedPongInterval);
        }
    }

    /** A size as an int; one over 2 GiB is given as -1, which the builder refuses naming the option. */
    private static int bytes(DataSize size) {
        long bytes = size.toBytes();
        return bytes > Integer.MAX_VALUE ? -1 : (int) bytes;
    }
}
