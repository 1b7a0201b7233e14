package io.fluxsocket.benchmarks;

import java.net.URI;
import java.nio.ByteBuffer;
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
 * Download: one operation is one whole transfer on a new connection — handshake, {@code bytes} of
 * random data in {@code message}-byte binary messages from {@link BenchServer}, up to the server's
 * Close — and fails unless the client counted exactly {@code bytes}. Time per transfer; the report
 * turns it into MiB/s (and messages/s for small messages). The server runs in its own JVM.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class DownloadBenchmark {

    @Param({"fluxsocket", "fluxsocket-in-place", "fluxsocket-streams", "fluxsocket-messages", "reactor-netty", "jdk", "okhttp", "jetty", "raw-socket"})
    public String client;

    /** Bytes per transfer; the full suite uses 1 GiB for 64 KiB messages. */
    @Param({"67108864"})
    public long bytes;

    /** Payload bytes per message. */
    @Param({"65536"})
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
    public long download() throws Exception {
        return Transfer.check(bytes, transfer.download(uri), client + " download");
    }
}
