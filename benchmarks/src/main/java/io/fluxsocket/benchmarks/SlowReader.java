package io.fluxsocket.benchmarks;

/**
 * A download read by a slow application, for {@link SlowConsumerBenchmark}: the client delivers
 * data only as far as {@link #consume} allows and then is paused, using whatever its API offers
 * to stop (no demand, no {@code request}, a blocked callback, no {@code read}).
 */
interface SlowReader extends AutoCloseable {

    /** Lets the application take {@code bytes} more and waits until it has; then pauses again. */
    void consume(long bytes) throws Exception;

    /**
     * Bytes the library reports as received but not yet handed to the application (fluxsocket:
     * {@code info().bytesReceived()} minus the bytes consumed); {@code -1} if the API cannot tell.
     */
    default long buffered() {
        return -1;
    }
}
