package io.fluxsocket.cli;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SynchronousSink;

/**
 * A fixed number of pseudo-random bytes from a seeded {@link SplittableRandom}, as a {@link Flux}
 * of freshly allocated buffers of {@code chunk} bytes (the last one shorter), generated on demand:
 * only the buffers requested exist at any time. Keeps the SHA-256 of what it generated.
 *
 * <p>One use: {@link #flux()} may be subscribed once. The generator runs on whichever thread
 * requests; its state is confined to that sequence of calls, which Reactor serializes.
 */
final class RandomChunks {

    private final SplittableRandom random;
    private final int chunk;
    private final MessageDigest digest = sha256();
    /** Bytes not generated yet (the generator's thread). */
    private long remaining;

    RandomChunks(long seed, long total, int chunk) {
        this.random = new SplittableRandom(seed);
        this.remaining = total;
        this.chunk = chunk;
    }

    /** The bytes, generated as they are requested; subscribe once. */
    Flux<ByteBuffer> flux() {
        return Flux.generate(this::next);
    }

    /** The SHA-256 of all bytes generated; call once the flux completed. */
    byte[] sha256Digest() {
        return digest.digest();
    }

    private void next(SynchronousSink<ByteBuffer> sink) {
        if (remaining == 0) {
            sink.complete();
            return;
        }
        byte[] bytes = new byte[(int) Math.min(chunk, remaining)];
        ByteBuffer longs = ByteBuffer.wrap(bytes);
        while (longs.remaining() >= Long.BYTES) {
            longs.putLong(random.nextLong());
        }
        while (longs.hasRemaining()) {
            longs.put((byte) random.nextInt());
        }
        digest.update(bytes);
        remaining -= bytes.length;
        sink.next(ByteBuffer.wrap(bytes));
    }

    /** A SHA-256 digest, which every Java platform provides. */
    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }
}
