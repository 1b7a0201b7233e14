package io.fluxsocket.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Round-trip latency: one connection to {@code /echo} is opened per trial and kept; one operation
 * sends one {@code size}-byte binary message (random bytes) and waits until the same number of
 * bytes came back. {@code SampleTime} records every operation, so the report reads p50, p99 and
 * p99.9 from JMH's percentiles. Every client's callback hands the count to the benchmark thread
 * the same way ({@link Arrivals}: one unpark), except the raw socket, which reads on that thread.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class EchoBenchmark {

    @Param({"fluxsocket", "reactor-netty", "jdk", "okhttp", "jetty", "raw-socket"})
    public String client;

    /** Payload bytes per message. */
    @Param({"64"})
    public int size;

    /**
     * {@code off} (the suite's), or {@code on}: the fluxsocket clients with a keep-alive of 20 s
     * ({@link FluxsocketTransfer#KEEP_ALIVE}), to measure what it costs ({@code keepalive-cost.sh});
     * other clients fail with {@code on}.
     */
    @Param({"off"})
    public String keepAlive;

    private ServerProcess server;
    private Transfer transfer;
    private Echo echo;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        server = new ServerProcess();
        transfer = Transfer.of(client, null, Transfer.keepAlive(keepAlive));
        echo = transfer.echo(server.uri("/echo"), Payload.chunks(size, 1)[0]);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        echo.close();
        transfer.close();
        server.close();
    }

    @Benchmark
    public void roundTrip() throws Exception {
        echo.roundTrip();
    }
}
