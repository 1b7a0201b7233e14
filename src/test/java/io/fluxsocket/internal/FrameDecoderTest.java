package io.fluxsocket.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Byte-exact fixtures for {@link FrameDecoder}: pieces as bytes arrive, whatever the split. */
class FrameDecoderTest {

    /** A fragmented binary message "010203" + "0405" with a ping ("aa") between its frames. */
    private static final String MESSAGE = "02 03 010203" + "89 01 aa" + "80 02 0405";

    @Test
    void anySplitOfTheInputGivesTheSameBytesAndMessageEnd() {
        byte[] input = ByteBufUtil.decodeHexDump(MESSAGE.replace(" ", ""));
        for (int cut = 0; cut <= input.length; cut++) {
            EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder());
            channel.writeInbound(Unpooled.wrappedBuffer(input, 0, cut));
            channel.writeInbound(Unpooled.wrappedBuffer(input, cut, input.length - cut));
            StringBuilder data = new StringBuilder();
            List<String> kinds = new ArrayList<>();
            for (Object o; (o = channel.readInbound()) != null; ) {
                WebSocketFrame f = (WebSocketFrame) o;
                if (f instanceof PingWebSocketFrame) {
                    assertEquals("aa", ByteBufUtil.hexDump(f.content()), "cut " + cut);
                    kinds.add("ping");
                } else {
                    data.append(ByteBufUtil.hexDump(f.content()));
                    kinds.add((f instanceof BinaryWebSocketFrame ? "binary" : "cont") + (f.isFinalFragment() ? "+fin" : ""));
                }
                f.release();
            }
            assertEquals("0102030405", data.toString(), "cut " + cut);
            assertEquals("binary", kinds.get(0), "cut " + cut + ": " + kinds);
            assertTrue(kinds.get(kinds.size() - 1).endsWith("+fin"), "cut " + cut + ": " + kinds);
            assertEquals(1, kinds.stream().filter(k -> k.endsWith("+fin")).count(), "cut " + cut + ": " + kinds);
            assertFalse(channel.finish());
        }
    }

    @Test
    void aLargeFrameGoesUpAsSoonAsPartOfItArrives() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder());
        // 0x82 0x7f + 64-bit length 70000, then only 3 payload bytes.
        channel.writeInbound(Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("827f0000000000011170" + "abcdef")));
        BinaryWebSocketFrame first = channel.readInbound();
        assertEquals("abcdef", ByteBufUtil.hexDump(first.content()));
        assertFalse(first.isFinalFragment(), "the frame is not over");
        first.release();
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[70000 - 3]));
        ContinuationWebSocketFrame rest = channel.readInbound();
        assertEquals(70000 - 3, rest.content().readableBytes());
        assertTrue(rest.isFinalFragment());
        rest.release();
        assertFalse(channel.finish());
    }

    @Test
    void aCloseFrameGoesUpWholeAndChecked() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder());
        channel.writeInbound(Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("880503e8627965")));
        CloseWebSocketFrame close = channel.readInbound();
        assertEquals(1000, close.statusCode());
        assertEquals("bye", close.reasonText());
        close.release();
        assertFalse(channel.finish());
    }

    @Test
    void aViolationPassesOnWhatCameBeforeItThenFailsWithItsCode() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder());
        ByteBuf input = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("820101" + "c20102" + "820103"));
        CorruptedWebSocketFrameException e = assertThrows(CorruptedWebSocketFrameException.class,
                () -> channel.writeInbound(input));
        assertEquals(1002, e.closeStatus().code());
        assertTrue(e.getMessage().contains("RSV"), e.getMessage());
        BinaryWebSocketFrame before = channel.readInbound();
        assertEquals("01", ByteBufUtil.hexDump(before.content()));
        before.release();
        assertNull(channel.readInbound(), "nothing after the violation");
        channel.writeInbound(Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("820104")));
        assertNull(channel.readInbound(), "still nothing: the rest is skipped");
        channel.finish();
    }
}
