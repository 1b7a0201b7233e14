package io.fluxsocket.micrometer;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketInfo;
import io.fluxsocket.WebSocketMetrics;
import io.fluxsocket.micrometer.UriConnections.Count;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * Reports a client's connections to a Micrometer {@link MeterRegistry}:
 *
 * <pre>{@code
 * WebSocketClient client = WebSocketClient.builder()
 *         .metrics(MicrometerMetrics.of(registry).uriTagValue(uri -> "chat"))
 *         .build();
 * }</pre>
 *
 * <table>
 *   <caption>Meters (every one tagged {@code uri})</caption>
 *   <tr><th>name</th><th>type</th><th>other tags</th><th>what</th></tr>
 *   <tr><td>{@code fluxsocket.connections.active}</td><td>gauge</td><td></td><td>open connections</td></tr>
 *   <tr><td>{@code fluxsocket.connect}</td><td>timer</td><td>{@code outcome}</td><td>connects, from
 *       subscription to the end of the opening handshake; {@code outcome} is {@code SUCCESS},
 *       {@code CANCELLED} or the {@link WebErrorStatus} of the failure</td></tr>
 *   <tr><td>{@code fluxsocket.handshake.failures}</td><td>counter</td><td>{@code status}</td><td>connects
 *       whose upgrade request the server answered with an HTTP status other than 101 (its
 *       {@link WebErrorStatus}, {@code HTTP_ERROR} for one without a status of its own) or with no
 *       valid upgrade ({@code PROTOCOL_ERROR}, which also stands for a {@code wss://} server that
 *       does not speak TLS)</td></tr>
 *   <tr><td>{@code fluxsocket.connections.closed}</td><td>counter</td><td>{@code code},
 *       {@code closed.by}</td><td>ended connections: the close code of {@code closeStatus()}, and
 *       who ended it ({@link WebSocketMetrics.ClosedBy}: {@code LOCAL}, {@code REMOTE},
 *       {@code FAILURE})</td></tr>
 *   <tr><td>{@code fluxsocket.ping}</td><td>timer</td><td></td><td>round trips of the application's
 *       {@code ping}s</td></tr>
 *   <tr><td>{@code fluxsocket.data.sent}, {@code .received}</td><td>function counter, bytes</td><td></td>
 *       <td>bytes of all frames each way, headers and control frames included</td></tr>
 *   <tr><td>{@code fluxsocket.payload.sent}, {@code .received}</td><td>function counter, bytes</td>
 *       <td></td><td>payload bytes of data frames each way</td></tr>
 *   <tr><td>{@code fluxsocket.messages.sent}, {@code .received}</td><td>function counter</td><td></td>
 *       <td>data messages each way</td></tr>
 *   <tr><td>{@code fluxsocket.receive.paused}</td><td>function counter, seconds</td><td></td><td>time
 *       socket reads were paused by backpressure (the application asked for nothing and the receive
 *       buffer was full)</td></tr>
 * </table>
 *
 * <p><b>Nothing per message.</b> The bytes, messages and paused time are the connections' own
 * counts ({@link WebSocketInfo#bandwidthStatistics()}): when the registry reads one of these
 * meters, the open connections of its {@code uri} tag are read, and an ended connection's final
 * counts join a total kept for the tag. Reading costs one statistics snapshot per open connection
 * per meter; sending and receiving cost nothing more than without metrics.
 *
 * <p><b>The {@code uri} tag</b> is {@code scheme://host:port} by default (the port given or the
 * scheme's default; no path, query or user information), so that neither paths nor query strings
 * (identifiers, tokens) make a time series each. {@link #uriTagValue(Function)} replaces it: give a
 * function with few values (a route template, a service name), as Reactor Netty's
 * {@code uriTagValue} asks; each value makes a set of meters that stays for the registry's life.
 *
 * <p>Instances are immutable and may be shared by clients. The meters of one registry are shared by
 * every {@code MicrometerMetrics} on it: two clients reporting to one registry with the same
 * {@code uri} tag value add up in the same meters. This class is the only one of the library that
 * uses Micrometer; the library runs without Micrometer on its class path as long as this class is
 * not used.
 */
public final class MicrometerMetrics implements WebSocketMetrics {

    static final String ACTIVE = "fluxsocket.connections.active";
    static final String CONNECT = "fluxsocket.connect";
    static final String HANDSHAKE_FAILURES = "fluxsocket.handshake.failures";
    static final String CLOSED = "fluxsocket.connections.closed";
    static final String PING = "fluxsocket.ping";

    /**
     * Each registry's connections by {@code uri} tag value, shared by every instance on that
     * registry: a function meter is registered once per name and tags, reading the state object it
     * was first registered with, so two instances must read the same one. Weak keys: a registry
     * that is no longer used goes, with its state.
     */
    private static final Map<MeterRegistry, ConcurrentMap<String, UriConnections>> REGISTRIES =
            Collections.synchronizedMap(new WeakHashMap<>());
    /** The {@code uri} tag value of each open connection, for its pings and its end. */
    private static final ConcurrentMap<WebSocketInfo, UriConnections> OPEN = new ConcurrentHashMap<>();

    private final MeterRegistry registry;
    private final Function<URI, String> uriTagValue;
    /** The registry's connections by {@code uri} tag value (one map per registry). */
    private final ConcurrentMap<String, UriConnections> byUri;

    private MicrometerMetrics(MeterRegistry registry, Function<URI, String> uriTagValue,
            ConcurrentMap<String, UriConnections> byUri) {
        this.registry = registry;
        this.uriTagValue = uriTagValue;
        this.byUri = byUri;
    }

    /**
     * Meters in {@code registry}, with the default {@code uri} tag ({@code scheme://host:port}).
     *
     * @throws WebSocketException with {@code INVALID_ARGUMENT} naming {@code registry} for a null
     */
    public static MicrometerMetrics of(MeterRegistry registry) {
        if (registry == null) {
            throw invalid("registry");
        }
        ConcurrentMap<String, UriConnections> byUri;
        synchronized (REGISTRIES) {
            byUri = REGISTRIES.computeIfAbsent(registry, r -> new ConcurrentHashMap<>());
        }
        return new MicrometerMetrics(registry, MicrometerMetrics::schemeHostPort, byUri);
    }

    /**
     * The same meters, with {@code uri} tag values made by {@code uriTagValue} from the URI given to
     * {@code connect}; it should have few values (a template or a service name: not the path or the
     * query as they are). It is called once per connect, on the connect's thread; if it throws or
     * returns null, that connection is not reported (and the error is logged), the connection goes
     * on. This instance is unchanged.
     *
     * @throws WebSocketException with {@code INVALID_ARGUMENT} naming {@code uriTagValue} for a null
     */
    public MicrometerMetrics uriTagValue(Function<URI, String> uriTagValue) {
        if (uriTagValue == null) {
            throw invalid("uriTagValue");
        }
        return new MicrometerMetrics(registry, uriTagValue, byUri);
    }

    private static WebSocketException invalid(String argument) {
        return new WebSocketException(WebErrorStatus.INVALID_ARGUMENT, argument + ": must not be null");
    }

    /** The default {@code uri} tag value: {@code scheme://host:port}, in lower case. */
    static String schemeHostPort(URI uri) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("wss") ? 443 : 80;
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    }

    private String tag(URI uri) {
        String value = uriTagValue.apply(uri);
        if (value == null) {
            throw new IllegalStateException("uriTagValue returned null");
        }
        return value;
    }

    // ---- WebSocketMetrics ----

    @Override
    public void connected(URI uri, Duration duration, WebSocketInfo connection) {
        String tag = tag(uri);
        connectTimer(tag, "SUCCESS").record(duration);
        UriConnections connections = byUri.computeIfAbsent(tag, this::register);
        OPEN.put(connection, connections);
        connections.opened(connection);
    }

    @Override
    public void connectFailed(URI uri, Duration duration, WebErrorStatus status) {
        String tag = tag(uri);
        connectTimer(tag, status.name()).record(duration);
        if (status.httpStatus() != 0 || status == WebErrorStatus.HTTP_ERROR || status == WebErrorStatus.PROTOCOL_ERROR) {
            Counter.builder(HANDSHAKE_FAILURES)
                    .description("Opening handshakes the server refused or answered with no valid upgrade")
                    .tags("uri", tag, "status", status.name())
                    .register(registry).increment();
        }
    }

    @Override
    public void connectCancelled(URI uri, Duration duration) {
        connectTimer(tag(uri), "CANCELLED").record(duration);
    }

    @Override
    public void pinged(WebSocketInfo connection, Duration roundTrip) {
        UriConnections connections = OPEN.get(connection);
        if (connections != null) {
            Timer.builder(PING)
                    .description("Round trips of the application's pings, to the Pong with the same payload")
                    .tags("uri", connections.uri)
                    .register(registry).record(roundTrip);
        }
    }

    @Override
    public void closed(WebSocketInfo connection, CloseStatus status, ClosedBy closedBy) {
        UriConnections connections = OPEN.remove(connection);
        if (connections != null) {
            // Counted before the connection leaves the open ones: whoever sees it gone sees its close.
            Counter.builder(CLOSED)
                    .description("Connections ended, by close code and by who ended them")
                    .tags("uri", connections.uri, "code", Integer.toString(status.code()), "closed.by", closedBy.name())
                    .register(registry).increment();
            connections.closed(connection);
        }
    }

    private Timer connectTimer(String tag, String outcome) {
        return Timer.builder(CONNECT)
                .description("Connects, from subscription to the end of the opening handshake")
                .tags("uri", tag, "outcome", outcome)
                .register(registry);
    }

    /** The connections of a new {@code uri} tag value, and their gauge and function meters. */
    private UriConnections register(String tag) {
        UriConnections c = new UriConnections(tag);
        Gauge.builder(ACTIVE, c, UriConnections::open)
                .description("Open connections")
                .tags("uri", tag)
                .register(registry);
        count(c, "fluxsocket.data.sent", Count.WIRE_SENT, "bytes", "Bytes of all frames sent, headers and control frames included");
        count(c, "fluxsocket.data.received", Count.WIRE_RECEIVED, "bytes", "Bytes of all frames received, headers and control frames included");
        count(c, "fluxsocket.payload.sent", Count.PAYLOAD_SENT, "bytes", "Payload bytes of data frames sent");
        count(c, "fluxsocket.payload.received", Count.PAYLOAD_RECEIVED, "bytes", "Payload bytes of data frames received");
        count(c, "fluxsocket.messages.sent", Count.MESSAGES_SENT, null, "Data messages sent");
        count(c, "fluxsocket.messages.received", Count.MESSAGES_RECEIVED, null, "Data messages received");
        FunctionCounter.builder("fluxsocket.receive.paused", c, x -> x.total(Count.PAUSED_NANOS) / 1e9)
                .description("Time socket reads were paused by backpressure")
                .baseUnit("seconds")
                .tags("uri", tag)
                .register(registry);
        return c;
    }

    private void count(UriConnections c, String name, Count count, String unit, String description) {
        FunctionCounter.builder(name, c, x -> x.total(count))
                .description(description)
                .baseUnit(unit)
                .tags("uri", c.uri)
                .register(registry);
    }
}
