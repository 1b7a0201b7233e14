package io.fluxsocket.internal;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Framer} without a socket: given buffers, the end, and whether a partial frame may go,
 * the frames it yields, byte for byte. Frames are written as {@code opcode[+fin]:hex}, where the
 * opcode is the one on the wire (a continuation after the first frame).
 */
class FramerTest {

    /** Frames of 8 bytes at most: small enough to read every case in hex. */
    private static final int MAX = 8;

    private final Framer framer = new Framer(PooledByteBufAllocator.DEFAULT, MAX);
    private final List<String> frames = new ArrayList<>();

    @AfterEach
    void releaseWhatIsLeft() {
        framer.reset();
    }

    @Test
    void aBufferOfManyFramesIsSplitAtMaxFramePayloadWithFinOnItsLastBytes() {
        framer.begin(Opcode.BINARY);
        framer.add(hex("000102030405060708090a0b0c0d0e0f1011121314"));
        framer.end();
        drain(false);
        assertEquals(List.of("BINARY:0001020304050607", "CONTINUATION:08090a0b0c0d0e0f", "CONTINUATION+fin:1011121314"), frames);
        assertFalse(framer.inMessage(), "between messages after FIN");
    }

    @Test
    void wholeFramesAreSlicesOfTheBufferNotCopies() {
        byte[] array = new byte[2 * MAX];
        framer.begin(Opcode.BINARY);
        framer.add(ByteBuffer.wrap(array));
        framer.end();
        Frame first = framer.next(false);
        try {
            assertTrue(first.content().hasArray());
            assertSame(array, first.content().array(), "the frame's payload is the application's array");
        } finally {
            first.release();
        }
        framer.next(false).release();
    }

    @Test
    void smallBuffersAreCoalescedIntoFullFrames() {
        framer.begin(Opcode.BINARY);
        for (String part : new String[] {"0102", "030405", "06", "0708090a", "0b"}) {
            framer.add(hex(part));
            drain(false);
        }
        assertEquals(List.of("BINARY:0102030405060708"), frames, "one full frame; the rest waits for more");
        assertEquals(3, framer.held());
        framer.end();
        drain(false);
        assertEquals(List.of("BINARY:0102030405060708", "CONTINUATION+fin:090a0b"), frames);
        assertEquals(0, framer.held());
    }

    @Test
    void aPartialFrameGoesWhenAskedAndAnEndAfterItIsAnEmptyFinalFrame() {
        framer.begin(Opcode.TEXT);
        framer.add(hex("6869"));
        assertNull(framer.next(false), "less than a frame waits");
        drain(true);
        framer.add(hex("21"));
        drain(true);
        framer.end();
        drain(false);
        assertEquals(List.of("TEXT:6869", "CONTINUATION:21", "CONTINUATION+fin:"), frames);
    }

    @Test
    void anEmptyMessageIsOneEmptyFinalFrame() {
        framer.begin(Opcode.BINARY);
        framer.add(ByteBuffer.allocate(0));
        framer.end();
        drain(true);
        assertEquals(List.of("BINARY+fin:"), frames);
    }

    @Test
    void emptyBuffersAddNothing() {
        framer.begin(Opcode.BINARY);
        framer.add(ByteBuffer.allocate(0));
        assertTrue(framer.needsInput());
        framer.add(hex("01"));
        drain(false);
        framer.add(ByteBuffer.allocate(0));
        drain(false);
        framer.end();
        drain(false);
        assertEquals(List.of("BINARY+fin:01"), frames);
    }

    @Test
    void aBufferThatCompletesTheCoalescedBytesFillsTheFrameAndTheRestFollows() {
        framer.begin(Opcode.BINARY);
        framer.add(hex("010203"));
        drain(false);
        framer.add(hex("0405060708090a0b0c0d0e0f1011121314"));
        drain(false);
        framer.end();
        drain(false);
        assertEquals(List.of("BINARY:0102030405060708", "CONTINUATION:090a0b0c0d0e0f10", "CONTINUATION+fin:11121314"),
                frames);
    }

    @Test
    void buffersAreLeftAsTheyWereWhateverTheirKind() {
        ByteBuffer heap = ByteBuffer.wrap(new byte[] {9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 9}).position(1).limit(12);
        ByteBuffer readOnly = heap.duplicate().asReadOnlyBuffer();
        ByteBuffer direct = ByteBuffer.allocateDirect(13).put(heap.duplicate()).flip();
        for (ByteBuffer b : new ByteBuffer[] {heap, readOnly, direct}) {
            int position = b.position();
            int limit = b.limit();
            framer.begin(Opcode.BINARY);
            framer.add(b.duplicate().limit(position + 3));
            drain(false);
            framer.add(b);
            framer.end();
            drain(false);
            assertEquals(position, b.position());
            assertEquals(limit, b.limit());
        }
        String coalescedThenSplit = "BINARY:0102030102030405";
        assertEquals(List.of(coalescedThenSplit, "CONTINUATION+fin:060708090a0b",
                coalescedThenSplit, "CONTINUATION+fin:060708090a0b",
                coalescedThenSplit, "CONTINUATION+fin:060708090a0b"), frames);
    }

    @Test
    void heldCountsWhatWasAddedAndNotYielded() {
        framer.begin(Opcode.BINARY);
        framer.add(hex("0102030405060708090a"));
        assertEquals(10, framer.held());
        framer.next(false).release();
        assertEquals(2, framer.held());
        assertFalse(framer.needsInput(), "the rest of the buffer is not framed yet");
        assertNull(framer.next(false), "two bytes are not a frame");
        assertTrue(framer.needsInput(), "the rest is coalesced: more may come");
        assertEquals(2, framer.held());
        framer.reset();
        assertEquals(0, framer.held());
        assertFalse(framer.inMessage());
    }

    @Test
    void misuseFailsLoudly() {
        assertThrows(IllegalStateException.class, () -> framer.add(hex("01")), "no message begun");
        assertThrows(IllegalStateException.class, framer::end);
        framer.begin(Opcode.BINARY);
        assertThrows(IllegalStateException.class, () -> framer.begin(Opcode.TEXT), "one message at a time");
        framer.add(hex("0102030405060708090a"));
        assertThrows(IllegalStateException.class, () -> framer.add(hex("01")), "the last buffer is not framed yet");
    }

    /** Takes every frame the framer yields now, recording it and releasing it. */
    private void drain(boolean partial) {
        for (Frame f; (f = framer.next(partial)) != null; ) {
            try {
                frames.add(f.wireOpcode() + (f.fin ? "+fin" : "") + ":" + ByteBufUtil.hexDump(f.content()));
            } finally {
                f.release();
            }
        }
    }

    private static ByteBuffer hex(String hex) {
        return ByteBuffer.wrap(ByteBufUtil.decodeHexDump(hex));
    }
}
