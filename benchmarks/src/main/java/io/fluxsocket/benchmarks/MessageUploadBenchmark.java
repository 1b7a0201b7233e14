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
 * Upload of small messages: one operation is one whole transfer on a new connection of
 * {@code bytes} in {@code message}-byte binary messages (each its own message, random data), until
 * the server's Close with the count it received, which must be exactly {@code bytes}. The report
 * turns time into messages/s and {@code gc.alloc.rate.norm} into bytes per message. fluxsocket
 * makes one {@code send(Mono.just(buffer))} per message ({@link FluxsocketTransfer}); the JDK one
 * awaited {@code sendBinary(…, true)} per message; the others as in {@link UploadBenchmark}.
 * {@code fluxsocket-messages} is message mode: one {@code send} of a {@code Flux<WebSocketMessage>}
 * ({@link FluxsocketMessagesTransfer}).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class MessageUploadBenchmark {

    @Param({"fluxsocket", "fluxsocket-messages", "reactor-netty", "jdk", "okhttp", "jetty", "raw-socket"})
    public String client;

    /** Bytes per transfer. */
    @Param({"4194304"})
    public long bytes;

    /** Payload bytes per message. */
    @Param({"64"})
    public int message;

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
    private ByteBuffer[] messages;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        if (bytes % message != 0) {
            throw new IllegalArgumentException("bytes must be a multiple of message");
        }
        server = new ServerProcess();
        transfer = Transfer.of(client, null, Transfer.keepAlive(keepAlive));
        uri = server.uri("/upload?bytes=" + bytes);
        messages = Payload.chunks(message, Math.max(1, (1 << 20) / message));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        transfer.close();
        server.close();
    }

    @Benchmark
    public long upload(ThreadCpu cpu) throws Exception {
        cpu.begin();
        long n = transfer.uploadMessages(uri, messages, bytes);
        cpu.end();
        return Transfer.check(bytes, n, client + " message upload");
    }
}
