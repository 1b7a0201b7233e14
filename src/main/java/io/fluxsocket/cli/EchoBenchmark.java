package io.fluxsocket.cli;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketException;

import java.io.PrintStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The main job without a URL: streams pseudo-random bytes to an echo server as one binary message
 * while it reads the echo back, checks that the SHA-256 of what came back is that of what was
 * sent, and prints the rate.
 *
 * <p>Memory stays bounded whatever the size: the bytes are generated as the socket drains (off
 * the event loop, on Reactor's parallel scheduler) and hashed as they are generated and as they
 * come back (on the event loop, a buffer at a time). The timing covers the transfer only, not the
 * opening or closing handshakes. An instance runs once.
 */
final class EchoBenchmark {

    /** The seed of the data: the same size always sends the same bytes. */
    static final long SEED = 0x5EED_F1A5_0C0E_7L;
    /** The run fails if nothing comes back for this long. */
    static final Duration STALL_TIMEOUT = Duration.ofSeconds(30);

    private final long total;
    private final int chunk;
    private final MessageDigest receivedDigest = RandomChunks.sha256();
    /** Bytes that came back so far (written on the event loop only; read by the progress bar). */
    private volatile long received;

    /**
     * @param total bytes to echo, at least 1
     * @param chunk size of the buffers sent
     */
    EchoBenchmark(long total, int chunk) {
        this.total = total;
        this.chunk = chunk;
    }

    /**
     * Runs the benchmark against an echo server and prints one summary line to {@code out}.
     *
     * @param err   where the progress bar goes
     * @param style how the progress bar is drawn
     * @throws WebSocketException when the connection fails or the echo stalls ({@code TIMEOUT})
     * @throws CommandFailure with {@link Main#EXIT_MISMATCH} when the echo differs from what was sent
     */
    void run(WebSocketClient client, URI echoServer, PrintStream out, PrintStream err, ProgressBar.Style style) {
        StreamWebSocket ws = client.connect(echoServer).block();
        RandomChunks data = new RandomChunks(SEED, total, chunk);
        Mono<Void> sent = ws.send(data.flux().subscribeOn(Schedulers.parallel()));
        Mono<Void> echoed = ws.receive()
                .timeout(STALL_TIMEOUT)
                .onErrorMap(TimeoutException.class, e -> new WebSocketException(WebErrorStatus.TIMEOUT,
                        "nothing came back for " + STALL_TIMEOUT.toSeconds() + " s, after "
                                + Sizes.format(received) + " of " + Sizes.format(total), e))
                .doOnNext(this::onEcho)
                .takeUntil(buffer -> received >= total)
                .then();
        ProgressBar bar = new ProgressBar(err, style, "echoed", total, () -> received);
        long start = System.nanoTime();
        bar.start();
        long nanos;
        try {
            Mono.when(sent, echoed).block();
            nanos = System.nanoTime() - start;
        } finally {
            bar.finish();
            ws.close(CloseStatus.NORMAL_CLOSURE, "").block();
        }
        byte[] expected = data.sha256Digest();
        byte[] actual = receivedDigest.digest();
        if (received != total) {
            throw new CommandFailure(Main.EXIT_MISMATCH, "echo mismatch: sent " + total + " bytes, "
                    + received + " came back");
        }
        if (!MessageDigest.isEqual(expected, actual)) {
            throw new CommandFailure(Main.EXIT_MISMATCH, "SHA-256 mismatch: sent " + hex(expected)
                    + ", received " + hex(actual));
        }
        out.printf(Locale.ROOT, "%s echoed in %.2f s: %.1f MiB/s, SHA-256 ok (%s...)%n", Sizes.format(total),
                nanos / 1e9, Sizes.mibPerSecond(total, nanos), hex(actual).substring(0, 16));
        out.flush();
    }

    /** One buffer of the echo (event loop): hashed at once, it is small. */
    private void onEcho(ByteBuffer buffer) {
        received += buffer.remaining();
        receivedDigest.update(buffer);
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
