package io.fluxsocket.internal;

import io.fluxsocket.testing.Hex;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** UTF-8 as RFC 3629 defines it, checked piece by piece (the Autobahn 6.x cases, in hex). */
class Utf8ValidatorTest {

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(strings = {
            "",
            "48656c6c6f",                   // Hello
            "cebae1bdb9cf83cebcceb5",       // κόσμε
            "c280 dfbf",                    // U+0080, U+07FF
            "e0a080 efbfbf",                // U+0800, U+FFFF
            "ed9fbf ee8080",                // U+D7FF, U+E000: either side of the surrogates
            "f0908080 f48fbfbf",            // U+10000, U+10FFFF
            "00 7f",
    })
    void acceptsValidUtf8WholeAndSplitAtEveryByte(String hex) {
        byte[] bytes = Hex.bytes(hex);
        for (int split = 0; split <= bytes.length; split++) {
            Utf8Validator v = new Utf8Validator();
            assertEquals(-1, v.update(Unpooled.wrappedBuffer(bytes, 0, split)), "first part at split " + split);
            assertEquals(-1, v.update(Unpooled.wrappedBuffer(bytes, split, bytes.length - split)), "second part at split " + split);
            assertTrue(v.isComplete(), "complete at split " + split);
        }
    }

    @ParameterizedTest(name = "{0} fails at byte {1}")
    @CsvSource({
            "c0af, 0",                     // overlong '/'
            "c1bf, 0",                     // overlong two-byte lead
            "e080af, 1",                   // overlong three-byte form
            "f08080af, 1",                 // overlong four-byte form
            "eda080, 1",                   // U+D800, a surrogate
            "edbfbf, 1",                   // U+DFFF
            "f4908080, 1",                 // U+110000, above the range
            "f5, 0",
            "ff, 0",
            "80, 0",                       // a continuation byte with no lead
            "41 c328, 2",                  // lead byte followed by ASCII
            "cebae1bdb9cf83cebcceb5eda080656469746564, 12", // the Autobahn 6.4.x payload
    })
    void rejectsInvalidUtf8AtTheFirstBadByte(String hex, long offset) {
        byte[] bytes = Hex.bytes(hex);
        assertEquals(offset, new Utf8Validator().update(Unpooled.wrappedBuffer(bytes)), "as a ByteBuf");
        assertEquals(offset, new Utf8Validator().update(ByteBuffer.wrap(bytes)), "as a ByteBuffer");
    }

    @Test
    void reportsTheOffsetInTheWholeMessageAcrossPieces() {
        Utf8Validator v = new Utf8Validator();
        assertEquals(-1, v.update(Unpooled.wrappedBuffer("0123456789".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(12, v.update(Unpooled.wrappedBuffer(Hex.bytes("4142 ff"))));
    }

    @Test
    void aCodePointCutOffAtTheEndIsIncomplete() {
        Utf8Validator v = new Utf8Validator();
        assertEquals(-1, v.update(ByteBuffer.wrap(Hex.bytes("41 e282"))));
        assertFalse(v.isComplete(), "two of the three bytes of €");
        assertEquals(-1, v.update(ByteBuffer.wrap(Hex.bytes("ac"))));
        assertTrue(v.isComplete());
    }

    @Test
    void longAsciiRunsAroundMultiByteCodePointsAreChecked() {
        // Crosses the eight-byte fast path: a bad byte after seventeen good ASCII bytes.
        byte[] bytes = (new String(new char[17]).replace('\0', 'a') + "é").getBytes(StandardCharsets.UTF_8);
        assertEquals(-1, new Utf8Validator().update(Unpooled.wrappedBuffer(bytes)));
        bytes[17] = (byte) 0xFF;
        assertEquals(17, new Utf8Validator().update(Unpooled.wrappedBuffer(bytes)));
    }
}
