package io.fluxsocket.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
                Frame f = (Frame) o;
                if (f.opcode == Opcode.PING) {
                    assertEquals("aa", ByteBufUtil.hexDump(f.content()), "cut " + cut);
                    kinds.add("ping");
                } else {
                    assertEquals(Opcode.BINARY, f.opcode, "every piece carries its message's type");
                    data.append(ByteBufUtil.hexDump(f.content()));
                    kinds.add((f.first ? "first" : "more") + (f.fin ? "+fin" : ""));
                }
                f.release();
            }
            assertEquals("0102030405", data.toString(), "cut " + cut);
            assertEquals("first", kinds.get(0), "cut " + cut + ": " + kinds);
            assertTrue(kinds.get(kinds.size() - 1).endsWith("+fin"), "cut " + cut + ": " + kinds);
            assertEquals(1, kinds.stream().filter(k -> k.startsWith("first")).count(), "cut " + cut + ": " + kinds);
            assertEquals(1, kinds.stream().filter(k -> k.endsWith("+fin")).count(), "cut " + cut + ": " + kinds);
            assertFalse(channel.finish());
        }
    }

    @Test
    void aLargeFrameGoesUpAsSoonAsPartOfItArrives() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder());
        // 0x82 0x7f + 64-bit length 70000, then only 3 payload bytes.
        channel.writeInbound(Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("827f0000000000011170" + "abcdef")));
        Frame first = channel.readInbound();
        assertEquals("abcdef", ByteBufUtil.hexDump(first.content()));
        assertTrue(first.first);
        assertFalse(first.fin, "the frame is not over");
        assertEquals(70000 - 3, first.rest, "the message's final frame: the rest of the message is known");
        first.release();
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[70000 - 3]));
        Frame rest = channel.readInbound();
        assertEquals(70000 - 3, rest.content().readableBytes());
        assertFalse(rest.first);
        assertTrue(rest.fin);
        rest.release();
        assertFalse(channel.finish());
    }

    @Test
    void aPieceOfAFrameThatIsNotItsMessagesLastDoesNotTellTheMessagesRest() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder());
        // A 5-byte BINARY frame without FIN, of which 2 bytes arrived.
        channel.writeInbound(Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("0205" + "0102")));
        Frame first = channel.readInbound();
        assertTrue(first.first);
        assertEquals(0, first.rest, "more frames follow: the message's length is not known");
        first.release();
        channel.finishAndReleaseAll();
    }

    @Test
    void aCloseFrameGoesUpWholeAndChecked() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder());
        channel.writeInbound(Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("880503e8627965")));
        Frame close = channel.readInbound();
        assertEquals(Opcode.CLOSE, close.opcode);
        assertEquals(1000, FrameDecoder.closeCode(close.content()));
        assertEquals("bye", FrameDecoder.closeReason(close.content()));
        close.release();
        assertFalse(channel.finish());
    }

    @Test
    void anEmptyCloseHasNoStatus() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder());
        channel.writeInbound(Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("8800")));
        Frame close = channel.readInbound();
        assertEquals(1005, FrameDecoder.closeCode(close.content()));
        assertEquals("", FrameDecoder.closeReason(close.content()));
        close.release();
        assertFalse(channel.finish());
    }

    @Test
    void aViolationPassesOnWhatCameBeforeItThenFailsWithItsCode() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder());
        ByteBuf input = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("820101" + "c20102" + "820103"));
        DecoderException e = assertThrows(DecoderException.class, () -> channel.writeInbound(input));
        ProtocolViolation violation = assertInstanceOf(ProtocolViolation.class, e.getCause());
        assertEquals(1002, violation.closeCode());
        assertTrue(violation.getMessage().contains("RSV"), violation.getMessage());
        Frame before = channel.readInbound();
        assertEquals("01", ByteBufUtil.hexDump(before.content()));
        before.release();
        assertNull(channel.readInbound(), "nothing after the violation");
        channel.writeInbound(Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("820104")));
        assertNull(channel.readInbound(), "still nothing: the rest is skipped");
        channel.finish();
    }

    @Test
    void reservedOpcodesAreNamedAsDataOrControl() {
        for (String hex : new String[] {"8300", "8b00"}) {
            EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder());
            DecoderException e = assertThrows(DecoderException.class,
                    () -> channel.writeInbound(Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex))));
            String expected = hex.equals("8300") ? "reserved data opcode 3" : "reserved control opcode 11";
            assertEquals(expected, e.getCause().getMessage());
            channel.finish();
        }
    }
}
