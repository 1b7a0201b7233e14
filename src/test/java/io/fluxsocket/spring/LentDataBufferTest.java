package io.fluxsocket.spring;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LentDataBuffer} on its own: reads through the lent view, the delivery's reference dropped
 * by {@code expire()}, {@code retain()} copying the bytes so that they outlive the view, and every
 * use after the last reference refused. The view stands for the connection's memory: the test
 * overwrites it after the delivery, as a later socket read would.
 */
@Tag("spring")
class LentDataBufferTest {

    private static final byte[] HELLO = "hello, lent world".getBytes(StandardCharsets.UTF_8);

    /** The connection's memory, and a read-only view of it as the payload lends it. */
    private final ByteBuffer memory = ByteBuffer.allocateDirect(HELLO.length).put(HELLO).flip();
    private final LentDataBuffer payload = new LentDataBuffer(DefaultDataBufferFactory.sharedInstance, memory.asReadOnlyBuffer());

    private void reuseMemory() {
        for (int i = 0; i < memory.limit(); i++) {
            memory.put(i, (byte) 'x');
        }
    }

    @Test
    void readsTheLentBytesInPlace() {
        assertEquals(HELLO.length, payload.readableByteCount());
        assertEquals("hello, lent world", payload.toString(StandardCharsets.UTF_8));
        assertEquals('h', payload.getByte(0));
        assertEquals(5, payload.indexOf(b -> b == ',', 0));
        byte[] first = new byte[5];
        assertSame(payload, payload.read(first), "chained calls return the payload itself");
        assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), first);
        assertEquals(HELLO.length - 5, payload.readableByteCount());
        memory.put(0, (byte) 'j');
        assertEquals('j', payload.getByte(0), "a view, not a copy");
        // Writing grows it into memory of its own (Spring's DefaultDataBuffer does so when full).
        payload.write((byte) '!');
        assertEquals(", lent world!", payload.toString(StandardCharsets.UTF_8));
        assertEquals('j', memory.get(0), "the connection's memory is not written");
    }

    @Test
    void theViewItselfCannotBeWritten() {
        payload.writePosition(0);
        assertThrows(ReadOnlyBufferException.class, () -> payload.write((byte) 1));
    }

    @Test
    void afterTheDeliveryAnUnretainedPayloadRefusesToBeRead() {
        assertTrue(payload.isAllocated());
        payload.expire();
        assertFalse(payload.isAllocated());
        IllegalStateException e = assertThrows(IllegalStateException.class, payload::readableByteCount);
        assertTrue(e.getMessage().contains("retain()"), e::getMessage);
        assertThrows(IllegalStateException.class, () -> payload.toString(StandardCharsets.UTF_8));
        assertThrows(IllegalStateException.class, payload::retain);
        assertThrows(IllegalStateException.class, payload::release, "no reference left");
        payload.expire(); // nothing left to drop: no error
    }

    @Test
    void aRetainedPayloadIsACopyThatOutlivesTheViewUntilReleased() {
        payload.read(new byte[7]); // "hello, " read before retaining: the copy keeps what is readable
        assertSame(payload, payload.retain());
        payload.expire();
        reuseMemory();
        assertTrue(payload.isAllocated());
        assertEquals("lent world", payload.toString(StandardCharsets.UTF_8));
        payload.retain(); // a second reference: no second copy needed
        assertFalse(payload.release());
        assertEquals("lent world", payload.toString(StandardCharsets.UTF_8));
        assertTrue(DataBufferUtils.release(payload), "the last reference");
        assertThrows(IllegalStateException.class, payload::readableByteCount);
    }

    @Test
    void aHandlerThatReleasesInOnNextLeavesNothingForTheDelivery() {
        assertTrue(payload.release());
        payload.expire(); // the delivery's reference was the one released: no error, nothing happens
        assertFalse(payload.isAllocated());
    }

    @Test
    void aRetainedSliceIsTakenFromTheCopy() {
        DataBuffer slice = payload.retainedSlice(7, 4);
        payload.expire();
        reuseMemory();
        assertEquals("lent", slice.toString(StandardCharsets.UTF_8));
        assertTrue(payload.isAllocated(), "the slice holds a reference");
        assertTrue(payload.release());
    }
}
