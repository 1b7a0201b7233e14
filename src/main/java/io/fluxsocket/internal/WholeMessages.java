package io.fluxsocket.internal;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.WebSocketMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Function;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * The inbound side of a connection in whole-message mode: assembles each message from its pieces
 * (text checked as UTF-8 as it arrives, decoded once at the end) and hands complete messages to
 * the single subscriber of {@code receive()} as it requests them.
 *
 * <p>Demand counts messages. The socket is read while more messages are requested than are
 * queued complete, and the complete ones hold fewer than {@code budget} bytes; the message being
 * assembled is kept within {@code maxMessageSize} by {@link FrameDecoder}. So the bytes held stay
 * under {@code budget + maxMessageSize + 64 KiB}.
 *
 * <p>Two forms of a binary message. For {@code receive()} a message is copied once, into a heap
 * array of its own that the subscriber owns. For a reader ({@link #read}), which is lent each
 * message in place, a binary message of at least {@link #LEND_BYTES} is not copied to the heap: if
 * it arrived in one piece it is that piece (a slice of the buffer it was read into) when it is
 * delivered at once, and a heap copy when it has to wait (a slice would keep its whole read buffer
 * meanwhile); if it came in several pieces, they are copied once into a pooled buffer of its size.
 * A slice or pooled buffer is released after the subscriber's {@code onNext} returned, or when it
 * will never be delivered; one still queued when the flow ends becomes a heap message, so that no
 * Netty buffer outlives the connection. Which form a message takes is decided at its first piece,
 * by the subscriber bound then (none: the heap form); text messages and smaller binary ones always
 * take the heap form.
 *
 * <p>Confined to the connection's event loop, as {@link QueuedInbound} is.
 */
final class WholeMessages extends QueuedInbound {

    private static final Logger log = Loggers.getLogger(WholeMessages.class);
    /** Where the array of a message that did not arrive in one read starts. */
    private static final int START_BYTES = 64 * 1024;
    /**
     * The smallest message lent in place: a smaller one is copied to the heap, which costs less
     * than lending it (1 KiB messages through the Spring adapter took 3-5 times longer for their
     * first seconds when lent, until the JIT settled; the same afterwards).
     */
    private static final int LEND_BYTES = 8 * 1024;

    /** The longest message (FrameDecoder fails longer ones with 1009 before they arrive). */
    private final int maxMessageSize;

    /** The message being assembled: its bytes so far (in one of the two forms), whether it is text, and its UTF-8 check. */
    private byte[] assembly;
    private ByteBuf pooledAssembly;
    private int assembled;
    private boolean assemblingText;
    private Utf8Validator utf8;

    WholeMessages(EventLoop eventLoop, int budget, int maxMessageSize, Runnable readCheck) {
        super(eventLoop, budget, readCheck);
        this.maxMessageSize = maxMessageSize;
    }

    @Override
    public long queuedBytes() {
        return super.queuedBytes() + assembled;
    }

    /** The complete messages: {@code receive()}. */
    Flux<WebSocketMessage> receive() {
        return new Flux<WebSocketMessage>() {
            @Override
            public void subscribe(CoreSubscriber<? super WebSocketMessage> actual) {
                // Only a reader's messages take the pooled form: these are heap messages already.
                WholeMessages.this.subscribe(actual, Function.identity());
            }
        };
    }

    /**
     * The complete messages as {@code reader} reads them, a binary one's payload lent in place (a
     * read-only view, valid until the subscriber's {@code onNext} of what {@code reader} made of it
     * returned): a {@link Flux} of its results, with the same one-subscriber rule and demand as
     * {@code receive()}.
     */
    <T> Flux<T> read(Function<? super WebSocketMessage, ? extends T> reader) {
        Lending lending = new Lending(reader);
        return new Flux<T>() {
            @Override
            public void subscribe(CoreSubscriber<? super T> actual) {
                WholeMessages.this.subscribe(actual, lending);
            }
        };
    }

    @Override
    public void onData(Frame frame) {
        if (isDone()) {
            return;
        }
        ByteBuf piece = frame.content();
        boolean start = frame.first;
        boolean end = frame.fin;
        boolean text = frame.opcode == Opcode.TEXT;
        int n = piece.readableBytes();
        if (start) {
            assemblingText = text;
            utf8 = text ? new Utf8Validator() : null;
            assembled = 0;
            // A message is copied once, into memory of its size when that is known: it arrived
            // whole, or its first frame is its last (the frame's header gave the length: the
            // decoder checked it against maxMessageSize); a message of several frames starts at
            // 64 KiB (the size of one read), so that it is rarely grown.
            int size = end ? n : frame.rest > 0 ? (int) (n + frame.rest) : Math.max(n, Math.min(START_BYTES, maxMessageSize));
            if (text || size < LEND_BYTES || !(delivery.tag() instanceof Lending)) {
                assembly = new byte[size];
            } else if (end) {
                lendWhole(piece, n);
                return;
            } else {
                pooledAssembly = piece.alloc().directBuffer(size, maxMessageSize);
            }
        }
        if (pooledAssembly != null) {
            pooledAssembly.writeBytes(piece, piece.readerIndex(), n);
            assembled += n;
            if (end) {
                ByteBuf message = pooledAssembly;
                pooledAssembly = null;
                assembled = 0;
                complete(message, message.readableBytes());
            }
            return;
        }
        if (utf8 != null) {
            long bad = utf8.update(piece);
            if (bad >= 0 || (end && !utf8.isComplete())) {
                throw notUtf8(bad >= 0 ? bad : utf8.offset());
            }
        }
        if (assembly.length - assembled < n) {
            // Doubles at least, within the int range FrameDecoder's limit keeps it in.
            long wanted = Math.max(assembled + (long) n, 2L * assembly.length);
            assembly = Arrays.copyOf(assembly, (int) Math.min(wanted, Integer.MAX_VALUE - 8));
        }
        piece.getBytes(piece.readerIndex(), assembly, assembled, n);
        assembled += n;
        if (!end) {
            return;
        }
        byte[] bytes = assembly.length == assembled ? assembly : Arrays.copyOf(assembly, assembled);
        assembly = null;
        assembled = 0;
        utf8 = null;
        complete(assemblingText
                ? WebSocketMessage.text(new String(bytes, StandardCharsets.UTF_8))
                : WebSocketMessage.binary(ByteBuffer.wrap(bytes)), bytes.length);
    }

    /**
     * A binary message in one piece, for a reader: the piece itself if it is delivered at once,
     * else a heap copy of exactly its bytes, as {@code receive()} has it (a slice would keep its
     * whole read buffer while it waits).
     */
    private void lendWhole(ByteBuf piece, int n) {
        complete(deliveredAtOnce() ? piece.retainedSlice() : heapMessage(piece), n);
    }

    /** A message is complete: it is queued, unless nobody will read it. */
    private void complete(Object message, int bytes) {
        if (!accepting()) {
            // Nobody will read it.
            release(message);
            return;
        }
        enqueue(message, bytes);
    }

    @Override
    void release(Object queued) {
        if (queued instanceof ByteBuf lent) {
            lent.release();
        }
    }

    /** A heap message of {@code lent}'s bytes, which stays as it is. */
    private static WebSocketMessage heapMessage(ByteBuf lent) {
        byte[] bytes = new byte[lent.readableBytes()];
        lent.getBytes(lent.readerIndex(), bytes);
        return WebSocketMessage.binary(ByteBuffer.wrap(bytes));
    }

    static ProtocolViolation notUtf8(long offset) {
        return new ProtocolViolation(CloseStatus.INVALID_PAYLOAD, "a text message that is not UTF-8 (at byte " + offset + ")");
    }

    @Override
    void onTerminate() {
        if (assembly != null || pooledAssembly != null) {
            log.debug("a message cut short by the end of the connection is dropped ({} bytes)", assembled);
            assembly = null;
            if (pooledAssembly != null) {
                pooledAssembly.release();
                pooledAssembly = null;
            }
            assembled = 0;
        }
        // No Netty buffer stays queued once the connection is over.
        replaceQueued(queued -> {
            if (queued instanceof ByteBuf lent) {
                try {
                    return heapMessage(lent);
                } finally {
                    lent.release();
                }
            }
            return queued;
        });
    }

    /** The emitter of a reader: each message given to it, a pooled one as a read-only view of its bytes. */
    private record Lending(Function<? super WebSocketMessage, ?> reader) implements Function<Object, Object> {

        @Override
        public Object apply(Object queued) {
            WebSocketMessage message = queued instanceof ByteBuf lent
                    ? WebSocketMessage.binary(lent.nioBuffer().asReadOnlyBuffer())
                    : (WebSocketMessage) queued;
            return reader.apply(message);
        }
    }
}
