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
 * Upload: one operation is one whole transfer on a new connection — handshake, {@code bytes} of
 * random data sent in {@code chunk}-byte buffers (masked by each client), until the server's Close
 * whose reason is the count it received — and fails unless that count is exactly {@code bytes}.
 * fluxsocket and the JDK send one message streamed in chunk-sized frames; the others, whose APIs
 * make a message of each buffer, send chunk-sized messages: the same frames on the wire.
 * {@code -p scheme=wss} does the same over TLS 1.3.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class UploadBenchmark {

    @Param({"fluxsocket", "fluxsocket-streams", "fluxsocket-messages", "reactor-netty", "jdk", "okhttp", "jetty", "raw-socket"})
    public String client;

    /** Bytes per transfer; the full suite uses 1 GiB. */
    @Param({"67108864"})
    public long bytes;

    /** Bytes per buffer handed to the client. */
    @Param({"65536"})
    public int chunk;

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
    private ByteBuffer[] chunks;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        if (bytes % chunk != 0) {
            throw new IllegalArgumentException("bytes must be a multiple of chunk");
        }
        server = new ServerProcess(DownloadBenchmark.tls(scheme));
        transfer = Transfer.of(client, server.certificate(), Transfer.keepAlive(keepAlive));
        uri = server.uri("/upload?bytes=" + bytes);
        chunks = Payload.chunks(chunk, Math.max(1, (4 << 20) / chunk));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        transfer.close();
        server.close();
    }

    @Benchmark
    public long upload(ThreadCpu cpu) throws Exception {
        cpu.begin();
        long n = transfer.upload(uri, chunks, bytes);
        cpu.end();
        return Transfer.check(bytes, n, client + " upload");
    }
}
