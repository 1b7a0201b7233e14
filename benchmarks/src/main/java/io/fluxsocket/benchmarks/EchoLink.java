package io.fluxsocket.benchmarks;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One open connection to {@link BenchServer}'s {@code /echo} driven without a thread of its own,
 * for {@link ScaleRun}'s thousands of connections: {@link #send} hands one binary message to the
 * client and returns at once; what comes back is told to the {@link Listener} on the client's thread.
 */
interface EchoLink {

    /** Sends {@code message} (a duplicate the client may keep) as one binary message, without waiting. */
    void send(ByteBuffer message);

    /** Starts the client's closing of the connection; completes when the client says it is done. */
    CompletableFuture<?> close();

    /** What a connection tells the driver, on the client's thread, serialized per connection. */
    interface Listener {

        /** {@code bytes} more payload bytes arrived. */
        void received(int bytes);

        /** The connection failed (after it opened); nothing more arrives. */
        void failed(Throwable error);
    }
}
