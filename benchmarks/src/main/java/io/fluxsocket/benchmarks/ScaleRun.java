package io.fluxsocket.benchmarks;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Many connections at once against one {@link BenchServer} in its own JVM (one event-loop thread):
 * not a JMH benchmark, one run per client in a fresh JVM (run.sh's {@code scale} scenario), because
 * what it measures is the state of the whole JVM while {@code connections} connections are open.
 *
 * <ol>
 *   <li><b>Open</b>: {@code connections} connections to {@code /echo} through the client's
 *       non-blocking API ({@link Transfer#openEcho}), at most {@code opening} handshakes in flight;
 *       connections per second = connections opened / time until the last one opened or failed.</li>
 *   <li><b>Idle</b>: heap used after a full GC, direct memory ({@link Memory#direct}), live threads
 *       and this process's open descriptors, against the same numbers before the first connection;
 *       heap and direct memory divided by the connections open.</li>
 *   <li><b>Exchange</b> for {@code seconds}: every connection sends one {@code size}-byte binary
 *       message, and sends the next when its echo came back (one message in flight per connection,
 *       a closed loop: the load is as high as client and server can go). Messages per second =
 *       echoes / time; the echo's round trip is recorded for each message (p50, p99: under that
 *       load, so they include the wait behind the other connections' messages).</li>
 *   <li><b>Close</b>: every connection closed through the client's own close (see each
 *       {@code openEcho}), all awaited.</li>
 * </ol>
 *
 * Errors: failed opens, connections that failed while open, echoes missing 30 s after the exchange
 * stopped, failed closes, and failures a connection reported after its close started, each counted (and the first message of each kind printed). It prints a
 * summary and appends one JSON line to {@code out} for {@code report.py}.
 *
 * <pre>{@code java -cp target/benchmarks.jar io.fluxsocket.benchmarks.ScaleRun client=fluxsocket connections=10000 seconds=30 out=scale.jsonl}</pre>
 */
public final class ScaleRun {
    private ScaleRun() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>(Map.of("client", "fluxsocket", "connections", "10000",
                "seconds", "30", "size", "1024", "opening", "256", "out", ""));
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq < 0 || !a.containsKey(arg.substring(0, eq))) {
                throw new IllegalArgumentException("unknown argument " + arg + "; known: " + a.keySet());
            }
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        String client = a.get("client");
        int connections = Integer.parseInt(a.get("connections"));
        int seconds = Integer.parseInt(a.get("seconds"));
        int size = Integer.parseInt(a.get("size"));
        int opening = Integer.parseInt(a.get("opening"));
        Map<String, Object> result = new Run(client, connections, seconds, size, opening).call();
        String json = json(result);
        System.out.println(json);
        if (!a.get("out").isEmpty()) {
            Files.writeString(Path.of(a.get("out")), json + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        System.exit(0); // some clients (OkHttp, the JDK's) keep non-daemon threads for a while
    }

    /** One client's run; its fields are set by the main thread, the counters from any thread. */
    private static final class Run {
        final String client;
        final int connections;
        final int seconds;
        final int opening;
        final ByteBuffer message;
        final Latencies latencies = new Latencies();
        final LongAdder echoes = new LongAdder();
        /** Messages sent whose echo has not fully come back yet. */
        final AtomicLong inFlight = new AtomicLong();
        /** Errors by phase, and the first message of each error class per phase. */
        final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
        final Map<String, String> firstErrors = new ConcurrentHashMap<>();
        /** Whether connections send the next message when an echo comes back (main thread writes). */
        volatile boolean running;
        /** Whether the connections are being closed: failures from now on are close errors. */
        volatile boolean closing;

        Run(String client, int connections, int seconds, int size, int opening) {
            this.client = client;
            this.connections = connections;
            this.seconds = seconds;
            this.opening = opening;
            this.message = Payload.chunks(size, 1)[0];
        }

        void error(String phase, Throwable t) {
            errors.computeIfAbsent(phase, k -> new LongAdder()).increment();
            firstErrors.putIfAbsent(phase + " " + t.getClass().getName(), String.valueOf(t.getMessage()));
        }

        Map<String, Object> call() throws Exception {
            Map<String, Object> r = new TreeMap<>();
            r.put("client", client);
            r.put("connections", connections);
            r.put("messageBytes", message.remaining());
            r.put("seconds", seconds);
            try (ServerProcess server = new ServerProcess(); Transfer transfer = Transfer.of(client)) {
                URI uri = server.uri("/echo");
                warmUp(transfer, uri);
                long heap0 = Memory.heapAfterGc();
                long direct0 = Memory.direct();
                int threads0 = threads();
                int fds0 = descriptors();

                List<Conn> open = openAll(transfer, uri, r);
                Thread.sleep(200); // Let handshakes' leftovers settle on the event loops.
                long heap1 = Memory.heapAfterGc();
                long direct1 = Memory.direct();
                int n = Math.max(1, open.size());
                r.put("opened", open.size());
                r.put("heapPerConnection", (heap1 - heap0) / n);
                r.put("directPerConnection", (direct1 - direct0) / n);
                r.put("threadsBefore", threads0);
                r.put("threadsOpen", threads());
                r.put("descriptorsBefore", fds0);
                r.put("descriptorsOpen", descriptors());

                exchange(open, r);
                r.put("threadsExchange", threads());
                closeAll(open, r);
            }
            long total = 0;
            Map<String, Object> byPhase = new TreeMap<>();
            for (Map.Entry<String, LongAdder> e : errors.entrySet()) {
                byPhase.put(e.getKey(), e.getValue().sum());
                total += e.getValue().sum();
            }
            r.put("errors", total);
            r.put("errorsByPhase", byPhase);
            r.put("firstErrors", new TreeMap<>(firstErrors));
            return r;
        }

        /**
         * Up to 200 connections opened at once, one round trip each, all closed: classes, pools and
         * allocator caches are in place before the baseline is read (one connection left them
         * growing or shrinking by megabytes during the run, as much as 7 KiB per connection at 1,000).
         */
        void warmUp(Transfer transfer, URI uri) throws Exception {
            int n = Math.min(200, connections);
            CountDownLatch back = new CountDownLatch(n);
            List<CompletableFuture<EchoLink>> links = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int[] got = {0};
                links.add(transfer.openEcho(uri, new EchoLink.Listener() {
                    @Override
                    public void received(int bytes) {
                        got[0] += bytes;
                        if (got[0] == message.remaining()) {
                            back.countDown();
                        }
                    }

                    @Override
                    public void failed(Throwable error) {
                        error("warm-up", error);
                    }
                }));
            }
            for (CompletableFuture<EchoLink> link : links) {
                link.get(1, TimeUnit.MINUTES).send(message.duplicate());
            }
            if (!back.await(1, TimeUnit.MINUTES)) {
                throw new IllegalStateException(client + ": " + back.getCount() + " warm-up echoes did not come back");
            }
            for (CompletableFuture<EchoLink> link : links) {
                link.get().close().get(1, TimeUnit.MINUTES);
            }
            Thread.sleep(500); // Let the closes finish on both sides.
            errors.clear();
            firstErrors.clear();
        }

        List<Conn> openAll(Transfer transfer, URI uri, Map<String, Object> r) throws Exception {
            Queue<Conn> open = new ConcurrentLinkedQueue<>();
            Semaphore handshakes = new Semaphore(opening);
            CountDownLatch done = new CountDownLatch(connections);
            long start = System.nanoTime();
            for (int i = 0; i < connections; i++) {
                handshakes.acquire();
                Conn conn = new Conn();
                CompletableFuture<EchoLink> f;
                try {
                    f = transfer.openEcho(uri, conn);
                } catch (RuntimeException e) {
                    f = CompletableFuture.failedFuture(e);
                }
                f.whenComplete((link, e) -> {
                    handshakes.release();
                    if (e != null) {
                        error("open", e);
                    } else {
                        conn.link = link;
                        open.add(conn);
                    }
                    done.countDown();
                });
            }
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException(client + ": " + done.getCount() + " opens still pending after 10 min");
            }
            double secs = (System.nanoTime() - start) / 1e9;
            r.put("openSeconds", round(secs));
            r.put("connectionsPerSecond", round(open.size() / secs));
            return new ArrayList<>(open);
        }

        void exchange(List<Conn> open, Map<String, Object> r) throws Exception {
            running = true;
            long start = System.nanoTime();
            for (Conn c : open) {
                c.sendNext();
            }
            Thread.sleep(seconds * 1000L);
            running = false;
            long stop = System.nanoTime();
            long echoed = echoes.sum();
            // Let the messages in flight come back; any still out after 30 s is an error.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            long missing = inFlight.get();
            if (missing > 0) {
                errors.computeIfAbsent("exchange", k -> new LongAdder()).add(missing);
                firstErrors.putIfAbsent("exchange missing", missing + " echoes not back 30 s after the exchange stopped");
            }
            r.put("messagesPerSecond", round(echoed / ((stop - start) / 1e9)));
            r.put("echoes", echoes.sum());
            r.put("p50Micros", latencies.percentile(50));
            r.put("p99Micros", latencies.percentile(99));
            r.put("p999Micros", latencies.percentile(99.9));
        }

        void closeAll(List<Conn> open, Map<String, Object> r) throws Exception {
            closing = true;
            long start = System.nanoTime();
            List<CompletableFuture<?>> closes = new ArrayList<>(open.size());
            for (Conn c : open) {
                try {
                    closes.add(c.link.close().exceptionally(e -> {
                        error("close", e);
                        return null;
                    }));
                } catch (RuntimeException e) {
                    error("close", e);
                }
            }
            try {
                CompletableFuture.allOf(closes.toArray(new CompletableFuture<?>[0])).get(2, TimeUnit.MINUTES);
            } catch (java.util.concurrent.TimeoutException e) {
                long pending = closes.stream().filter(f -> !f.isDone()).count();
                errors.computeIfAbsent("close", k -> new LongAdder()).add(pending);
                firstErrors.putIfAbsent("close timeout", pending + " closes not done after 2 min");
            }
            r.put("closeSeconds", round((System.nanoTime() - start) / 1e9));
        }

        /** One connection's state; its callbacks come on the client's thread, one at a time. */
        final class Conn implements EchoLink.Listener {
            /** Set once open, before any send (main thread), read by the client's thread. */
            volatile EchoLink link;
            /** When the message in flight was sent (written by whichever thread sends it). */
            volatile long sentAt;
            /** Bytes of the current echo received so far. */
            int pending;

            void sendNext() {
                inFlight.incrementAndGet();
                sentAt = System.nanoTime();
                link.send(message.duplicate());
            }

            @Override
            public void received(int bytes) {
                pending += bytes;
                while (pending >= message.remaining()) {
                    pending -= message.remaining();
                    latencies.record(System.nanoTime() - sentAt);
                    echoes.increment();
                    inFlight.decrementAndGet();
                    if (running) {
                        sendNext();
                    }
                }
            }

            @Override
            public void failed(Throwable error) {
                // After the close started, a failure is the close's (a client may report the server's TCP close).
                error(closing ? "after-close" : running ? "exchange" : "open-idle", error);
            }
        }
    }

    static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    /** This process's open file descriptors (Linux), or -1 elsewhere. */
    static int descriptors() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    /** A flat JSON object of numbers, strings and nested maps (enough for the result). */
    static String json(Object o) {
        if (o instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("{");
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (b.length() > 1) {
                    b.append(", ");
                }
                b.append(json(String.valueOf(e.getKey()))).append(": ").append(json(e.getValue()));
            }
            return b.append('}').toString();
        }
        if (o instanceof Number) {
            return o.toString();
        }
        String s = String.valueOf(o);
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
