package io.fluxsocket.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * The outbound byte budget of one connection ({@code outboundBufferBytes}), shared by the
 * publishers it takes from: bytes are charged as items arrive, on the publishers' threads
 * ({@link Pull}), and given back on the event loop as frames are written to the socket, or when
 * what holds them is dropped. A publisher is asked for its next item only while the budget has
 * room, so {@link #held()} stays under the limit plus one item per publisher being taken from.
 *
 * <p>Two gates. A message-mode send takes a message only while {@link #roomForMessages()}: room,
 * and no message whose bytes come from a publisher (streamed, or read when it starts) is taken and
 * not yet written, since such a message needs the room to go on and messages queued behind it
 * could not free it. The message being written asks its publisher for buffers, and a message read
 * from a {@code Callable} is read, while {@link #roomAhead()}: room, not counting the whole
 * messages queued behind it.
 */
final class OutboundBudget implements Pull.Taker<ByteBuffer, ByteBuffer> {

    private static final VarHandle TAKEN;
    private static final VarHandle CONTENT_MESSAGES;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TAKEN = lookup.findVarHandle(OutboundBudget.class, "taken", long.class);
            CONTENT_MESSAGES = lookup.findVarHandle(OutboundBudget.class, "contentMessages", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long limit;
    /** Bytes taken from publishers and not yet written to the socket or dropped (any thread, through {@link #TAKEN}). */
    private volatile long taken;
    /** Of those, the whole messages waiting in the outbound queue (single writer, the event loop). */
    private volatile long queued;
    /** Message-mode messages whose bytes come from a publisher, taken and not ended (any thread, through {@link #CONTENT_MESSAGES}). */
    private volatile int contentMessages;

    OutboundBudget(long limit) {
        this.limit = limit;
    }

    // ---- the buffers of the message being written: this budget is their taker ----

    @Override
    public ByteBuffer take(ByteBuffer item) {
        charge(item.remaining());
        return item;
    }

    @Override
    public void release(ByteBuffer item) {
        release(item.remaining());
    }

    @Override
    public boolean mayRequest() {
        return roomAhead();
    }

    // ---- the budget ----

    /** Bytes taken from publishers and not yet written to the socket or dropped. */
    long held() {
        return taken;
    }

    void charge(long bytes) {
        if (bytes != 0) {
            TAKEN.getAndAdd(this, bytes);
        }
    }

    void release(long bytes) {
        if (bytes != 0) {
            TAKEN.getAndAdd(this, -bytes);
        }
    }

    /** Whole messages' bytes joined ({@code bytes > 0}) or left the outbound queue. Event loop. */
    void queued(long bytes) {
        if (bytes != 0) {
            // Single writer: no atomic update needed, and none at all for streamed messages.
            queued += bytes;
        }
    }

    /** A message-mode message with a publisher was taken. */
    void contentTaken() {
        CONTENT_MESSAGES.getAndAdd(this, 1);
    }

    /** A message-mode message with a publisher ended (written, failed or dropped). */
    void contentEnded() {
        CONTENT_MESSAGES.getAndAdd(this, -1);
    }

    /** The message being written may take more: room, not counting the whole messages queued behind it. */
    boolean roomAhead() {
        return taken - queued < limit;
    }

    /** A message-mode send may take a message. */
    boolean roomForMessages() {
        return contentMessages == 0 && taken < limit;
    }
}
