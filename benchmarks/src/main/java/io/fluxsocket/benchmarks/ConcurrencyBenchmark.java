package io.fluxsocket.benchmarks;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
 * Many connections at once: one operation starts {@code connections} downloads together (each a new
 * connection receiving {@code bytes} in 1 KiB messages) and waits for all of them; each must count
 * exactly {@code bytes}. The report turns time into total MiB/s. Clients are driven without a thread
 * per connection ({@link Transfer#downloadAsync}), so the blocking raw socket is not in it; OkHttp
 * still holds a thread per open WebSocket internally.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class ConcurrencyBenchmark {

    @Param({"fluxsocket", "reactor-netty", "jdk", "okhttp", "jetty"})
    public String client;

    @Param({"100", "1000"})
    public int connections;

    /** Bytes per connection. */
    @Param({"262144"})
    public long bytes;

    /** Payload bytes per message. */
    @Param({"1024"})
    public int message;

    private ServerProcess server;
    private Transfer transfer;
    private URI uri;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        server = new ServerProcess();
        transfer = Transfer.of(client);
        uri = server.uri("/download?bytes=" + bytes + "&message=" + message);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        transfer.close();
        server.close();
    }

    @Benchmark
    public long downloadAll() throws Exception {
        List<CompletableFuture<Long>> all = new ArrayList<>(connections);
        for (int i = 0; i < connections; i++) {
            all.add(transfer.downloadAsync(uri));
        }
        long total = 0;
        for (CompletableFuture<Long> f : all) {
            total += Transfer.check(bytes, f.get(5, TimeUnit.MINUTES), client + " concurrent download");
        }
        return total;
    }
}
