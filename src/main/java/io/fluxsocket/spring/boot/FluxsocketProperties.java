package io.fluxsocket.spring.boot;

import io.fluxsocket.ReceiveMode;
import io.fluxsocket.WebSocketClient;

import java.time.Duration;
import java.util.ArrayList;
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
 * </pre>
 */
@ConfigurationProperties("fluxsocket")
public class FluxsocketProperties {

    /** The whole opening handshake's timeout. */
    private Duration connectTimeout;
    /** No write progress for this long fails the send and the connection with TIMEOUT. */
    private Duration sendTimeout;
    /** How long close() waits for the server's Close. */
    private Duration closeTimeout;
    /** TCP_NODELAY. */
    private Boolean noDelay;
    /** Handshake request headers of every connection. */
    private Map<String, String> headers = new LinkedHashMap<>();
    /** Subprotocols offered, most preferred first (a handler's own replace them). */
    private List<String> subprotocols = new ArrayList<>();
    /** Outbound frame size. */
    private DataSize maxFramePayload;
    /** Inbound byte budget of a connection. */
    private DataSize receiveBufferBytes;
    /** Outbound byte budget of a connection. */
    private DataSize outboundBufferBytes;
    /** Message mode: the largest message received whole (1009 beyond). */
    private DataSize maxMessageSize;
    /** Message mode: whole messages or streamed ones. */
    private ReceiveMode receiveMode;
    /** Keep-alive: a Ping after this long without a received frame (with keep-alive-timeout). */
    private Duration keepAliveInterval;
    /** Keep-alive: how long to wait for a frame after the Ping (with keep-alive-interval). */
    private Duration keepAliveTimeout;
    /** No data either way for this long closes the connection with 1001. */
    private Duration idleTimeout;
    /** An unsolicited Pong every interval. */
    private Duration unsolicitedPongInterval;

    /**
     * Sets every option that is set here on {@code builder}.
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

    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public Duration getSendTimeout() {
        return sendTimeout;
    }

    public void setSendTimeout(Duration sendTimeout) {
        this.sendTimeout = sendTimeout;
    }

    public Duration getCloseTimeout() {
        return closeTimeout;
    }

    public void setCloseTimeout(Duration closeTimeout) {
        this.closeTimeout = closeTimeout;
    }

    public Boolean getNoDelay() {
        return noDelay;
    }

    public void setNoDelay(Boolean noDelay) {
        this.noDelay = noDelay;
    }

    public Map<String, String> getHeaders() {
        return headers;
    }

    public void setHeaders(Map<String, String> headers) {
        this.headers = headers;
    }

    public List<String> getSubprotocols() {
        return subprotocols;
    }

    public void setSubprotocols(List<String> subprotocols) {
        this.subprotocols = subprotocols;
    }

    public DataSize getMaxFramePayload() {
        return maxFramePayload;
    }

    public void setMaxFramePayload(DataSize maxFramePayload) {
        this.maxFramePayload = maxFramePayload;
    }

    public DataSize getReceiveBufferBytes() {
        return receiveBufferBytes;
    }

    public void setReceiveBufferBytes(DataSize receiveBufferBytes) {
        this.receiveBufferBytes = receiveBufferBytes;
    }

    public DataSize getOutboundBufferBytes() {
        return outboundBufferBytes;
    }

    public void setOutboundBufferBytes(DataSize outboundBufferBytes) {
        this.outboundBufferBytes = outboundBufferBytes;
    }

    public DataSize getMaxMessageSize() {
        return maxMessageSize;
    }

    public void setMaxMessageSize(DataSize maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    public ReceiveMode getReceiveMode() {
        return receiveMode;
    }

    public void setReceiveMode(ReceiveMode receiveMode) {
        this.receiveMode = receiveMode;
    }

    public Duration getKeepAliveInterval() {
        return keepAliveInterval;
    }

    public void setKeepAliveInterval(Duration keepAliveInterval) {
        this.keepAliveInterval = keepAliveInterval;
    }

    public Duration getKeepAliveTimeout() {
        return keepAliveTimeout;
    }

    public void setKeepAliveTimeout(Duration keepAliveTimeout) {
        this.keepAliveTimeout = keepAliveTimeout;
    }

    public Duration getIdleTimeout() {
        return idleTimeout;
    }

    public void setIdleTimeout(Duration idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    public Duration getUnsolicitedPongInterval() {
        return unsolicitedPongInterval;
    }

    public void setUnsolicitedPongInterval(Duration unsolicitedPongInterval) {
        this.unsolicitedPongInterval = unsolicitedPongInterval;
    }
}
