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
 * {@code -p scheme=wss} does the same over TLS 1.3.
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

    /**
     * {@code ws}, or {@code wss}: TLS 1.3 to {@code wss://localhost}, the server's self-signed
     * certificate trusted through each client's own TLS options, host names checked (see
     * {@link BenchServer}, {@link ServerProcess}); not for {@code raw-socket}.
     */
    @Param({"ws"})
    public String scheme;

    /**
     * {@code off} (the suite's), or {@code on}: the fluxsocket clients with a keep-alive of 20 s
     * ({@link FluxsocketTransfer#KEEP_ALIVE}), to measure what it costs ({@code keepalive-cost.sh});
     * other clients fail with {@code on}.
     */
    @Param({"off"})
    public String keepAlive;

    private ServerProcess server;
    private Transfer transfer;
    private URI uri;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        server = new ServerProcess(tls(scheme));
        transfer = Transfer.of(client, server.certificate(), Transfer.keepAlive(keepAlive));
        uri = server.uri("/download?bytes=" + bytes + "&message=" + message);
    }

    /** Whether {@code scheme} is {@code wss}; fails for anything but {@code ws} and {@code wss}. */
    static boolean tls(String scheme) {
        switch (scheme) {
            case "ws": return false;
            case "wss": return true;
            default: throw new IllegalArgumentException("scheme must be ws or wss: " + scheme);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        transfer.close();
        server.close();
    }

    @Benchmark
    public long download(ThreadCpu cpu) throws Exception {
        cpu.begin();
        long n = transfer.download(uri);
        cpu.end();
        return Transfer.check(bytes, n, client + " download");
    }
}
