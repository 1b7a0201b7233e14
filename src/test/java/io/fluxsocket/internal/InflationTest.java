package io.fluxsocket.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Inflation} on its own, fed the pieces of messages compressed by the JDK's {@link Deflater}
 * as a permessage-deflate sender does (raw deflate, context taken over, each message sync-flushed
 * and its 4-byte tail removed), in heap and direct buffers, small and large pieces.
 */
class InflationTest {

    private static final DeflateParameters TAKEOVER = new DeflateParameters(15, false, false, 6, 64, "permessage-deflate");

    /** JSON-like text of about {@code size} bytes (compresses well) or random bytes (does not). */
    private static byte[] message(int i, int size, boolean random) {
        if (random) {
            byte[] b = new byte[size];
            new Random(i).nextBytes(b);
            return b;
        }
        StringBuilder s = new StringBuilder();
        while (s.length() < size) {
            s.append("{\"id\":").append(i).append(",\"price\":").append(1000 + s.length() % 97).append("},");
        }
        return s.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }

    /** The messages as one permessage-deflate sender with context takeover compresses them. */
    private static List<byte[]> compress(List<byte[]> messages) {
        Deflater deflater = new Deflater(6, true);
        List<byte[]> out = new ArrayList<>();
        byte[] buf = new byte[1 << 20];
        for (byte[] m : messages) {
            deflater.setInput(m);
            int n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            assertTrue(n < buf.length && deflater.needsInput(), "one deflate call takes a test message");
            // Nothing pending gives nothing: an empty message is sent as an empty payload.
            out.add(Arrays.copyOf(buf, Math.max(0, n - 4)));
        }
        deflater.end();
        return out;
    }

    /**
     * Inflates the compressed messages, each cut into {@code cuts} pieces made by {@code buffer} (of
     * at least the capacity asked), each piece's bytes after 5 read ones, and returns what came
     * out, message by message.
     */
    private static List<byte[]> inflate(List<byte[]> compressed, int cuts, IntFunction<ByteBuf> buffer) {
        List<byte[]> messages = new ArrayList<>();
        ByteArrayOutputStream current = new ByteArrayOutputStream();
        Inflation inflation = new Inflation(ByteBufAllocator.DEFAULT, TAKEOVER, Long.MAX_VALUE, () -> true, piece -> {
            ByteBuf b = piece.content();
            byte[] bytes = new byte[b.readableBytes()];
            b.getBytes(b.readerIndex(), bytes);
            current.writeBytes(bytes);
            if (piece.fin) {
                messages.add(current.toByteArray());
                current.reset();
            }
        });
        for (byte[] c : compressed) {
            int step = Math.max(1, (c.length + cuts - 1) / cuts);
            for (int from = 0; from < c.length || from == 0; from += step) {
                int n = Math.min(step, c.length - from);
                ByteBuf content = buffer.apply(n + 5).writeZero(5).skipBytes(5).writeBytes(c, from, n);
                Frame piece = new Frame(Opcode.BINARY, from == 0, from + n >= c.length, true, content);
                try {
                    inflation.add(piece);
                } finally {
                    piece.release();
                }
            }
        }
        assertEquals(false, inflation.holds(), "nothing waits while the sink has room");
        inflation.release();
        return messages;
    }

    private static void assertSameMessages(List<byte[]> expected, List<byte[]> actual) {
        assertEquals(expected.size(), actual.size(), "messages");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "message " + i);
        }
    }

    @Test
    void smallAndLargeMessagesInflateTheSameFromHeapDirectWholeAndCutPieces() {
        List<byte[]> messages = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            // 1 KiB events, whose compressed pieces are copied; random 8 KiB and 40 KiB ones, whose
            // compressed pieces are over the copy limit and read in place; an empty one.
            messages.add(i % 10 == 3 ? message(i, 40 * 1024, true) : i % 10 == 7 ? message(i, 8 * 1024, true)
                    : i % 10 == 9 ? new byte[0] : message(i, 1024, false));
        }
        List<byte[]> compressed = compress(messages);
        assertTrue(compressed.stream().anyMatch(c -> c.length > Inflation.COPIED_INPUT)
                && compressed.stream().anyMatch(c -> c.length > 0 && c.length <= Inflation.COPIED_INPUT),
                "pieces on both sides of the copy limit");
        for (int cuts : new int[] {1, 3}) {
            assertSameMessages(messages, inflate(compressed, cuts, Unpooled::buffer));
            assertSameMessages(messages, inflate(compressed, cuts, Unpooled::directBuffer));
            // A heap buffer whose array starts before it (a slice).
            assertSameMessages(messages, inflate(compressed, cuts, n -> Unpooled.buffer(n + 3).slice(3, n).clear()));
        }
    }

    @Test
    void messagesThatFillTheirLastStepExactlyOrByOneByteMoreOrLess() {
        List<byte[]> messages = new ArrayList<>();
        int i = 0;
        for (int size : new int[] {Inflation.STEP - 1, Inflation.STEP, Inflation.STEP + 1, 2 * Inflation.STEP, 1}) {
            // Compressible ones, whose pieces are copied with the message's tail; random ones, read in place.
            messages.add(message(i++, size, false));
            messages.add(message(i++, size, true));
        }
        // First, a message whose compressed payload is exactly as long as a copied piece may be: it
        // is copied with its tail after it.
        byte[] atCopyLimit = null;
        for (int size = Inflation.COPIED_INPUT - 16; atCopyLimit == null; size++) {
            byte[] m = message(size, size, true);
            if (compress(List.of(m)).get(0).length == Inflation.COPIED_INPUT) {
                atCopyLimit = m;
            }
        }
        messages.add(0, atCopyLimit);
        List<byte[]> compressed = compress(messages);
        assertEquals(Inflation.COPIED_INPUT, compressed.get(0).length);
        for (int cuts : new int[] {1, 2, 5}) {
            assertSameMessages(messages, inflate(compressed, cuts, Unpooled::directBuffer));
            assertSameMessages(messages, inflate(compressed, cuts, Unpooled::buffer));
        }
    }
}
