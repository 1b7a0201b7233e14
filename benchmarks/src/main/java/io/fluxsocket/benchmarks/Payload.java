package io.fluxsocket.benchmarks;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/** Random upload data: distinct read-only chunks cut from one random buffer, made once. */
final class Payload {
    private Payload() {
    }

    /** {@code count} distinct random heap chunks of {@code size} bytes (count × size ≤ a few MiB). */
    static ByteBuffer[] chunks(int size, int count) {
        byte[] all = new byte[size * count];
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < all.length; i += 8) {
            long r = random.nextLong();
            for (int k = 0; k < 8 && i + k < all.length; k++) {
                all[i + k] = (byte) (r >>> (8 * k));
            }
        }
        ByteBuffer[] chunks = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            chunks[i] = ByteBuffer.wrap(all, i * size, size).slice().asReadOnlyBuffer();
        }
        return chunks;
    }
}
