package io.fluxsocket.benchmarks;

/**
 * One open connection to {@link BenchServer}'s {@code /echo}, kept for a whole trial of
 * {@link EchoBenchmark}: each {@link #roundTrip} sends the same small binary message and returns
 * once its bytes came back, so the time of one call is one round trip.
 */
interface Echo extends AutoCloseable {

    /**
     * Sends the message once and waits until the connection received exactly as many bytes as it
     * sent in all round trips so far; more or fewer (after a failure) is an error.
     */
    void roundTrip() throws Exception;
}
