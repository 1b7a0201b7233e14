package io.fluxsocket.interop;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import reactor.core.publisher.Flux;

/**
 * A running SHA-256 of bytes seen one buffer at a time, with a byte count: how the interop tests
 * compare tens of MiB without holding them. Not thread-safe; a receive() subscriber's signals are
 * serial, which is all it needs.
 */
final class Sha256 {

    private final MessageDigest digest;
    /** Bytes hashed so far. */
    private long bytes;

    Sha256() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    /** Hashes the buffer's remaining bytes without moving its position. */
    void update(ByteBuffer buffer) {
        bytes += buffer.remaining();
        digest.update(buffer.duplicate());
    }

    long bytes() {
        return bytes;
    }

    /** The hex digest of everything hashed; ends this hash. */
    String hex() {
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * {@code total} seeded pseudo-random bytes in buffers of {@code chunk} bytes, each made when it
     * is requested and hashed into {@code hash} as it is emitted, so the whole is never in memory.
     * Subscribe once: every subscription adds to {@code hash}.
     */
    static Flux<ByteBuffer> randomBytes(long seed, long total, int chunk, Sha256 hash) {
        long chunks = (total + chunk - 1) / chunk;
        return Flux.range(0, Math.toIntExact(chunks)).map(i -> {
            byte[] bytes = new byte[(int) Math.min(chunk, total - (long) i * chunk)];
            new SplittableRandom(seed ^ (i * 0x9E3779B97F4A7C15L)).nextBytes(bytes);
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            hash.update(buffer);
            return buffer;
        });
    }
}
