package io.fluxsocket.internal;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.testing.LeakDetectionExtension;
import io.fluxsocket.testing.RawServer;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The protocol fuzzer's decoder half: random and mutated frame sequences into {@link FrameDecoder}
 * on an {@link EmbeddedChannel}, split at random places. Properties: well-formed sequences decode
 * to exactly their messages, whatever the split; any input decodes alike whatever the split and
 * fails, if at all, only with a {@link ProtocolViolation} carrying 1002, 1007 or 1009; a sequence
 * with one bad frame inserted delivers exactly what came before it and fails with the code that
 * frame calls for, never a byte of it. Tries: {@code jqwik.tries.default} (200 in CI;
 * {@code scripts/fuzz.sh} raises it). Leaks are checked after the class, as for Jupiter tests.
 */
class FrameDecoderFuzzTest {

    /** Protocol error, invalid payload (UTF-8 of a Close reason), message too big. */
    static final Set<Integer> FAILURE_CODES = Set.of(CloseStatus.PROTOCOL_ERROR, CloseStatus.INVALID_PAYLOAD,
            CloseStatus.MESSAGE_TOO_BIG);

    @BeforeContainer
    static void startLeakCheck() {
        LeakDetectionExtension.startRecording();
    }

    @AfterContainer
    static void noLeak() {
        LeakDetectionExtension.assertNoLeakSinceStart(FrameDecoderFuzzTest.class.getSimpleName());
    }

    // ---- the model ----

    /** One frame as the server writes it (unmasked, minimal length encoding). */
    record Wire(boolean fin, int rsv, int opcode, boolean masked, byte[] payload) {

        byte[] bytes() {
            return RawServer.frame(fin, rsv, opcode, masked, payload);
        }

        boolean control() {
            return (opcode & 0x08) != 0;
        }

        @Override
        public String toString() {
            return (fin ? "fin " : "") + (rsv != 0 ? "rsv" + rsv + " " : "") + "op" + opcode + (masked ? " masked" : "")
                    + " [" + payload.length + "] " + (payload.length <= 16 ? ByteBufUtil.hexDump(payload) : "");
        }
    }

    /**
     * What a decoder passes on, written down the same way for the model and for the decoder: a
     * message's first piece is marked {@code T:} or {@code B:}, its bytes follow in hex whatever
     * the pieces, {@code |} ends it; a control frame is {@code [opcode:hex]}.
     */
    static String expected(List<Wire> frames) {
        StringBuilder sb = new StringBuilder();
        boolean inMessage = false;
        for (Wire w : frames) {
            if (w.control()) {
                sb.append('[').append(w.opcode()).append(':').append(ByteBufUtil.hexDump(w.payload())).append(']');
                continue;
            }
            if (!inMessage) {
                sb.append(w.opcode() == 1 ? "T:" : "B:");
            }
            sb.append(ByteBufUtil.hexDump(w.payload()));
            inMessage = !w.fin();
            if (w.fin()) {
                sb.append('|');
            }
        }
        return sb.toString();
    }

    /** What the decoder did with an input fed in pieces cut at {@code cuts}: what it passed on, and how it failed. */
    record Outcome(String events, Integer closeCode, String otherFailure) {
    }

