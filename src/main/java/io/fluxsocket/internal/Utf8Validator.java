package io.fluxsocket.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.nio.ByteBuffer;

/**
 * Checks that a text message is UTF-8 (RFC 3629) as its bytes arrive, piece by piece: a code point
 * may be split across pieces, and so across frames. Rejects overlong forms, surrogates (U+D800 to
 * U+DFFF) and code points above U+10FFFF, as RFC 6455 §8.1 requires. Not thread-safe: one per
 * message, on one thread.
 */
final class Utf8Validator {

    private static final long NON_ASCII = 0x8080808080808080L;

    /** Continuation bytes the current code point still needs. */
    private int needed;
    /** The range the next continuation byte must fall in (it narrows after some lead bytes). */
    private int lower = 0x80;
    private int upper = 0xBF;
    /** Bytes checked so far, for the position in error messages. */
    private long offset;

    /**
     * Checks the readable bytes of {@code piece}, without moving its indexes. Reads them through
     * one NIO view rather than a call per byte (which leak-tracking buffers would record).
     *
     * @return -1 if they are valid so far, else the offset in the message of the first invalid byte
     */
    long update(ByteBuf piece) {
        if (!piece.isReadable()) {
            return -1;
        }
        return update(piece.nioBufferCount() == 1 ? piece.nioBuffer() : ByteBuffer.wrap(ByteBufUtil.getBytes(piece)));
    }

    /** As {@link #update(ByteBuf)}, for the remaining bytes of {@code piece}, without moving its position. */
    long update(ByteBuffer piece) {
        int start = piece.position();
        int end = piece.limit();
        int i = start;
        while (i < end) {
            if (needed == 0) {
                // The common case: a run of ASCII, eight bytes at a time (in either byte order).
                while (end - i >= 8 && (piece.getLong(i) & NON_ASCII) == 0) {
                    i += 8;
                }
                if (i == end) {
                    break;
                }
            }
            if (!accept(piece.get(i) & 0xFF)) {
                return offset + (i - start);
            }
            i++;
        }
        offset += end - start;
        return -1;
    }

    /** Whether the message may end here: no code point is left incomplete. */
    boolean isComplete() {
        return needed == 0;
    }

    /** Bytes checked so far. */
    long offset() {
        return offset;
    }

    private boolean accept(int b) {
        if (needed > 0) {
            if (b < lower || b > upper) {
                return false;
            }
            lower = 0x80;
            upper = 0xBF;
            needed--;
            return true;
        }
        if (b < 0x80) {
            return true;
        }
        if (b >= 0xC2 && b <= 0xDF) {
            needed = 1;
        } else if (b == 0xE0) {
            needed = 2;
            lower = 0xA0; // no overlong three-byte forms
        } else if (b == 0xED) {
            needed = 2;
            upper = 0x9F; // no surrogates
        } else if (b >= 0xE1 && b <= 0xEF) {
            needed = 2;
        } else if (b == 0xF0) {
            needed = 3;
            lower = 0x90; // no overlong four-byte forms
        } else if (b >= 0xF1 && b <= 0xF3) {
            needed = 3;
        } else if (b == 0xF4) {
            needed = 3;
            upper = 0x8F; // nothing above U+10FFFF
        } else {
            // 0x80-0xC1 (a stray continuation, an overlong two-byte lead) or 0xF5-0xFF.
            return false;
        }
        return true;
    }
}
