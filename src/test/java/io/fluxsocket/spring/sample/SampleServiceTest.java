package io.fluxsocket.spring.sample;

import io.fluxsocket.BandwidthStatistics;
import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.testing.TestServer;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscription;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.FluxExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.PrematureCloseException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sample service ({@link SampleService}) tested for real: {@link WebTestClient} over HTTP to the
 * service on Reactor Netty, the service over WebSocket to Node's {@code ws} ({@code relay-server.js}).
 * Each transfer is checked by SHA-256 against what the upstream sent or received.
 *
 * <p>The transfers whose heap is measured go through Spring's {@link WebClient} on the same
 * Reactor Netty connector as {@link WebTestClient}: {@code WebTestClient} records every body it
 * sends and receives in a heap buffer for its assertions (its {@code WiretapConnector}), which
 * would hold the whole 64 MiB or 1 GiB. The slow client and the dropped upstream use
 * {@code WebTestClient}.
 *
 * <p><b>Heap.</b> While a transfer runs, the test samples the JVM's used heap after a full GC
 * ({@link System#gc()}) every {@code size / 16} bytes, and asserts that its growth over the value
 * before the transfer stays under {@link #HEAP_BOUND}. That is the whole JVM: the service, the
 * test's HTTP client and the test's own buffers, an upper bound on what the service retains. The
 * bound adds up what may be held at once: Reactor Netty's send of a body (the response's in the
 * service, the request's in the client) takes up to 128 buffers ahead of the socket
 * ({@code reactor.netty.send.maxPrefetchSize}), of at most 64 KiB each here: 8 MiB each; fluxsocket's
 * receive budget ({@code receiveBufferBytes} 256 KiB + 64 KiB + 139 in streamed mode) and outbound
 * budget ({@code outboundBufferBytes} 1 MiB plus the buffer being written); and 4 MiB for what a GC
 * does not return at once (Spring's and Reactor's per-request objects, class loading). The
 * transport's socket buffers are Netty's pooled direct memory, not heap, and are checked by leak
 * detection instead.
 */
@Tag("spring")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SampleServiceTest {

    private static final int CHUNK = 64 * 1024;
    private static final long MIB = 1024 * 1024;
    /** The size each way in the default run; 1 GiB runs in the volume execution. */
    private static final long DEFAULT_SIZE = 64 * MIB;
    private static final long SEND_QUEUE = 128L * CHUNK;
    private static final long HEAP_BOUND = 2 * SEND_QUEUE + MIB + CHUNK + (256 * 1024 + CHUNK + 139) + 4 * MIB;
    private static final Duration WAIT = Duration.ofSeconds(100);
    private static final HexFormat HEX = HexFormat.of();

    private NodeUpstream upstream;
    private SampleService service;
    private WebTestClient http;
    /** For the transfers whose heap is measured (see the class doc). */
    private WebClient web;

    @BeforeAll
    void start() {
        upstream = NodeUpstream.start();
        service = new SampleService(upstream.uri());
        http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + service.port())
                .responseTimeout(WAIT).build();
        web = WebClient.builder().baseUrl("http://127.0.0.1:" + service.port()).build();
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (service != null) {
            service.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void relaysTheUpstreamFeedAsTheResponseBodyWithBoundedHeap() throws Exception {
        relay(DEFAULT_SIZE);
    }

    @Test
    @Tag("volume")
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void relaysOneGibibyteWithBoundedHeap() throws Exception {
        relay(1024 * MIB);
    }

    @Test
    void streamsTheRequestBodyIntoOneUpstreamMessageWithBoundedHeap() throws Exception {
        upload(DEFAULT_SIZE);
    }

    @Test
    @Tag("volume")
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void uploadsOneGibibyteAsOneMessageWithBoundedHeap() throws Exception {
        upload(1024 * MIB);
    }

    private void relay(long size) throws Exception {
        MessageDigest digest = sha256();
        AtomicLong bytes = new AtomicLong();
        HeapProbe heap = new HeapProbe(size / 16);
        long start = System.nanoTime();
        web.get().uri("/relay?bytes=" + size).retrieve()
                .bodyToFlux(DataBuffer.class)
                .doOnNext(buffer -> {
                    try {
                        int n = buffer.readableByteCount();
                        for (DataBuffer.ByteBufferIterator it = buffer.readableByteBuffers(); it.hasNext(); ) {
                            digest.update(it.next());
                        }
                        heap.progress(bytes.addAndGet(n));
                    } finally {
                        DataBufferUtils.release(buffer);
                    }
                })
                .blockLast(WAIT.multipliedBy(5));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        String[] feed = upstream.awaitLine("FEED ", WAIT).split(" ");
        System.out.printf("relay %d MiB: %d ms, heap growth after GC at most %.1f MiB (bound %.1f MiB, %d samples)%n",
                size / MIB, millis, heap.maxGrowth() / (double) MIB, HEAP_BOUND / (double) MIB, heap.samples());
        assertEquals(size, bytes.get());
        assertEquals(Long.toString(size), feed[1]);
        assertEquals(feed[2], HEX.formatHex(digest.digest()));
        assertTrue(heap.maxGrowth() <= HEAP_BOUND, "heap grew by " + heap.maxGrowth() + " bytes, over " + HEAP_BOUND);
    }

    private void upload(long size) throws Exception {
        MessageDigest digest = sha256();
        HeapProbe heap = new HeapProbe(size / 16);
        Flux<DataBuffer> body = Flux.range(0, (int) (size / CHUNK))
                .map(i -> {
                    ByteBuffer chunk = chunk(i);
                    digest.update(chunk.duplicate());
                    heap.progress((long) (i + 1) * CHUNK);
                    return DefaultDataBufferFactory.sharedInstance.wrap(chunk);
                });
        long start = System.nanoTime();
        // The status and body together: a 502's body says why the upstream send failed.
        String answer = web.post().uri("/upload").contentType(MediaType.APPLICATION_OCTET_STREAM)
                .body(body, DataBuffer.class)
                .exchangeToMono(response -> response.bodyToMono(String.class).defaultIfEmpty("")
                        .map(text -> response.statusCode().value() == 200 ? text : response.statusCode() + " " + text))
                .block(WAIT.multipliedBy(5));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        String sink;
        try {
            sink = upstream.awaitLine("SINK ", answer.startsWith("502") ? Duration.ofSeconds(5) : WAIT);
        } catch (AssertionError none) {
            sink = "(no SINK line)";
        }
        System.out.printf("upload %d MiB: %d ms, heap growth after GC at most %.1f MiB (bound %.1f MiB, %d samples)%n",
                size / MIB, millis, heap.maxGrowth() / (double) MIB, HEAP_BOUND / (double) MIB, heap.samples());
        String expected = size + " " + HEX.formatHex(digest.digest());
        assertEquals("SINK " + expected, sink, "the upstream got one message of all the bytes; the service answered " + answer);
        assertEquals(expected, answer, "the upstream printed " + sink);
        assertTrue(heap.maxGrowth() <= HEAP_BOUND, "heap grew by " + heap.maxGrowth() + " bytes, over " + HEAP_BOUND);
    }

    /**
     * The test reads 1 MiB of a 1 GiB relay and then stops asking for more. The service's upstream
     * connection must stop reading (its reads paused by backpressure, {@code inboundPaused} above
     * zero) with at most {@link #relayAhead()} bytes received beyond what the test read, and the
     * upstream must have sent at most that plus what its own side and the socket hold
     * ({@link #upstreamAhead()}) by then (its last {@code PAUSED} line), and less than a quarter of
     * the 1 GiB. After the cancel it must not have sent all of it.
     */
    @Test
    void aSlowHttpClientPausesTheUpstreamWebSocket() throws Exception {
        long size = 1024 * MIB;
        // The relays of the tests before this one: theirs, not this one's.
        service.upstreams().clear();
        AtomicLong read = new AtomicLong();
        BaseSubscriber<DataBuffer> slow = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                request(1);
            }

            @Override
            protected void hookOnNext(DataBuffer buffer) {
                long total = read.addAndGet(buffer.readableByteCount());
                DataBufferUtils.release(buffer);
                if (total < MIB) {
                    request(1);
                }
            }
        };
        FluxExchangeResult<DataBuffer> response = http.get().uri("/relay?bytes=" + size).exchange()
                .returnResult(DataBuffer.class);
        assertEquals(HttpStatus.OK, response.getStatus());
        response.getResponseBody().subscribe(slow);

        MessageWebSocket relayed = service.upstreams().poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(relayed, "the service opened no upstream connection within " + WAIT);
        BandwidthStatistics stalled = awaitStalled(relayed);
        long consumed = read.get();
        System.out.printf("slow client: read %d bytes; the service's upstream connection received %d and was paused %d ms;"
                        + " bound on the difference %d%n", consumed, stalled.bytesReceived(),
                stalled.inboundPaused().toMillis(), relayAhead());
        assertTrue(consumed >= MIB && consumed < MIB + CHUNK + 1, "read " + consumed);
        assertTrue(stalled.inboundPaused().compareTo(Duration.ZERO) > 0, "reads were never paused: " + stalled);
        assertTrue(stalled.bytesReceived() - consumed <= relayAhead(),
                "received " + stalled.bytesReceived() + " with " + consumed + " read");
        // Stalled, the upstream waits for its socket to drain: its last PAUSED line is what it sent.
        long sentAtStall = Long.parseLong(upstream.lastLine("PAUSED ")
                .orElseThrow(() -> new AssertionError("the upstream never paused")).split(" ")[1]);
        System.out.printf("slow client: the upstream had sent %d bytes of %d when the relay stalled%n", sentAtStall, size);
        assertTrue(sentAtStall <= stalled.bytesReceived() + upstreamAhead(), "the upstream sent " + sentAtStall);
        assertTrue(sentAtStall < size / 4, "the upstream sent " + sentAtStall);

        // Then the service closes the upstream connection, reading and dropping what comes until the
        // upstream's Close: what the upstream sends meanwhile is not bounded by the relay's budget.
        slow.cancel();
        String[] feed = upstream.awaitLine("FEED ", WAIT).split(" ");
        long sent = Long.parseLong(feed[1]);
        System.out.printf("slow client: the upstream sent %d bytes of %d in all and paused %s times%n", sent, size, feed[3]);
        assertTrue(sent < size, "the upstream sent everything: the close did not stop it");
    }

    /**
     * The upstream destroys its socket after 8 MiB of a 64 MiB feed, without a Close. The service has
     * sent the status (200) and part of the body by then, so it can only cut the response: Reactor
     * Netty closes the HTTP connection without the last chunk of the chunked body, and the client's
     * body errors with {@link PrematureCloseException} after some bytes, no more than the upstream
     * sent (the service forwards what it received before the drop).
     */
    @Test
    void anUpstreamThatDropsMidStreamCutsTheHttpResponse() throws Exception {
        long size = 64 * MIB;
        long drop = 8 * MIB;
        AtomicLong read = new AtomicLong();
        AtomicReference<Throwable> error = new AtomicReference<>();
        FluxExchangeResult<DataBuffer> response = http.get().uri("/relay?bytes=" + size + "&drop=" + drop)
                .exchange().returnResult(DataBuffer.class);
        assertEquals(HttpStatus.OK, response.getStatus());
        response.getResponseBody()
                .doOnNext(buffer -> {
                    read.addAndGet(buffer.readableByteCount());
                    DataBufferUtils.release(buffer);
                })
                .doOnError(error::set)
                .onErrorComplete()
                .blockLast(WAIT);
        String[] feed = upstream.awaitLine("FEED ", WAIT).split(" ");
        long sent = Long.parseLong(feed[1]);
        System.out.printf("drop: the upstream sent %d bytes and dropped; the client read %d and got %s%n",
                sent, read.get(), error.get());
        assertInstanceOf(PrematureCloseException.class, error.get());
        assertTrue(sent >= drop && sent < size, "sent " + sent);
        assertTrue(read.get() <= sent && read.get() > 0, "read " + read.get());
    }

    /** An upstream nobody listens on: the upload is answered 502, its body the status of the failed connect. */
    @Test
    void anUploadToAnUpstreamThatRefusesTheConnectionIsAnswered502() throws IOException {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        try (SampleService refused = new SampleService(URI.create("ws://127.0.0.1:" + port))) {
            String body = upload(refused, "a small body");
            assertTrue(body.startsWith("502 BAD_GATEWAY upstream CANNOT_CONNECT: "), body);
        }
    }

    /**
     * An upstream that accepts and at once closes 1011: 502, whether the Close came before the
     * message was written (the send fails {@code CLOSED}) or after (the Close's code is not 1000).
     */
    @Test
    void anUploadTheUpstreamClosesWith1011IsAnswered502() {
        try (TestServer broken = new TestServer((in, out) -> out.sendClose(1011, "sink broken"));
                SampleService service = new SampleService(broken.uri())) {
            String body = upload(service, "a small body");
            assertTrue(body.startsWith("502 BAD_GATEWAY upstream CLOSED: ") || body.contains("1011"), body);
        }
    }

    /** POSTs {@code text} to {@code service}'s /upload: the body of a 200, else the status and the body. */
    private static String upload(SampleService service, String text) {
        return WebClient.create("http://127.0.0.1:" + service.port()).post().uri("/upload")
                .contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(text.getBytes(StandardCharsets.UTF_8))
                .exchangeToMono(response -> response.bodyToMono(String.class).defaultIfEmpty("")
                        .map(body -> response.statusCode().value() == 200 ? body : response.statusCode() + " " + body))
                .block(Duration.ofSeconds(20));
    }

    /** The bytes the service may hold or pass on beyond what the HTTP client read (see the class doc). */
    private static long relayAhead() throws IOException {
        // fluxsocket's receive budget, Reactor Netty's send queue of the response, the kernel's buffers
        // of the HTTP connection (the service's send buffer, the client's receive buffer), and what the
        // client's HTTP codec read ahead (one socket read).
        return 256 * 1024 + CHUNK + 139 + SEND_QUEUE + tcpMax("tcp_wmem") + tcpMax("tcp_rmem") + CHUNK;
    }

    /** What the upstream may have sent beyond what the service received: ws's buffer and the kernel's. */
    private static long upstreamAhead() throws IOException {
        return MIB + CHUNK + tcpMax("tcp_wmem") + tcpMax("tcp_rmem");
    }

    /** The largest size Linux lets one socket's send or receive buffer grow to. */
    private static long tcpMax(String name) throws IOException {
        String[] values = Files.readAllLines(Path.of("/proc/sys/net/ipv4", name)).get(0).trim().split("\\s+");
        return Long.parseLong(values[2]);
    }

    /**
     * Polls until the connection's reads were paused and it received nothing more for ten polls
     * 50 ms apart: the end of what the service takes while the client reads nothing. (Polled: what
     * is waited for is the absence of progress, which no event signals.)
     */
    private static BandwidthStatistics awaitStalled(MessageWebSocket connection) throws InterruptedException {
        BandwidthStatistics last = connection.info().bandwidthStatistics();
        int still = 0;
        for (int i = 0; i < 1000 && still < 10; i++) {
            Thread.sleep(50);
            BandwidthStatistics now = connection.info().bandwidthStatistics();
            boolean paused = now.inboundPaused().compareTo(Duration.ZERO) > 0;
            still = paused && now.bytesReceived() == last.bytesReceived() ? still + 1 : 0;
            last = now;
        }
        return last;
    }

    /** Chunk {@code i} of the upload: 64 KiB, its index as 4 bytes big-endian, then a fixed filler. */
    private static ByteBuffer chunk(int i) {
        byte[] bytes = new byte[CHUNK];
        for (int j = 4; j < CHUNK; j++) {
            bytes[j] = (byte) (j * 31 + (j >>> 8));
        }
        return ByteBuffer.wrap(bytes).putInt(0, i);
    }

    private static MessageDigest sha256() throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256");
    }

    /** The largest growth of the used heap after a full GC over its value before the transfer. */
    private static final class HeapProbe {

        private final long every;
        private final long baseline;
        /** The next progress at which to sample (the transfer's one thread at a time). */
        private long next;
        private long maxGrowth;
        private int samples;

        HeapProbe(long every) {
            this.every = every;
            this.baseline = usedAfterGc();
            this.next = every;
        }

        /** Samples when the transfer has moved past the next multiple of {@code every} bytes. */
        synchronized void progress(long bytes) {
            if (bytes >= next) {
                next = bytes + every;
                samples++;
                maxGrowth = Math.max(maxGrowth, usedAfterGc() - baseline);
            }
        }

        synchronized long maxGrowth() {
            return maxGrowth;
        }

        synchronized int samples() {
            return samples;
        }

        private static long usedAfterGc() {
            System.gc();
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }
    }
}