    static Outcome decode(byte[] input, List<Integer> cuts) {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder());
        StringBuilder events = new StringBuilder();
        Integer code = null;
        String other = null;
        List<Integer> points = new ArrayList<>();
        for (int c : cuts) {
            points.add(Math.floorMod(c, input.length + 1));
        }
        points.add(input.length);
        points.sort(null);
        int from = 0;
        for (int to : points) {
            if (to < from) {
                continue;
            }
            try {
                channel.writeInbound(Unpooled.wrappedBuffer(input, from, to - from));
            } catch (DecoderException e) {
                if (e.getCause() instanceof ProtocolViolation v) {
                    code = v.closeCode();
                } else {
                    other = String.valueOf(e.getCause());
                }
            } catch (RuntimeException e) {
                other = e.toString();
            }
            drain(channel, events);
            from = to;
            if (code != null || other != null) {
                break;
            }
        }
        channel.finishAndReleaseAll();
        return new Outcome(events.toString(), code, other);
    }

    private static void drain(EmbeddedChannel channel, StringBuilder events) {
        for (Object o; (o = channel.readInbound()) != null; ) {
            Frame f = (Frame) o;
            try {
                if (f.opcode.code >= 0x8) {
                    events.append('[').append(f.opcode.code).append(':').append(ByteBufUtil.hexDump(f.content())).append(']');
                } else {
                    if (f.first) {
                        events.append(f.opcode == Opcode.TEXT ? "T:" : "B:");
                    }
                    events.append(ByteBufUtil.hexDump(f.content()));
                    if (f.fin) {
                        events.append('|');
                    }
                }
            } finally {
                f.release();
            }
        }
    }

    // ---- properties ----

    @Property
    void wellFormedSequencesDecodeToExactlyTheirMessagesWhateverTheSplit(
            @ForAll("sequences") List<Wire> frames, @ForAll("cuts") List<Integer> cuts) {
        Outcome outcome = decode(concat(frames), cuts);
        assertNull(outcome.otherFailure(), () -> frames + ": " + outcome);
        assertNull(outcome.closeCode(), () -> frames + ": " + outcome);
        assertEquals(expected(frames), outcome.events(), frames::toString);
    }

    @Property
    void anyInputDecodesAlikeWhateverTheSplitAndFailsOnlyWithAProtocolCode(
            @ForAll("noise") byte[] input, @ForAll("cuts") List<Integer> cuts) {
        Outcome whole = decode(input, List.of());
        Outcome split = decode(input, cuts);
        assertNull(whole.otherFailure(), () -> ByteBufUtil.hexDump(input) + ": " + whole);
        assertEquals(whole, split, () -> ByteBufUtil.hexDump(input));
        assertTrue(whole.closeCode() == null || FAILURE_CODES.contains(whole.closeCode()), whole::toString);
    }

    @Property
    void oneBadFrameFailsWithItsCodeAfterExactlyWhatCameBeforeIt(
            @ForAll("sequences") List<Wire> frames, @ForAll("badFrames") Bad bad,
            @ForAll("indices") int where, @ForAll("cuts") List<Integer> cuts) {
        // Where the bad frame may go: a continuation only outside a message, a new data frame only
        // inside one; anything else anywhere.
        List<Integer> places = new ArrayList<>();
        boolean inMessage = false;
        for (int i = 0; i <= frames.size(); i++) {
            if (bad.needs == null || bad.needs == inMessage) {
                places.add(i);
            }
            if (i < frames.size() && !frames.get(i).control()) {
                inMessage = !frames.get(i).fin();
            }
        }
        if (places.isEmpty()) {
            return;
        }
        int at = places.get(Math.floorMod(where, places.size()));
        List<Wire> before = frames.subList(0, at);
        byte[] input = concat(List.of(concat(before), bad.bytes, concat(frames.subList(at, frames.size()))));
        Outcome outcome = decode(input, cuts);
        String description = bad + " after " + before;
        assertNull(outcome.otherFailure(), () -> description + ": " + outcome);
        assertEquals(bad.code, outcome.closeCode(), () -> description + ": " + outcome);
        assertEquals(expected(before), outcome.events(), description);
    }

    // ---- generators ----

    /** A bad frame, the close code it calls for, and whether it needs to be inside a message (null: anywhere). */
    record Bad(String name, byte[] bytes, int code, Boolean needs) {
        @Override
        public String toString() {
            return name + " " + ByteBufUtil.hexDump(bytes, 0, Math.min(bytes.length, 16));
        }
    }

    @Provide
    Arbitrary<Bad> badFrames() {
        Arbitrary<byte[]> small = Arbitraries.bytes().array(byte[].class).ofMaxSize(20);
        return Arbitraries.oneOf(
                Combinators.combine(Arbitraries.of(1, 2, 3, 4, 5, 6, 7), Arbitraries.of(1, 2, 9, 10), small)
                        .as((rsv, op, p) -> new Bad("RSV " + rsv, RawServer.frame(true, rsv, op, false, p), 1002,
                                op <= 2 ? Boolean.FALSE : null)),
                Combinators.combine(Arbitraries.of(3, 4, 5, 6, 7, 11, 12, 13, 14, 15), small)
                        .as((op, p) -> new Bad("reserved opcode " + op, RawServer.frame(true, 0, op, false, p), 1002, null)),
                small.map(p -> new Bad("masked", RawServer.frame(true, 0, 2, true, p), 1002, Boolean.FALSE)),
                small.map(p -> new Bad("fragmented ping", RawServer.frame(false, 0, 9, false, p), 1002, null)),
                Arbitraries.integers().between(126, 1000).map(n ->
                        new Bad("ping of " + n, RawServer.frame(true, 0, 9, false, new byte[n]), 1002, null)),
                small.map(p -> new Bad("continuation outside a message", RawServer.frame(true, 0, 0, false, p), 1002,
                        Boolean.FALSE)),
                small.map(p -> new Bad("data frame inside a message", RawServer.frame(true, 0, 2, false, p), 1002,
                        Boolean.TRUE)),
                Arbitraries.of(0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535).map(c ->
                        new Bad("close code " + c, RawServer.frame(true, 0, 8, false, RawServer.closePayload(c, "")),
                                1002, null)),
                Arbitraries.just(new Bad("close with 1 byte", RawServer.frame(true, 0, 8, false, new byte[] {3}), 1002, null)),
                Arbitraries.of("c3", "ff", "e282", "eda080", "f4908080", "c0af").map(h ->
                        new Bad("close reason " + h, RawServer.frame(true, 0, 8, false,
                                RawServer.closePayload(1000, ByteBufUtil.decodeHexDump(h))), 1007, null)),
                Arbitraries.integers().between(0, 125).map(n -> new Bad("length " + n + " in 16 bits",
                        RawServer.concat(new byte[] {(byte) 0x82, 126, 0, n.byteValue()}, new byte[n]), 1002, Boolean.FALSE)),
                Arbitraries.just(new Bad("64-bit length with the top bit set",
                        new byte[] {(byte) 0x82, 127, (byte) 0x80, 0, 0, 0, 0, 0, 0, 1}, 1002, Boolean.FALSE)));
    }

    @Provide
    Arbitrary<Integer> indices() {
        return Arbitraries.integers().between(0, 1000);
    }

    @Provide
    Arbitrary<List<Integer>> cuts() {
        return Arbitraries.integers().between(0, Integer.MAX_VALUE).list().ofMaxSize(6);
    }

    /** Random bytes, or a well-formed sequence with a few bits flipped, bytes dropped or the end cut. */
    @Provide
    Arbitrary<byte[]> noise() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<byte[]> mutated = Combinators.combine(sequences(),
                Arbitraries.integers().between(0, Integer.MAX_VALUE).list().ofMinSize(1).ofMaxSize(4),
                Arbitraries.of("flip", "drop", "cut"))
                .as((frames, points, how) -> mutate(concat(frames), points, how));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, random),
                net.jqwik.api.Tuple.of(3, mutated));
    }

    private static byte[] mutate(byte[] input, List<Integer> points, String how) {
        if (input.length == 0) {
            return input;
        }
        byte[] out = input.clone();
        switch (how) {
            case "flip" -> {
                for (int p : points) {
                    int bit = Math.floorMod(p, out.length * 8);
                    out[bit / 8] ^= (byte) (1 << (bit % 8));
                }
            }
            case "drop" -> {
                int from = Math.floorMod(points.get(0), out.length);
                int n = 1 + Math.floorMod(points.size() > 1 ? points.get(1) : 0, Math.min(8, out.length - from));
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                b.write(out, 0, from);
                b.write(out, from + n, out.length - from - n);
                out = b.toByteArray();
            }
            default -> out = java.util.Arrays.copyOf(out, Math.floorMod(points.get(0), out.length));
        }
        return out;
    }

    /**
     * Well-formed server frames: messages (text of valid UTF-8 or binary, of 0 to a few hundred
     * bytes, sometimes past 65,535 for the 64-bit length) in 1 to 4 fragments, Pings and Pongs
     * between any two frames, and sometimes a Close at the end.
     */
    @Provide
    Arbitrary<List<Wire>> sequences() {
        Arbitrary<Integer> length = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(12, Arbitraries.integers().between(0, 130)),
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(126, 1000)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(65_536, 66_000)));
        Arbitrary<List<Wire>> message = Combinators.combine(Arbitraries.of(true, false), length,
                        Arbitraries.integers().between(1, 4), Arbitraries.longs())
                .as(FrameDecoderFuzzTest::message);
        Arbitrary<Wire> control = Combinators.combine(Arbitraries.of(9, 10),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(125))
                .as((op, p) -> new Wire(true, 0, op, false, p));
        Arbitrary<List<Wire>> controls = control.list().ofMaxSize(2);
        Arbitrary<List<Wire>> close = Arbitraries.oneOf(
                Arbitraries.just(List.of()),
                Combinators.combine(Arbitraries.of(1000, 1001, 1002, 1003, 1007, 1011, 1014, 3000, 4999),
                                Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(20))
                        .as((c, r) -> List.of(new Wire(true, 0, 8, false, RawServer.closePayload(c, r)))));
        return Combinators.combine(message.list().ofMaxSize(4), controls.list().ofSize(16), close)
                .as((messages, between, end) -> {
                    List<Wire> frames = new ArrayList<>();
                    int c = 0;
                    for (List<Wire> m : messages) {
                        for (Wire w : m) {
                            frames.addAll(between.get(c++ % between.size()));
                            frames.add(w);
                        }
                    }
                    frames.addAll(end);
                    return frames;
                });
    }

    private static List<Wire> message(boolean text, int length, int fragments, long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        byte[] payload;
        if (text) {
            StringBuilder sb = new StringBuilder();
            int bytes = 0;
            while (bytes < length) {
                // ASCII mostly, some 2- and 3-byte characters, a few 4-byte ones (no surrogates).
                int kind = random.nextInt(8);
                int cp = kind < 5 ? 0x20 + random.nextInt(0x5f)
                        : kind < 7 ? 0x80 + random.nextInt(0xd800 - 0x80)
                        : 0x10000 + random.nextInt(0x100000);
                sb.appendCodePoint(cp);
                bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            }
            payload = sb.toString().getBytes(StandardCharsets.UTF_8);
        } else {
            payload = new byte[length];
            random.nextBytes(payload);
        }
        List<Wire> frames = new ArrayList<>();
        int n = Math.min(fragments, Math.max(1, payload.length));
        int from = 0;
        for (int i = 0; i < n; i++) {
            int to = i == n - 1 ? payload.length : from + random.nextInt(payload.length - from + 1);
            frames.add(new Wire(i == n - 1, 0, i == 0 ? (text ? 1 : 2) : 0, false,
                    java.util.Arrays.copyOfRange(payload, from, to)));
            from = to;
        }
        return frames;
    }

    static byte[] concat(List<?> parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (Object p : parts) {
            b.writeBytes(p instanceof Wire w ? w.bytes() : (byte[]) p);
        }
        return b.toByteArray();
    }
}
