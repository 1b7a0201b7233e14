package io.fluxsocket.testing;

import java.nio.ByteBuffer;

/**
 * A deterministic, non-repeating byte stream: the byte at offset {@code i} is a mix of {@code i}'s
 * bits, so a lost, duplicated or reordered chunk anywhere is caught by {@link Checker}.
 */
public final class BytePattern {

    private BytePattern() {
    }

    /** The byte at a stream offset. */
    public static byte at(long offset) {
        long x = offset * 0x9E3779B97F4A7C15L;
        return (byte) (x >>> 56 ^ offset >>> 11);
    }

    /** {@code length} bytes of the stream starting at {@code offset}. */
    public static ByteBuffer chunk(long offset, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = at(offset + i);
        }
        return ByteBuffer.wrap(bytes);
    }

    /** Checks that buffers arrive as the stream, in order, each byte once. Not thread-safe. */
    public static final class Checker {

        private long offset;

        /** Checks the buffer's remaining bytes against the stream, without consuming them. */
        public void accept(ByteBuffer buffer) {
            for (int i = buffer.position(); i < buffer.limit(); i++, offset++) {
                if (buffer.get(i) != at(offset)) {
                    throw new AssertionError("byte " + offset + " is " + buffer.get(i) + ", expected " + at(offset));
                }
            }
        }

        /** Bytes checked so far. */
        public long offset() {
            return offset;
        }
    }
}
