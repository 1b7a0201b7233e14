package io.fluxsocket.benchmarks;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.ByteBuffer;
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
 * Compressed messages (permessage-deflate, RFC 7692): 1 KiB JSON events ({@link JsonEvents}),
 * sent as binary messages, compressed by every client that has the extension, against the
 * server's deflate routes ({@link DeflateRoutes}: Netty's permessage-deflate, context takeover
 * both ways, level 6). One operation is one whole transfer on a new connection of
 * {@code messages} events:
 * <ul>
 *   <li>{@link #upload}: the client compresses and sends them (each its own message, as in
 *       {@link MessageUploadBenchmark}); the server inflates them and closes with the byte count,
 *       which must be exact, and every message must have come compressed (RSV1).</li>
 *   <li>{@link #download}: the server sends them compressed (frames compressed once, at its
 *       start-up); the client inflates them and counts the bytes, which must be exact.</li>
 * </ul>
 * Next to the time, two secondary metrics per iteration ({@code @AuxCounters}): {@code cpuNanosPerMessage},
 * the client JVM's process CPU time over the transfer (every thread: the benchmark's, the
 * client's, GC and JIT) divided by the messages, and {@code wireBytesPerMessage}, the frame bytes
 * per message as the server counted them. The server is in its own JVM, so neither its CPU time
 * nor its allocations are counted in those; {@code serverCpuNanosPerMessage} shows its CPU time
 * per message apart (its process's, from {@code ProcessHandle.Info}), to tell whether a transfer
 * was bound by the server (inflating the uploads; a copy per message on downloads).
 *
 * <p>The heap is touched at start-up ({@code -XX:+AlwaysPreTouch}): otherwise the first pass of
 * allocation over each page of the young generation pays the kernel's page fault, charged to the
 * client's CPU time and more to a client that allocates more (in a scratch run, copying each
 * inflated 1 KiB message into a new array cost 9.3 µs of thread CPU per message against 4.1 µs
 * for the bare {@code Inflater}; with the heap touched first, 5.5 against 5.5), until the young
 * generation was used once, which took a dozen transfers.
 *
 * <p>The trial setup asks the client for the {@code Sec-WebSocket-Extensions} it agreed to, prints
 * it, and fails unless it is {@code permessage-deflate} without parameters (15-bit windows and
 * context takeover both ways), so that every client is measured with the same parameters.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class DeflateBenchmark {
    /** What every client must have agreed with the server. */
    static final String AGREED = "permessage-deflate";

    /**
     * {@code fluxsocket-messages} is the library's message mode, the one compared; {@code fluxsocket}
     * (stream mode: {@code receive()} of buffers, no message assembly; one {@code send} per
     * message) is there to tell the cost of whole messages from that of compression.
     */
    @Param({"fluxsocket-messages", "reactor-netty", "okhttp", "jetty", "fluxsocket"})
    public String client;

    /** Events per transfer (each {@value JsonEvents#SIZE} bytes). */
    @Param({"65536"})
    public int messages;

    private ServerProcess server;
    private Transfer transfer;
    private ByteBuffer[] events;
    private long bytes;

    /** Per iteration: the client JVM's CPU time and the wire bytes, per message. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class PerMessage {
        public double cpuNanosPerMessage;
        public double wireBytesPerMessage;
        public double serverCpuNanosPerMessage;
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        server = new ServerProcess();
        transfer = Transfer.compressed(client);
        events = JsonEvents.buffers();
        bytes = (long) messages * JsonEvents.SIZE;
        String agreed = transfer.agreedExtensions(server.uri("/deflate-upload?bytes=" + JsonEvents.SIZE));
        System.out.println(client + " agreed Sec-WebSocket-Extensions: " + agreed);
        if (!AGREED.equals(agreed)) {
            throw new IllegalStateException(client + " agreed '" + agreed + "', not '" + AGREED + "'");
        }
        server.clearReports();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        transfer.close();
        server.close();
    }

    @Benchmark
    public long upload(PerMessage per) throws Exception {
        URI uri = server.uri("/deflate-upload?bytes=" + bytes);
        long serverCpu = server.cpuNanos();
        long cpu = cpuNanos();
        long n = transfer.uploadMessages(uri, events, bytes);
        per.cpuNanosPerMessage = (double) (cpuNanos() - cpu) / messages;
        per.serverCpuNanosPerMessage = (double) (server.cpuNanos() - serverCpu) / messages;
        Transfer.check(bytes, n, client + " deflate upload");
        // UPLOAD <messages> <compressed messages> <payload bytes> <wire bytes>
        String[] report = server.report("UPLOAD ").split(" ");
        long received = Long.parseLong(report[1]);
        long compressed = Long.parseLong(report[2]);
        if (received != messages || compressed != messages) {
            throw new IllegalStateException(client + " sent " + received + " messages, " + compressed
                    + " of them compressed; expected " + messages + " compressed");
        }
        per.wireBytesPerMessage = (double) Long.parseLong(report[4]) / messages;
        return n;
    }

    @Benchmark
    public long download(PerMessage per) throws Exception {
        URI uri = server.uri("/deflate-download?bytes=" + bytes);
        long serverCpu = server.cpuNanos();
        long cpu = cpuNanos();
        long n = transfer.download(uri);
        per.cpuNanosPerMessage = (double) (cpuNanos() - cpu) / messages;
        per.serverCpuNanosPerMessage = (double) (server.cpuNanos() - serverCpu) / messages;
        Transfer.check(bytes, n, client + " deflate download");
        // DOWNLOAD <messages> <wire bytes>
        String[] report = server.report("DOWNLOAD ").split(" ");
        per.wireBytesPerMessage = (double) Long.parseLong(report[2]) / messages;
        return n;
    }

    /** The client JVM's CPU time so far, every thread. */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
