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
 * <p>Confined to the connection's event loop, as {@link QueuedInbound} is.
 */
final class WholeMessages extends QueuedInbound {

    private static final Logger log = Loggers.getLogger(WholeMessages.class);
    /** Where the array of a message that did not arrive in one read starts. */
    private static final int START_BYTES = 64 * 1024;

    /** The longest message (FrameDecoder fails longer ones with 1009 before they arrive). */
    private final int maxMessageSize;

    /** The message being assembled: its bytes so far, whether it is text, and its UTF-8 check. */
    private byte[] assembly;
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
                WholeMessages.this.subscribe(actual, Function.identity());
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
            // A message is copied once, into an array of its size, when that is known: it arrived
            // whole, or its first frame is its last (the frame's header gave the length: the
            // decoder checked it against maxMessageSize); a message of several frames starts at
            // 64 KiB (the size of one read), so that it is rarely grown.
            assembly = new byte[end ? n : frame.rest > 0 ? (int) (n + frame.rest)
                    : Math.max(n, Math.min(START_BYTES, maxMessageSize))];
            assembled = 0;
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
        if (!accepting()) {
            // Nobody will read it.
            return;
        }
        enqueue(assemblingText
                ? WebSocketMessage.text(new String(bytes, StandardCharsets.UTF_8))
                : WebSocketMessage.binary(ByteBuffer.wrap(bytes)), bytes.length);
    }

    static ProtocolViolation notUtf8(long offset) {
        return new ProtocolViolation(CloseStatus.INVALID_PAYLOAD, "a text message that is not UTF-8 (at byte " + offset + ")");
    }

    @Override
    void onTerminate() {
        if (assembly != null) {
            log.debug("a message cut short by the end of the connection is dropped ({} bytes)", assembled);
            assembly = null;
            assembled = 0;
        }
    }
}
