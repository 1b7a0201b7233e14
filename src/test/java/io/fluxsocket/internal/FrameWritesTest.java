package io.fluxsocket.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared promise of frame writes on its own: which frame each completion is told for, and the
 * listeners other handlers add while a write passes through them. {@link HeldWrites} keeps writes and
 * completes or fails them when told, as a socket or a queuing handler would.
 */
class FrameWritesTest {

    private final List<String> told = new ArrayList<>();
    private final HeldWrites held = new HeldWrites();
    private EmbeddedChannel channel;
    private ChannelHandlerContext ctx;
    private FrameWrites writes;

    private void open(ChannelDuplexHandler... between) {
        channel = new EmbeddedChannel();
        channel.pipeline().addLast(held);
        channel.pipeline().addLast(between);
        channel.pipeline().addLast(new ChannelDuplexHandler() {
            @Override
            public void handlerAdded(ChannelHandlerContext c) {
                ctx = c;
            }
        });
        writes = new FrameWrites(channel, (tag, size, cause) -> told.add(tag + ":" + size + (cause == null ? "" : ":" + cause.getMessage())));
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void completionsAreToldInTheOrderTheFramesWereWritten() {
        open();
        for (int i = 0; i < 20; i++) {
            writes.write(ctx, Unpooled.buffer(1), i, "f" + i);
        }
        assertEquals(20, writes.pending());
        held.completeAll();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add("f" + i + ":" + i);
        }
        assertEquals(expected, told, "in order, the ring grown past its first 8 slots");
        assertEquals(0, writes.pending());
    }

    @Test
    void aFailureInTheMiddleOfAMessageIsToldForItsFrameAndTheOthersInOrder() {
        open();
        writes.write(ctx, Unpooled.buffer(1), 1, "first");
        writes.write(ctx, Unpooled.buffer(1), 2, "second");
        writes.write(ctx, Unpooled.buffer(1), 3, "last");
        held.completeOne();
        held.failOne(new IOException("reset"));
        held.failOne(new IOException("closed"));
        assertEquals(List.of("first:1", "second:2:reset", "last:3:closed"), told);
    }

    @Test
    void aCompletionWhileTheWriteIsOnTheStackIsTheNewestFrames() {
        open(new ChannelDuplexHandler() {
            @Override
            public void write(ChannelHandlerContext c, Object msg, ChannelPromise promise) {
                if (((io.netty.buffer.ByteBuf) msg).readableBytes() == 0) {
                    // Refused at once, as a closed channel or a failing encoder would.
                    ((io.netty.buffer.ByteBuf) msg).release();
                    promise.setFailure(new IOException("refused"));
                } else {
                    c.write(msg, promise);
                }
            }
        });
        writes.write(ctx, Unpooled.buffer(1).writeByte(1), 1, "older");
        writes.write(ctx, Unpooled.EMPTY_BUFFER, 0, "newest");
        assertEquals(List.of("newest:0:refused"), told, "the newest, not the oldest still held");
        held.completeAll();
        assertEquals(List.of("newest:0:refused", "older:1"), told);
    }

    @Test
    void listenersAddedWhileAWritePassesAreToldOfThatFramesOutcome() {
        List<String> heard = new ArrayList<>();
        open(new ChannelDuplexHandler() {
            @Override
            public void write(ChannelHandlerContext c, Object msg, ChannelPromise promise) {
                int n = ((io.netty.buffer.ByteBuf) msg).readableBytes();
                promise.addListener((ChannelFutureListener) f -> heard.add(n + (f.isSuccess() ? ":ok" : ":" + f.cause().getMessage())));
                if (n == 2) {
                    promise.addListener((ChannelFutureListener) f -> heard.add(n + ":second listener"));
                }
                c.write(msg, promise);
            }
        });
        writes.write(ctx, Unpooled.buffer(1).writeZero(1), 1, "a");
        writes.write(ctx, Unpooled.buffer(2).writeZero(2), 2, "b");
        writes.write(ctx, Unpooled.buffer(3).writeZero(3), 3, "c");
        held.completeOne();
        assertEquals(List.of("1:ok"), heard, "only the first frame's listener");
        held.completeOne();
        held.failOne(new IOException("lost"));
        assertEquals(List.of("1:ok", "2:ok", "2:second listener", "3:lost"), heard);
        assertEquals(List.of("a:1", "b:2", "c:3:lost"), told);
    }

    @Test
    void aListenerAddedOutsideAWriteIsRefusedAndWaitingIsNotPossible() {
        open();
        ChannelFutureListener l = f -> { };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> writes.addListener(l));
        assertTrue(e.getMessage().contains("only while its write passes"), e.getMessage());
        assertThrows(UnsupportedOperationException.class, writes::sync);
        assertTrue(writes.setUncancellable());
        assertSame(channel, writes.channel());
        assertNull(writes.cause());
    }
}
