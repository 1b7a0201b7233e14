package io.fluxsocket.spring;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.function.IntPredicate;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.PooledDataBuffer;

/**
 * The payload of a received binary message as {@link FluxsocketWebSocketSession#receive()} emits
 * it: the message's bytes lent by the connection ({@code MessageWebSocket.receive(reader)}), read
 * in place, with the lifetime Spring gives a pooled buffer on Reactor Netty. It holds one reference
 * for the delivery, which {@link #expire} drops once the subscriber's {@code onNext} returned;
 * {@link #retain} first copies the bytes into a heap buffer of their own, so that a payload a
 * handler retains outlives the connection's memory, until it is released as often as it was
 * retained. Any use of a payload without a reference left fails with an
 * {@link IllegalStateException}, as a released Netty buffer's does, rather than read memory the
 * connection reused. A slice or {@link ByteBuffer} view taken from it is valid while it is.
 *
 * <p>Every {@link DataBuffer} method is its delegate's: Spring's {@link DataBuffer} over the
 * read-only view, or over the copy once retained. Writing past the payload grows it, as that
 * delegate does, into memory of its own (the connection's is never written; writing over the view
 * itself fails with a {@link java.nio.ReadOnlyBufferException}). The abstract methods of
 * {@link DataBuffer} are the same in Spring 6.2 and 7.0.
 */
final class LentDataBuffer implements PooledDataBuffer {

    /** What it reads: the view, or the heap copy once retained; null once no reference is left. */
    private volatile DataBuffer target;
    /** References: the delivery's, and one per {@link #retain} not yet released. */
    private int references = 1;
    /** Whether {@link #target} is the heap copy. */
    private boolean copied;

    LentDataBuffer(DataBufferFactory factory, ByteBuffer lent) {
        this.target = factory.wrap(lent);
    }

    /** The delivery is over (the subscriber's {@code onNext} returned): its reference goes. */
    synchronized void expire() {
        if (references > 0) {
            release();
        }
    }

    private DataBuffer target() {
        DataBuffer t = target;
        if (t == null) {
            throw new IllegalStateException("this WebSocket message payload was released: a payload is valid during the "
                    + "subscriber's onNext; retain() it (WebSocketMessage.retain()) to keep it longer, then release it");
        }
        return t;
    }

    // ---- PooledDataBuffer ----

    @Override
    public synchronized boolean isAllocated() {
        return references > 0;
    }

    @Override
    public synchronized PooledDataBuffer retain() {
        DataBuffer t = target();
        if (!copied) {
            ByteBuffer copy = ByteBuffer.allocate(t.readableByteCount());
            t.toByteBuffer(t.readPosition(), copy, 0, copy.capacity());
            target = t.factory().wrap(copy);
            copied = true;
        }
        references++;
        return this;
    }

    @Override
    public PooledDataBuffer touch(Object hint) {
        return this;
    }

    @Override
    public synchronized boolean release() {
        if (references <= 0) {
            throw new IllegalStateException("this WebSocket message payload was released already");
        }
        references--;
        if (references == 0) {
            target = null;
            return true;
        }
        return false;
    }

    // ---- DataBuffer: the delegate's ----

    @Override
    public DataBufferFactory factory() {
        return target().factory();
    }

    @Override
    public int indexOf(IntPredicate predicate, int fromIndex) {
        return target().indexOf(predicate, fromIndex);
    }

    @Override
    public int lastIndexOf(IntPredicate predicate, int fromIndex) {
        return target().lastIndexOf(predicate, fromIndex);
    }

    @Override
    public int readableByteCount() {
        return target().readableByteCount();
    }

    @Override
    public int writableByteCount() {
        return target().writableByteCount();
    }

    @Override
    public int capacity() {
        return target().capacity();
    }

    @Override
    @SuppressWarnings("deprecation")
    public DataBuffer capacity(int capacity) {
        target().capacity(capacity);
        return this;
    }

    @Override
    public DataBuffer ensureWritable(int capacity) {
        target().ensureWritable(capacity);
        return this;
    }

    @Override
    public int readPosition() {
        return target().readPosition();
    }

    @Override
    public DataBuffer readPosition(int readPosition) {
        target().readPosition(readPosition);
        return this;
    }

    @Override
    public int writePosition() {
        return target().writePosition();
    }

    @Override
    public DataBuffer writePosition(int writePosition) {
        target().writePosition(writePosition);
        return this;
    }

    @Override
    public byte getByte(int index) {
        return target().getByte(index);
    }

    @Override
    public byte read() {
        return target().read();
    }

    @Override
    public DataBuffer read(byte[] destination) {
        target().read(destination);
        return this;
    }

    @Override
    public DataBuffer read(byte[] destination, int offset, int length) {
        target().read(destination, offset, length);
        return this;
    }

    @Override
    public DataBuffer write(byte b) {
        target().write(b);
        return this;
    }

    @Override
    public DataBuffer write(byte[] source) {
        target().write(source);
        return this;
    }

    @Override
    public DataBuffer write(byte[] source, int offset, int length) {
        target().write(source, offset, length);
        return this;
    }

    @Override
    public DataBuffer write(DataBuffer... buffers) {
        target().write(buffers);
        return this;
    }

    @Override
    public DataBuffer write(ByteBuffer... buffers) {
        target().write(buffers);
        return this;
    }

    @Override
    public DataBuffer write(CharSequence text, Charset charset) {
        target().write(text, charset);
        return this;
    }

    @Override
    @SuppressWarnings("deprecation")
    public DataBuffer slice(int index, int length) {
        return target().slice(index, length);
    }

    /** A slice of the heap copy: the payload is {@link #retain retained} (copied) first. */
    @Override
    @SuppressWarnings("deprecation")
    public DataBuffer retainedSlice(int index, int length) {
        retain();
        return target().slice(index, length);
    }

    @Override
    public DataBuffer split(int index) {
        return target().split(index);
    }

    @Override
    @SuppressWarnings("deprecation")
    public ByteBuffer asByteBuffer() {
        return target().asByteBuffer();
    }

    @Override
    @SuppressWarnings("deprecation")
    public ByteBuffer asByteBuffer(int index, int length) {
        return target().asByteBuffer(index, length);
    }

    @Override
    @SuppressWarnings("deprecation")
    public ByteBuffer toByteBuffer(int index, int length) {
        return target().toByteBuffer(index, length);
    }

    @Override
    public void toByteBuffer(int srcPos, ByteBuffer dest, int destPos, int length) {
        target().toByteBuffer(srcPos, dest, destPos, length);
    }

    @Override
    public ByteBufferIterator readableByteBuffers() {
        return target().readableByteBuffers();
    }

    @Override
    public ByteBufferIterator writableByteBuffers() {
        return target().writableByteBuffers();
    }

    @Override
    public String toString(int index, int length, Charset charset) {
        return target().toString(index, length, charset);
    }

    @Override
    public String toString() {
        DataBuffer t = target;
        return "LentDataBuffer[" + (t == null ? "released" : (copied ? "retained copy, " : "lent, ") + t.readableByteCount()
                + " bytes") + "]";
    }
}
