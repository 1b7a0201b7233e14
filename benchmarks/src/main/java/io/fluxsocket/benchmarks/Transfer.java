package io.fluxsocket.benchmarks;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * One WebSocket client library driven the way its own documentation shows. Every method does one
 * whole transfer on a new connection (handshake, data, closing handshake) and returns the byte
 * count the transfer's end confirmed; {@link #check} turns a wrong count into an error.
 */
interface Transfer extends AutoCloseable {

    /** Receives everything {@code /download} sends; returns the payload bytes counted. */
    long download(URI uri) throws Exception;

    /**
     * Sends {@code bytes} (a multiple of the chunk size) to {@code /upload} in the given chunks,
     * and returns the count in the server's Close reason.
     */
    long upload(URI uri, ByteBuffer[] chunks, long bytes) throws Exception;

    /**
     * Sends each buffer as its own binary message to {@code /upload} (cycling through
     * {@code messages} until {@code bytes} were sent) and returns the count in the server's Close
     * reason. For clients whose {@link #upload} already makes a message of each chunk, the same.
     */
    default long uploadMessages(URI uri, ByteBuffer[] messages, long bytes) throws Exception {
        return upload(uri, messages, bytes);
    }

    /**
     * Starts a download without blocking the caller, for many concurrent connections; completes
     * with the payload bytes counted. Clients that can only block a thread per connection do not
     * support it.
     */
    default CompletableFuture<Long> downloadAsync(URI uri) {
        throw new UnsupportedOperationException("no non-blocking download");
    }

    /** Opens a connection to {@code /echo} that sends {@code message} per round trip. */
    default Echo echo(URI uri, ByteBuffer message) throws Exception {
        throw new UnsupportedOperationException("no echo");
    }

    /**
     * Opens a connection to {@code /echo} without blocking the caller; completes with it once open.
     * For {@link ScaleRun}: clients that need a thread per open call do not support it.
     */
    default CompletableFuture<EchoLink> openEcho(URI uri, EchoLink.Listener listener) {
        throw new UnsupportedOperationException("no non-blocking echo connection");
    }

    /** Opens a connection and leaves it idle (no data); closing the result closes it. */
    default AutoCloseable openIdle(URI uri) throws Exception {
        throw new UnsupportedOperationException("no idle connection");
    }

    /** Opens a download that the application reads only as fast as {@link SlowReader#consume} says. */
    default SlowReader slowRead(URI uri) throws Exception {
        throw new UnsupportedOperationException("no slow reader");
    }

    /**
     * Opens a connection to {@code uri}, closes it, and returns its {@code Sec-WebSocket-Extensions}
     * as the client saw it in the server's answer (null if none): what was agreed.
     */
    default String agreedExtensions(URI uri) throws Exception {
        throw new UnsupportedOperationException("no way to read the agreed extensions");
    }

    @Override
    default void close() throws Exception {
    }

    /**
     * The {@code keepAlive} benchmark parameter: {@code off} (the default: no keep-alive, as in the
     * suite) or {@code on} (the fluxsocket clients with {@link FluxsocketTransfer#KEEP_ALIVE}).
     */
    static boolean keepAlive(String value) {
        switch (value) {
            case "off": return false;
            case "on": return true;
            default: throw new IllegalArgumentException("keepAlive must be off or on: " + value);
        }
    }

    static long check(long expected, long actual, String what) {
        if (expected != actual) {
            throw new IllegalStateException(what + ": expected " + expected + " bytes, got " + actual);
        }
        return actual;
    }

    /** Parses the server's Close reason of {@code /upload}: the count, or fails for another code. */
    static long uploadCount(int code, String reason) {
        if (code != 1000) {
            throw new IllegalStateException("upload ended with Close " + code + " '" + reason + "'");
        }
        return Long.parseLong(reason);
    }

    static Transfer of(String client) {
        return of(client, null);
    }

    /**
     * The client with permessage-deflate offered through its own option, for {@code ws://}: the
     * clients that have it (the JDK's has no extensions; the raw socket none).
     */
    static Transfer compressed(String client) {
        try {
            switch (client) {
                case "fluxsocket-messages": return FluxsocketMessagesTransfer.compressing();
                case "fluxsocket": return new FluxsocketTransfer(io.fluxsocket.PerMessageDeflate.defaults());
                case "reactor-netty": return new ReactorNettyTransfer(null, true);
                case "okhttp": return new OkHttpTransfer(null); // OkHttp always offers it
                case "jetty": return new JettyTransfer(null, true);
                default: throw new IllegalArgumentException("no permessage-deflate client " + client);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up " + client + ": " + e, e);
        }
    }

    /**
     * The client, for {@code wss://} if {@code trusted} (the server certificate's PEM file) is
     * given: each client then trusts that certificate through its own TLS options, its host name
     * check on. The raw socket has no TLS.
     */
    static Transfer of(String client, Path trusted) {
        return of(client, trusted, false);
    }

    /**
     * {@link #of(String, Path)}, and with {@code keepAlive} the fluxsocket clients have a keep-alive
     * ({@link FluxsocketTransfer#KEEP_ALIVE}); the other clients are not given one here, so for them
     * it fails.
     */
    static Transfer of(String client, Path trusted, boolean keepAlive) {
        if (keepAlive && !client.startsWith("fluxsocket")) {
            throw new IllegalArgumentException("keepAlive=on is for the fluxsocket clients only, not " + client);
        }
        try {
            switch (client) {
                case "fluxsocket": return new FluxsocketTransfer(trusted, false, keepAlive);
                case "fluxsocket-streams": return new FluxsocketStreamsTransfer(trusted, keepAlive);
                case "fluxsocket-messages": return new FluxsocketMessagesTransfer(trusted, false, keepAlive);
                // The same with Micrometer metrics on (not in the suite's client lists: give -p client=…).
                case "fluxsocket-metrics": return new FluxsocketTransfer(trusted, true, keepAlive);
                case "fluxsocket-messages-metrics": return new FluxsocketMessagesTransfer(trusted, true, keepAlive);
                case "fluxsocket-in-place": return new FluxsocketInPlaceTransfer(trusted, keepAlive);
                case "reactor-netty": return new ReactorNettyTransfer(trusted);
                case "jdk": return new JdkTransfer(trusted);
                case "okhttp": return new OkHttpTransfer(trusted);
                case "jetty": return new JettyTransfer(trusted);
                // Spring WebFlux clients, each at its defaults, through a WebSocketHandler (ws:// downloads only).
                case "spring-reactor-netty":
                case "spring-fluxsocket":
                    if (trusted != null) {
                        throw new IllegalArgumentException(client + " is measured over ws:// only");
                    }
                    return client.equals("spring-fluxsocket") ? SpringTransfer.fluxsocket() : SpringTransfer.reactorNetty();
                case "raw-socket":
                    if (trusted != null) {
                        throw new IllegalArgumentException("raw-socket has no TLS (wss)");
                    }
                    return new RawSocketTransfer();
                default: throw new IllegalArgumentException("unknown client " + client);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up " + client + ": " + e, e);
        }
    }
}
