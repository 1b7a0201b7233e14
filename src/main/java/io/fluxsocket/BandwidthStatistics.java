package io.fluxsocket;

import java.time.Duration;

/**
 * The traffic of one connection at one moment ({@link WebSocketInfo#bandwidthStatistics()}): the
 * bytes and messages each way, the current rates, and how long the inbound side was paused by
 * backpressure. The original's {@code BandwidthStatistics}, measured by the library itself rather
 * than by the operating system's TCP statistics.
 *
 * <p><b>Bytes.</b> Payload bytes are those of data frames (text and binary), as
 * {@link WebSocketInfo#bytesSent()} and {@link WebSocketInfo#bytesReceived()} count them. Wire bytes
 * are the WebSocket frames whole: headers (and the client's masking keys) included, control frames
 * included, and for {@code wss://} before encryption. Sent bytes count once the socket took them
 * (their write completed), but for control frames and empty data frames, which count when they are
 * written to the channel.
 *
 * <p><b>Rates</b> are wire bits per second over the last second, measured every quarter of a second
 * while data moves (a connection that moved nothing for a second reports 0). A rate has
 * <em>peaked</em> when it is within 10% of the highest rate this connection has had: the transfer
 * runs as fast as the path has shown it can, which is what the original's flag tells.
 *
 * @param bytesSent                payload bytes of data frames sent
 * @param bytesReceived            payload bytes of data frames received
 * @param wireBytesSent            bytes of all frames sent, headers included
 * @param wireBytesReceived        bytes of all frames received, headers included
 * @param messagesSent             data messages whose last frame was sent
 * @param messagesReceived         data messages whose last frame was received
 * @param outboundBitsPerSecond    wire bits sent per second over the last second
 * @param inboundBitsPerSecond     wire bits received per second over the last second
 * @param outboundBandwidthPeaked  the outbound rate is within 10% of the highest it has been
 * @param inboundBandwidthPeaked   the inbound rate is within 10% of the highest it has been
 * @param inboundPaused            how long, in all, socket reads were stopped after they had begun,
 *                                 because the application asked for nothing more and the receive
 *                                 buffer was full: the time the inbound side was paused by
 *                                 backpressure, a pause going on included
 */
public record BandwidthStatistics(
        long bytesSent,
        long bytesReceived,
        long wireBytesSent,
        long wireBytesReceived,
        long messagesSent,
        long messagesReceived,
        long outboundBitsPerSecond,
        long inboundBitsPerSecond,
        boolean outboundBandwidthPeaked,
        boolean inboundBandwidthPeaked,
        Duration inboundPaused) {
}
