package io.fluxsocket.benchmarks;

import io.fluxsocket.ReceiveMode;
import io.fluxsocket.spring.FluxsocketWebSocketClient;
import io.fluxsocket.spring.FluxsocketWebSocketSession;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import org.springframework.web.reactive.socket.client.WebSocketClient;

/**
 * Not a benchmark: the largest single message each Spring WebFlux client takes at its defaults,
 * next to what the fluxsocket adapter streams. Against a {@link BenchServer} in its own JVM
 * ({@code /message}: one binary message of N bytes, see {@link MessageRoute}):
 * <ol>
 *   <li>for Spring's {@code new ReactorNettyWebSocketClient()} and the adapter's
 *       {@code new FluxsocketWebSocketClient()}, both at their defaults, reading
 *       {@code session.receive()} with {@link SpringTransfer#counting}: a binary search over N in
 *       [1, 1 GiB] for the largest message received whole (the handler counted N bytes and
 *       {@code execute} completed), once with the message in one frame and once in 16 KiB frames;
 *       N and N + 1 are then tried again, and how N + 1 ended is reported (an error, or a
 *       completion with fewer bytes: a silent loss);</li>
 *   <li>the adapter over a client in {@link ReceiveMode#STREAMED}, a handler reading
 *       {@link FluxsocketWebSocketSession#connection()}: one message of {@code stream} bytes (1 GiB
 *       by default) in 64 KiB frames, each buffer of its {@code content()} counted as it arrives;
 *       the time, and the most heap and direct memory in use, sampled every 10 ms, against this
 *       JVM's heap limit (run it with a small {@code -Xmx}, e.g. 64m, to show the bound).</li>
 * </ol>
 * Run: {@code java -Xmx64m -cp target/benchmarks.jar io.fluxsocket.benchmarks.SpringMessageLimits
 * [stream bytes] [out.json]}: prints a table and writes one JSON object (for {@code report.py}).
 * Exits with 1 if the streamed message was not counted whole.
 */
public final class SpringMessageLimits {
    private static final long MAX = 1L << 30;
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private SpringMessageLimits() {
    }

    public static void main(String[] args) throws Exception {
        long stream = args.length > 0 ? Long.parseLong(args[0]) : MAX;
        Path out = args.length > 1 ? Path.of(args[1]) : null;
        List<String> json = new ArrayList<>();
        boolean ok;
        try (ServerProcess server = new ServerProcess()) {
            String[][] clients = {{"spring-reactor-netty", "new ReactorNettyWebSocketClient()"},
                    {"spring-fluxsocket", "new FluxsocketWebSocketClient()"}};
            for (String[] c : clients) {
                WebSocketClient client = c[0].equals("spring-fluxsocket")
                        ? new FluxsocketWebSocketClient() : new ReactorNettyWebSocketClient();
                for (long frame : new long[] {0, 16384}) {
                    String framing = frame == 0 ? "one frame" : "16 KiB frames";
                    Limit limit = largest(client, server, frame);
                    System.out.printf("%-21s %-14s largest whole message %,d B; %s%n", c[0], framing, limit.largest,
                            limit.next);
                    json.add(String.format("{\"client\": \"%s\", \"how\": \"%s\", \"framing\": \"%s\", \"largest\": %d, "
                            + "\"next\": \"%s\", \"attempts\": %d}", c[0], c[1], framing, limit.largest,
                            escape(limit.next), limit.attempts));
                }
            }
            Streamed s = streamed(server, stream);
            ok = s.counted == stream;
            System.out.printf("%-21s %-14s streamed one %,d B message: counted %,d B in %.2f s (%,.0f MiB/s); "
                            + "heap in use at most %,.1f MiB (limit %,.1f MiB), direct at most %,.1f MiB%n",
                    "spring-fluxsocket", "64 KiB frames", stream, s.counted, s.seconds, s.counted / s.seconds / (1 << 20),
                    s.maxHeap / 1048576.0, s.heapLimit / 1048576.0, s.maxDirect / 1048576.0);
            json.add(String.format("{\"client\": \"spring-fluxsocket\", \"how\": \"new FluxsocketWebSocketClient("
                            + "WebSocketClient.builder().receiveMode(ReceiveMode.STREAMED).build()), "
                            + "session.connection().receive(), content()\", \"framing\": \"64 KiB frames\", "
                            + "\"streamed\": %d, \"counted\": %d, \"seconds\": %.3f, \"maxHeap\": %d, \"heapLimit\": %d, "
                            + "\"maxDirect\": %d}", stream, s.counted, s.seconds, s.maxHeap, s.heapLimit, s.maxDirect));
        }
        if (out != null) {
            Files.writeString(out, "[\n  " + String.join(",\n  ", json) + "\n]\n", StandardCharsets.UTF_8);
        }
        if (!ok) {
            System.out.println("FAIL  the streamed message was not counted whole");
            System.exit(1);
        }
    }

