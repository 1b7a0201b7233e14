package io.fluxsocket.benchmarks;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Idle heap per connection: one operation opens {@code connections} WebSocket connections to
 * {@code /echo} (one after another) and leaves them idle, measures the heap used after a full GC
 * (MemoryMXBean) before and after, and closes them. The number that matters is the secondary
 * metric {@code heapPerConnection} (bytes: the difference divided by the count); the time is that
 * of opening and measuring. Thread stacks and kernel buffers are not heap and are not counted.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class IdleHeapBenchmark {

    @Param({"fluxsocket", "reactor-netty", "jdk", "okhttp", "jetty", "raw-socket"})
    public String client;

    @Param({"5000"})
    public int connections;

    private ServerProcess server;
    private Transfer transfer;
    private URI uri;

    /** The measured heap per connection, reported by JMH next to the time. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Heap {
        public double heapPerConnection;
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        server = new ServerProcess();
        transfer = Transfer.of(client);
        uri = server.uri("/echo");
        // Classes and pools used by a connection are loaded once, before any measurement.
        transfer.openIdle(uri).close();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        transfer.close();
        server.close();
    }

    @Benchmark
    public void openIdle(Heap heap) throws Exception {
        List<AutoCloseable> open = new ArrayList<>(connections);
        long before = Memory.heapAfterGc();
        try {
            for (int i = 0; i < connections; i++) {
                open.add(transfer.openIdle(uri));
            }
            Thread.sleep(200); // Let handshakes' leftovers settle on the event loops.
            long after = Memory.heapAfterGc();
            heap.heapPerConnection = (double) (after - before) / connections;
        } finally {
            for (AutoCloseable c : open) {
                c.close();
            }
        }
    }
}
