package io.fluxsocket.benchmarks;

import java.net.URI;
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
 * Slow consumer: the server pushes {@code bytes} (1 GiB, 64 KiB messages) as fast as TCP lets it;
 * the application takes {@code consumed} bytes and then pauses for {@code pauseMillis}. What the
 * client retains meanwhile is measured after a full GC, against the same measurement before the
 * connection was opened: heap ({@code retainedHeap}) and direct memory ({@code retainedDirect},
 * pooled chunks included). For fluxsocket, {@code buffered} is {@code info().bytesReceived()} minus
 * the bytes consumed. Then the connection is closed. The time is meaningless (it is mostly the
 * pause); the secondary metrics are the result. How each client pauses: {@link SlowReader}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class SlowConsumerBenchmark {

    @Param({"fluxsocket", "fluxsocket-streams", "reactor-netty", "jdk", "okhttp", "jetty", "raw-socket"})
    public String client;

    /** What the server would send in all. */
    @Param({"1073741824"})
    public long bytes;

    /** Bytes the application takes before it pauses. */
    @Param({"8388608"})
    public long consumed;

    @Param({"2000"})
    public long pauseMillis;

    private ServerProcess server;
    private Transfer transfer;
    private URI uri;

    /** The measured retention, reported by JMH next to the time. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Retained {
        public double retainedHeap;
        public double retainedDirect;
        public double buffered;
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        server = new ServerProcess();
        transfer = Transfer.of(client);
        uri = server.uri("/download?bytes=" + bytes + "&message=65536");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        transfer.close();
        server.close();
    }

    @Benchmark
    public void pause(Retained retained) throws Exception {
        long heap = Memory.heapAfterGc();
        long direct = Memory.direct();
        try (SlowReader reader = transfer.slowRead(uri)) {
            reader.consume(consumed);
            Thread.sleep(pauseMillis);
            retained.retainedHeap = Memory.heapAfterGc() - heap;
            retained.retainedDirect = Memory.direct() - direct;
            retained.buffered = reader.buffered();
        }
    }
}