    /** The largest N (≤ 1 GiB) received whole, and how N + 1 ended. */
    private static Limit largest(WebSocketClient client, ServerProcess server, long frame) {
        Limit limit = new Limit();
        long lo = 0; // received whole (an empty message is not tried)
        long hi;     // not received whole
        if (attempt(client, server, MAX, frame, limit) == null) {
            limit.largest = MAX;
            limit.next = "1 GiB taken: no limit found up to there";
            return limit;
        }
        hi = MAX;
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            if (attempt(client, server, mid, frame, limit) == null) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        // Both sides once more: a limit must hold on a second try.
        String again = attempt(client, server, lo, frame, limit);
        if (lo > 0 && again != null) {
            throw new IllegalStateException(lo + " B was taken once, then not: " + again);
        }
        String next = attempt(client, server, lo + 1, frame, limit);
        if (next == null) {
            throw new IllegalStateException((lo + 1) + " B was refused once, then taken");
        }
        limit.largest = lo;
        limit.next = String.format("%,d B: %s", lo + 1, next);
        return limit;
    }

    /** Null if one message of {@code bytes} (in frames of {@code frame}, 0: one frame) came whole; else what happened. */
    private static String attempt(WebSocketClient client, ServerProcess server, long bytes, long frame, Limit limit) {
        limit.attempts++;
        URI uri = server.uri("/message?bytes=" + bytes + "&frame=" + (frame == 0 ? Math.max(1, bytes) : frame));
        AtomicLong total = new AtomicLong(-1);
        try {
            client.execute(uri, SpringTransfer.counting(total)).block(TIMEOUT);
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null && e.getClass() == RuntimeException.class ? e.getCause() : e;
            return "execute failed with " + cause.getClass().getName() + ": " + cause.getMessage()
                    + (total.get() >= 0 ? " (handler counted " + total.get() + " B)" : "");
        }
        if (total.get() == bytes) {
            return null;
        }
        return "execute completed, no error, the handler counted " + Math.max(0, total.get()) + " B";
    }

    /** One message of {@code bytes} through the adapter's {@code connection()}, streamed. */
    private static Streamed streamed(ServerProcess server, long bytes) throws Exception {
        FluxsocketWebSocketClient client = new FluxsocketWebSocketClient(
                io.fluxsocket.WebSocketClient.builder().receiveMode(ReceiveMode.STREAMED).build());
        AtomicLong total = new AtomicLong();
        WebSocketHandler handler = session -> ((FluxsocketWebSocketSession) session).connection().receive()
                .concatMap(message -> message.content())
                .doOnNext(buffer -> total.addAndGet(buffer.remaining()))
                .then();
        Streamed s = new Streamed();
        s.heapLimit = Runtime.getRuntime().maxMemory();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                s.maxHeap = Math.max(s.maxHeap, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
                s.maxDirect = Math.max(s.maxDirect, Memory.direct());
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "memory-sampler");
        Memory.heapAfterGc();
        long start = System.nanoTime();
        sampler.start();
        try {
            client.execute(server.uri("/message?bytes=" + bytes + "&frame=65536"), handler).block(TIMEOUT);
        } finally {
            sampler.interrupt();
            sampler.join();
        }
        s.seconds = (System.nanoTime() - start) / 1e9;
        s.counted = total.get();
        return s;
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ");
    }

    private static final class Limit {
        long largest;
        String next;
        int attempts;
    }

    private static final class Streamed {
        long counted;
        double seconds;
        /** The most heap and direct memory in use seen by the sampler (its thread writes, main reads after join). */
        long maxHeap;
        long maxDirect;
        long heapLimit;
    }
}
