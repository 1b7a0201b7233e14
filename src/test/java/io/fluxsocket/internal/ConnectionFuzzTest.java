package io.fluxsocket.internal;

import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.ReceiveMode;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketMessage;
import io.fluxsocket.internal.FrameDecoderFuzzTest.Bad;
import io.fluxsocket.internal.FrameDecoderFuzzTest.Wire;
import io.fluxsocket.testing.LeakDetectionExtension;
import io.fluxsocket.testing.RawServer;
import io.netty.buffer.ByteBufUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The protocol fuzzer's connection half, over real sockets: a scripted server ({@link RawServer})
 * sends a generated sequence of frames — well-formed, or with one bad frame inserted, or with one
 * text message's bytes made invalid UTF-8 — then a Close, to a message-mode client receiving whole
 * messages or a stream-mode client receiving bytes (the same sequence with binary messages only).
 * Property: the client delivers exactly the messages completed before the first bad frame (never
 * one cut short), or in stream mode exactly the bytes of the data frames before it (never a byte of
 * the bad frame), then either completes (no bad frame)
 * and answers the server's Close with its code, or errors with a {@link WebSocketException} of the
 * status matching the close code it puts on the wire (1002 {@code PROTOCOL_ERROR}, 1007
 * {@code INVALID_PAYLOAD}) and closes TCP. Every wait is bounded; leaks are checked after the class.
 * Tries: {@code jqwik.tries.default} (200 in CI; {@code scripts/fuzz.sh} raises it).
 */
class ConnectionFuzzTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final WebSocketClient CLIENT = WebSocketClient.builder()
            .connectTimeout(Duration.ofSeconds(5))
            .closeTimeout(Duration.ofSeconds(2))
            .receiveMode(ReceiveMode.WHOLE)
            .build();
    private static final FrameDecoderFuzzTest GENERATORS = new FrameDecoderFuzzTest();

    @BeforeContainer
    static void startLeakCheck() {
        LeakDetectionExtension.startRecording();
    }

    @AfterContainer
    static void noLeak() {
        LeakDetectionExtension.assertNoLeakSinceStart(ConnectionFuzzTest.class.getSimpleName());
    }

    /** What goes wrong in the sequence: nothing, a bad frame, or a text message made invalid UTF-8. */
    enum Trouble { NONE, BAD_FRAME, BAD_TEXT }

    @Property
    void theClientDeliversWhatCameBeforeTheFirstBadFrameThenClosesWithItsCode(
            @ForAll("sequences") List<Wire> frames, @ForAll Trouble trouble, @ForAll("badFrames") Bad bad,
            @ForAll("indices") int where, @ForAll boolean streamMode) throws Exception {
        List<Wire> sent = new ArrayList<>(frames);
        if (streamMode) {
            // Stream mode takes binary messages only (text is 1003): the same sequence, all binary.
            sent.replaceAll(w -> w.opcode() == 1 ? new Wire(w.fin(), w.rsv(), 2, w.masked(), w.payload()) : w);
        }
        byte[] badBytes = null;
        int code = 1000;
        int at = sent.size();
        List<Integer> places = places(sent, bad.needs());
        if (trouble == Trouble.BAD_FRAME && !places.isEmpty()) {
            // (A frame that must go inside a message, and the sequence has none open: no trouble.)
            at = places.get(Math.floorMod(where, places.size()));
            badBytes = bad.bytes();
            code = bad.code();
        } else if (trouble == Trouble.BAD_TEXT) {
            List<Integer> texts = new ArrayList<>();
            for (int i = 0; i < sent.size(); i++) {
                if (sent.get(i).opcode() == 1) {
                    texts.add(i);
                }
            }
            if (!texts.isEmpty()) {
                // The first fragment of a text message gets a lone continuation byte in front.
                at = texts.get(Math.floorMod(where, texts.size()));
                Wire w = sent.get(at);
                sent.set(at, new Wire(w.fin(), 0, 1, false, RawServer.concat(new byte[] {(byte) 0x80}, w.payload())));
                code = 1007;
            }
        }
        List<String> expected = messages(sent.subList(0, code == 1000 ? sent.size() : at));
        if (streamMode) {
            // The bytes of every data frame before the bad one, of a message it cuts short too.
            StringBuilder bytes = new StringBuilder();
            for (Wire w : sent.subList(0, code == 1000 ? sent.size() : at)) {
                if (!w.control()) {
                    bytes.append(ByteBufUtil.hexDump(w.payload()));
                }
            }
            expected = List.of(bytes.toString());
        }

        try (RawServer server = RawServer.start()) {
            CompletableFuture<List<String>> received = new CompletableFuture<>();
            List<String> got = new ArrayList<>();
            reactor.core.publisher.Mono<io.fluxsocket.CloseStatus> closeStatus;
            if (streamMode) {
                io.fluxsocket.StreamWebSocket ws = server.connect(CLIENT);
                closeStatus = ws.closeStatus();
                StringBuilder bytes = new StringBuilder();
                got.add("");
                ws.receive().subscribe(b -> got.set(0, bytes.append(hex(b)).toString()),
                        received::completeExceptionally, () -> received.complete(got));
            } else {
                MessageWebSocket ws = server.connectMessages(CLIENT);
                closeStatus = ws.closeStatus();
                ws.receive().subscribe(m -> got.add(describe(m)), received::completeExceptionally,
                        () -> received.complete(got));
            }
            List<byte[]> out = new ArrayList<>();
            for (int i = 0; i < sent.size(); i++) {
                if (i == at && badBytes != null) {
                    out.add(badBytes);
                }
                out.add(sent.get(i).bytes());
            }
            if (at == sent.size() && badBytes != null) {
                out.add(badBytes);
            }
            out.add(RawServer.frame(true, 0, 8, false, RawServer.closePayload(1000, "end")));
            // Written on the server's writer thread: the client's Pongs must not have to be read first.
            server.writeAsync(FrameDecoderFuzzTest.concat(out));

            // The client's answer: Pongs to the Pings it read, then its Close.
            io.fluxsocket.testing.Frame frame;
            do {
                frame = server.readFrame(WAIT);
            } while (frame.opcode() == io.fluxsocket.testing.Frame.PONG);
            String description = (streamMode ? "stream mode, " : "message mode, ") + trouble + " " + (trouble == Trouble.BAD_FRAME ? bad : "") + " at " + at + " of " + sent;
            frame.assertClose(code);
            server.expectEof(WAIT);

            Throwable error = null;
            try {
                List<String> messages = received.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertEquals(expected, messages, description);
            } catch (ExecutionException e) {
                error = e.getCause();
            } catch (TimeoutException e) {
                throw new AssertionError("hang: receive() did not end within " + WAIT + ": " + description, e);
            }
            if (code == 1000) {
                assertNull(error, description);
            } else {
                assertEquals(expected, got, description);
                WebSocketException failure = assertInstanceOf(WebSocketException.class, error, description);
                assertEquals(code == 1007 ? WebErrorStatus.INVALID_PAYLOAD : WebErrorStatus.PROTOCOL_ERROR,
                        failure.status(), description);
            }
            closeStatus.block(WAIT);
        }
    }

    private static String hex(java.nio.ByteBuffer b) {
        return ByteBufUtil.hexDump(io.netty.buffer.Unpooled.wrappedBuffer(b.duplicate()));
    }

    /** Where a bad frame may go, as in {@link FrameDecoderFuzzTest}. */
    private static List<Integer> places(List<Wire> frames, Boolean needs) {
        List<Integer> places = new ArrayList<>();
        boolean inMessage = false;
        for (int i = 0; i <= frames.size(); i++) {
            if (needs == null || needs == inMessage) {
                places.add(i);
            }
            if (i < frames.size() && !frames.get(i).control()) {
                inMessage = !frames.get(i).fin();
            }
        }
        return places;
    }

    /** The whole messages the frames complete, as {@link #describe} writes them. */
    private static List<String> messages(List<Wire> frames) {
        List<String> messages = new ArrayList<>();
        StringBuilder current = null;
        for (Wire w : frames) {
            if (w.control()) {
                continue;
            }
            if (current == null) {
                current = new StringBuilder(w.opcode() == 1 ? "T:" : "B:");
            }
            current.append(ByteBufUtil.hexDump(w.payload()));
            if (w.fin()) {
                messages.add(current.toString());
                current = null;
            }
        }
        return messages;
    }

    private static String describe(WebSocketMessage m) {
        return m.isText()
                ? "T:" + ByteBufUtil.hexDump(m.text().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                : "B:" + ByteBufUtil.hexDump(io.netty.buffer.Unpooled.wrappedBuffer(m.payload().duplicate()));
    }

    @Provide
    Arbitrary<List<Wire>> sequences() {
        // No Close inside: the test ends every sequence with one of its own.
        return GENERATORS.sequences().map(frames -> frames.stream().filter(w -> w.opcode() != 8).toList());
    }

    @Provide
    Arbitrary<Bad> badFrames() {
        return GENERATORS.badFrames();
    }

    @Provide
    Arbitrary<Integer> indices() {
        return Arbitraries.integers().between(0, 1000);
    }
}
