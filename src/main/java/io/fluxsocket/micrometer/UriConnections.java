package io.fluxsocket.micrometer;

import io.fluxsocket.BandwidthStatistics;
import io.fluxsocket.WebSocketInfo;

import java.util.HashSet;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * The connections of one {@code uri} tag value in one registry: those open, and the totals of those
 * that ended. What the function meters of that tag value read: each total is the sum of the ended
 * connections' final counts and the open ones' current counts, so that it moves while connections
 * live, and nothing is counted per message. A connection's final counts join the totals as it
 * leaves the open set, in one step under this object's lock, which reads take too.
 */
final class UriConnections {

    /** A count that the function meters report: a connection's own, from its statistics. */
    enum Count {
        WIRE_SENT(BandwidthStatistics::wireBytesSent),
        WIRE_RECEIVED(BandwidthStatistics::wireBytesReceived),
        PAYLOAD_SENT(BandwidthStatistics::bytesSent),
        PAYLOAD_RECEIVED(BandwidthStatistics::bytesReceived),
        MESSAGES_SENT(BandwidthStatistics::messagesSent),
        MESSAGES_RECEIVED(BandwidthStatistics::messagesReceived),
        PAUSED_NANOS(s -> s.inboundPaused().toNanos());

        private final ToLongFunction<BandwidthStatistics> of;

        Count(ToLongFunction<BandwidthStatistics> of) {
            this.of = of;
        }
    }

    private static final Count[] COUNTS = Count.values();

    /** The {@code uri} tag value. */
    final String uri;
    /** The open connections (guarded by this). */
    private final Set<WebSocketInfo> open = new HashSet<>();
    /** The totals of the connections that ended, by {@link Count#ordinal()} (guarded by this). */
    private final long[] ended = new long[COUNTS.length];
    /**
     * The last total reported, by count (guarded by this): a total never goes down, even if a
     * connection's counts are read while it updates them (a pause's end is two stores).
     */
    private final long[] reported = new long[COUNTS.length];

    UriConnections(String uri) {
        this.uri = uri;
    }

    synchronized void opened(WebSocketInfo connection) {
        open.add(connection);
    }

    /** The connection ended: its final counts join the totals. */
    synchronized void closed(WebSocketInfo connection) {
        if (open.remove(connection)) {
            BandwidthStatistics last = connection.bandwidthStatistics();
            for (Count c : COUNTS) {
                ended[c.ordinal()] += c.of.applyAsLong(last);
            }
        }
    }

    synchronized int open() {
        return open.size();
    }

    /** The total of {@code count}, over the ended connections and the open ones as they are now. */
    synchronized long total(Count count) {
        int i = count.ordinal();
        long sum = ended[i];
        for (WebSocketInfo connection : open) {
            sum += count.of.applyAsLong(connection.bandwidthStatistics());
        }
        if (sum > reported[i]) {
            reported[i] = sum;
        }
        return reported[i];
    }
}
