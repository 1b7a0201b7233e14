package io.fluxsocket.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.ReceiveMode;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketMessage;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Message mode against an independent server: one subclass per {@link Peer}, each run against one
 * server process shared by the class's tests (the message-mode routes are described in the peer
 * programs under {@code src/test/peers/}). Both peers send every message in one frame; this client
 * sends whole messages as frames of up to {@code maxFramePayload} and streamed ones as their
 * publisher emits, so both directions cross fragmentation.
 *
 * <p>The 100 MiB transfers are tagged {@code volume}: the pom runs them in their own Surefire
 * execution at ADVANCED leak detection, since PARANOID makes bulk transfers ~50 times slower.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class MessageInteropContract {

    private static final int KIB = 1024;
    private static final int MIB = 1024 * 1024;
    private static final long HUNDRED_MIB = 100L * MIB;
    private static final int CHUNK = 64 * KIB;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** For the tests of many messages, which PARANOID leak detection slows. */
    private static final Duration MANY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration VOLUME_TIMEOUT = Duration.ofSeconds(120);
    private static final HexFormat HEX = HexFormat.of();

    private final WebSocketClient client = WebSocketClient.create();
    /** The server of this class's peer, started by its first test (test thread). */
    private PeerServer server;

    /** The peer this class runs against. */
    abstract Peer peer();

    /**
     * Starts the peer for the first test; each test asks, so that each one is skipped (or, in CI,
     * failed) with the reason when the peer is not installed.
     */
    @BeforeEach
    void startPeer() {
        if (server == null) {
            server = PeerServer.start(peer());
        }
    }

    @AfterAll
    void stopPeer() {
        if (server != null) {
            server.close();
        }
    }

    // ---- echo ----

    @ParameterizedTest
    @ValueSource(strings = {"κόσμε", "", "plain ASCII", "𝄞 and 😀 outside the BMP"})
    void aTextMessageComesBackAsTheSameText(String text) {
        MessageWebSocket ws = connect(client, "/echo");

        List<WebSocketMessage> echoed = exchange(ws, List.of(WebSocketMessage.text(text)), TIMEOUT);

        assertEquals(List.of(WebSocketMessage.text(text)), echoed);
        assertTrue(echoed.get(0).isText(), "a text message comes back as text");
        closeNormally(ws);
    }

    /** Volume: the UTF-8 check reads byte by byte, which PARANOID leak detection makes very slow. */
    @Test
    @Tag("volume")
    void aFiveMebibyteTextMessageComesBackWholeWhenMaxMessageSizeAllowsIt() {
        WebSocketClient roomy = WebSocketClient.builder().maxMessageSize(8 * MIB).build();
        MessageWebSocket ws = connect(roomy, "/echo");
        // Sent as 64 KiB frames, most of them cutting a character in two.
        String text = randomText(5, 5 * MIB);

        List<WebSocketMessage> echoed = exchange(ws, List.of(WebSocketMessage.text(text)), TIMEOUT);

        assertEquals(1, echoed.size(), "messages echoed");
        assertTrue(echoed.get(0).isText(), "type of the echo");
        // Not assertEquals: a failure would print 5 MiB twice.
        assertTrue(text.equals(echoed.get(0).text()), "the echo is the same text: "
                + utf8Length(echoed.get(0).text()) + " bytes came back for " + utf8Length(text));
        assertEquals(5L * MIB, ws.info().bytesSent(), "payload bytes sent");
        assertEquals(5L * MIB, ws.info().bytesReceived(), "payload bytes received");
        closeNormally(ws);
    }

    @Test
    void binaryMessagesOfEveryLengthEncodingComeBackByteForByte() {
        MessageWebSocket ws = connect(client, "/echo");
        // Lengths around the 7-bit, 16-bit and 64-bit length fields and this client's 64 KiB frames.
        int[] lengths = {0, 1, 125, 126, 127, 65535, 65536, 65537, 300_000};
        List<WebSocketMessage> sent = new ArrayList<>();
        for (int i = 0; i < lengths.length; i++) {
            sent.add(WebSocketMessage.binary(ByteBuffer.wrap(randomBytes(100 + i, lengths[i]))));
        }

        List<WebSocketMessage> echoed = exchange(ws, sent, TIMEOUT);

        assertEquals(sent.size(), echoed.size(), "messages echoed");
        for (int i = 0; i < lengths.length; i++) {
            assertFalse(echoed.get(i).isText(), "message " + i + " comes back binary");
            assertEquals(lengths[i], echoed.get(i).payload().remaining(), "length of message " + i);
            assertTrue(sent.get(i).equals(echoed.get(i)), "message " + i + " comes back unchanged");
        }
        closeNormally(ws);
    }

    @Test
    void aMixedSequenceOfTextAndBinaryMessagesComesBackInOrderWithItsTypes() {
        MessageWebSocket ws = connect(client, "/echo");
        SplittableRandom random = new SplittableRandom(3);
        List<WebSocketMessage> sent = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            int length = random.nextInt(CHUNK / 4);
            sent.add(random.nextBoolean()
                    ? WebSocketMessage.text(i + ": " + randomText(1000 + i, length))
                    : WebSocketMessage.binary(ByteBuffer.wrap(randomBytes(1000 + i, length))));
        }

        List<WebSocketMessage> echoed = exchange(ws, sent, TIMEOUT);

        assertEquals(sent.size(), echoed.size(), "messages echoed");
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(sent.get(i).isText(), echoed.get(i).isText(), "type of message " + i);
            assertTrue(sent.get(i).equals(echoed.get(i)), "message " + i + " comes back unchanged: "
                    + echoed.get(i) + " for " + sent.get(i));
        }
        closeNormally(ws);
    }

    // ---- one message from the server, in one frame ----

    /** Lengths up to the default 1 MiB limit exactly: whole-mode receives them, text checked as UTF-8. */
    @ParameterizedTest
    @CsvSource({"text, 0", "binary, 0", "text, 70000", "binary, 70000", "binary, 1048576"})
    void aMessageUpToMaxMessageSizeArrivesWholeAndMatchesTheServersHash(String type, int bytes) {
        MessageWebSocket ws = connect(client, "/message?type=" + type + "&bytes=" + bytes);

        List<WebSocketMessage> received = ws.receive().collectList().block(TIMEOUT);

        assertEquals(1, received.size(), "messages received: " + received);
        WebSocketMessage message = received.get(0);
        assertEquals(type.equals("text"), message.isText(), "type of " + message);
        Sha256 hash = new Sha256();
        hash.update(message.payload());
        assertEquals(bytes, hash.bytes(), "payload bytes");
        assertEquals(new CloseStatus(CloseStatus.NORMAL_CLOSURE, hash.hex(), true), ws.closeStatus().block(TIMEOUT),
                "the server's Close carries the SHA-256 of the message it sent");
    }

    /** Volume, as the 5 MiB echo. */
    @Test
    @Tag("volume")
    void aFiveMebibyteTextMessageFromTheServerIsValidatedAndDecodedWhole() {
        WebSocketClient roomy = WebSocketClient.builder().maxMessageSize(8 * MIB).build();
        MessageWebSocket ws = connect(roomy, "/message?type=text&bytes=" + 5 * MIB);

        List<WebSocketMessage> received = ws.receive().collectList().block(TIMEOUT);

        assertEquals(1, received.size(), "messages received");
        assertTrue(received.get(0).isText(), "a text message");
        Sha256 hash = new Sha256();
        // The text as decoded, encoded again: equal bytes only if nothing was replaced or lost.
        hash.update(ByteBuffer.wrap(received.get(0).text().getBytes(StandardCharsets.UTF_8)));
        assertEquals(5L * MIB, hash.bytes(), "UTF-8 bytes of the text");
        assertEquals(new CloseStatus(CloseStatus.NORMAL_CLOSURE, hash.hex(), true), ws.closeStatus().block(TIMEOUT));
    }

    // ---- streamed messages ----

    @Test
    @Tag("volume")
    void uploadsAHundredMebibyteStreamedBinaryMessageThatMatchesTheServersHash() {
        MessageWebSocket ws = connect(client, "/upload-message");
        Sha256 sent = new Sha256();

        ws.send(Mono.just(WebSocketMessage.binary(Sha256.randomBytes(11, HUNDRED_MIB, CHUNK, sent))))
                .block(VOLUME_TIMEOUT);
        List<WebSocketMessage> received = ws.receive().collectList().block(VOLUME_TIMEOUT);

        assertEquals(List.of(), received, "the server sends no message");
        assertEquals(HUNDRED_MIB, sent.bytes(), "bytes the publisher emitted");
        assertEquals(HUNDRED_MIB, ws.info().bytesSent(), "payload bytes written");
        assertEquals(new CloseStatus(CloseStatus.NORMAL_CLOSURE, "binary " + sent.hex(), true),
                ws.closeStatus().block(TIMEOUT), "the server read one binary message of these bytes");
    }

    @Test
    @Tag("volume")
    void downloadsAHundredMebibyteMessageInStreamedModeThatMatchesTheServersHash() {
        int receiveBuffer = 256 * KIB;
        WebSocketClient streamed = WebSocketClient.builder()
                .receiveMode(ReceiveMode.STREAMED).receiveBufferBytes(receiveBuffer).build();
        MessageWebSocket ws = connect(streamed, "/message?type=binary&bytes=" + HUNDRED_MIB);
        Sha256 received = new Sha256();
        AtomicLong messages = new AtomicLong();
        AtomicLong mostReadAhead = new AtomicLong();

        ws.receive()
                .concatMap(message -> {
                    messages.incrementAndGet();
                    assertFalse(message.isText(), "a binary message");
                    return message.content().doOnNext(buffer -> {
                        received.update(buffer);
                        // What the connection read and the subscriber has not had yet.
                        long ahead = ws.info().bytesReceived() - received.bytes();
                        mostReadAhead.accumulateAndGet(ahead, Math::max);
                    });
                })
                .then()
                .block(VOLUME_TIMEOUT);

        assertEquals(1, messages.get(), "messages received");
        assertEquals(HUNDRED_MIB, received.bytes(), "content bytes");
        assertEquals(new CloseStatus(CloseStatus.NORMAL_CLOSURE, received.hex(), true), ws.closeStatus().block(TIMEOUT),
                "the server's Close carries the SHA-256 of the message it sent");
        // The bound MessageWebSocket documents for streamed mode.
        long bound = receiveBuffer + 64 * KIB + 139;
        assertTrue(mostReadAhead.get() <= bound,
                "at most " + bound + " bytes read ahead of the subscriber, was " + mostReadAhead.get());
    }

    /** Code points cut across the content's buffers; the server decodes the message as UTF-8. */
    @Test
    void uploadsAStreamedTextMessageWhoseBuffersSplitCharacters() {
        MessageWebSocket ws = connect(client, "/upload-message");
        byte[] utf8 = randomText(21, 512 * KIB + 5).getBytes(StandardCharsets.UTF_8);
        List<ByteBuffer> parts = new ArrayList<>();
        // Buffers of 1 to 5000 bytes, cut anywhere, also inside characters.
        SplittableRandom random = new SplittableRandom(22);
        for (int at = 0; at < utf8.length; ) {
            int n = Math.min(utf8.length - at, 1 + random.nextInt(5000));
            parts.add(ByteBuffer.wrap(Arrays.copyOfRange(utf8, at, at + n)));
            at += n;
        }

        ws.send(Mono.just(WebSocketMessage.text(Flux.fromIterable(parts)))).block(TIMEOUT);
        ws.receive().then().block(TIMEOUT);

        assertEquals(new CloseStatus(CloseStatus.NORMAL_CLOSURE, "text " + sha256Hex(utf8), true),
                ws.closeStatus().block(TIMEOUT), "the server read one text message of these bytes");
    }

    /**
     * In streamed mode the next message comes once the current one's content completed or was
     * cancelled: every other message is cut short after its first buffer, and the next one must
     * still start at its own first byte.
     */
    @Test
    void inStreamedModeEachMessageStartsAtItsOwnFirstByteWhenTheOneBeforeWasCancelled() {
        int count = 12;
        int size = 300_000;
        WebSocketClient streamed = WebSocketClient.builder().receiveMode(ReceiveMode.STREAMED).build();
        MessageWebSocket ws = connect(streamed, "/count?type=binary&n=" + count + "&size=" + size);
        List<String> problems = new ArrayList<>();
        AtomicLong seen = new AtomicLong();

        ws.receive()
                .concatMap(message -> {
                    long index = seen.getAndIncrement();
                    Flux<ByteBuffer> content = message.content();
                    return (index % 2 == 0 ? content.take(1) : content)
                            .reduce(new ByteArrayOutputStream(), MessageInteropContract::append)
                            .doOnNext(out -> check(index, false, index % 2 == 0, out.toByteArray(), size, problems));
                })
                .then()
                .block(TIMEOUT);

        assertEquals(List.of(), problems);
        assertEquals(count, seen.get(), "messages received");
        assertEquals(new CloseStatus(CloseStatus.NORMAL_CLOSURE, String.valueOf(count), true),
                ws.closeStatus().block(TIMEOUT));
    }

    // ---- fragmented text from the server ----

    /** κόσμε in three frames, two of them cut inside a character. */
    @ParameterizedTest
    @EnumSource(ReceiveMode.class)
    void aTextMessageWhoseFramesSplitCharactersArrivesAsItsText(ReceiveMode mode) {
        WebSocketClient withMode = WebSocketClient.builder().receiveMode(mode).build();
        MessageWebSocket ws = connect(withMode, "/text-frames?hex=ce,bae1bd,b9cf83cebcceb5");

        List<String> texts = ws.receive()
                .concatMap(message -> message.content()
                        .reduce(new ByteArrayOutputStream(), MessageInteropContract::append)
                        .map(out -> (message.isText() ? "text " : "binary ")
                                + new String(out.toByteArray(), StandardCharsets.UTF_8)))
                .take(1)
                .collectList()
                .block(TIMEOUT);
        ws.close().block(TIMEOUT);

        // κόσμε as the Autobahn suite spells it: its ό is U+1F79 (e1 bd b9), not U+03CC.
        assertEquals(List.of("text \u03ba\u1f79\u03c3\u03bc\u03b5"), texts);
        assertEquals("TEXT-FRAMES-CLOSED 1000", server.awaitLine("TEXT-FRAMES-CLOSED ", TIMEOUT),
                "the server saw this client's Close");
    }

    // ---- failures: 1009 and 1007 ----

    @ParameterizedTest
    @CsvSource({"binary, 1025", "binary, 4096", "text, 4096", "binary, 70000"})
    void aMessageOverMaxMessageSizeFailsTheConnectionWithCode1009(String type, int bytes) {
        WebSocketClient small = WebSocketClient.builder().maxMessageSize(1024).build();
        MessageWebSocket ws = connect(small, "/message?close=no&type=" + type + "&bytes=" + bytes);

        WebSocketException e = assertThrows(WebSocketException.class, () -> ws.receive().blockLast(TIMEOUT));

        assertEquals(WebErrorStatus.MESSAGE_TOO_BIG, e.status(), "status of " + e);
        assertEquals(CloseStatus.MESSAGE_TOO_BIG, e.closeCode(), "close code of " + e);
        CloseStatus status = ws.closeStatus().block(TIMEOUT);
        assertEquals(CloseStatus.MESSAGE_TOO_BIG, status.code(), "close code: " + status);
        assertFalse(status.remote(), "this client chose the code: " + status);
        assertEquals("MESSAGE-CLOSED 1009", server.awaitLine("MESSAGE-CLOSED ", TIMEOUT),
                "the server received this client's Close with 1009");
    }

    @Test
    void aMessageOfExactlyMaxMessageSizeArrivesWhole() {
        WebSocketClient small = WebSocketClient.builder().maxMessageSize(1024).build();
        MessageWebSocket ws = connect(small, "/message?type=binary&bytes=1024");

        List<WebSocketMessage> received = ws.receive().collectList().block(TIMEOUT);

        assertEquals(1, received.size(), "messages received");
        assertEquals(1024, received.get(0).payload().remaining(), "payload bytes");
        assertEquals(CloseStatus.NORMAL_CLOSURE, ws.closeStatus().block(TIMEOUT).code());
    }

    /** Frame payloads (hex, comma between frames) of one text message that is not UTF-8. */
    @ParameterizedTest
    @ValueSource(strings = {
        "c328",                                     // a lead byte, then no continuation byte
        "cebae1bdb9cf83cebcceb5eda080656469746564", // κόσμε, then a surrogate (U+D800) encoded
        "c0af",                                     // an overlong '/'
        "f4908080",                                 // past U+10FFFF
        "ff",                                       // a byte UTF-8 never uses
        "e282",                                     // a character cut short by the end of the message
        "cebae1bd,80ff",                            // valid first frame, invalid second
        "ed,a080",                                  // a surrogate split across frames
        "e2,",                                      // cut short, then an empty final frame
    })
    void aTextMessageThatIsNotUtf8FailsTheConnectionWithCode1007InWholeMode(String frames) {
        MessageWebSocket ws = connect(client, "/text-frames?hex=" + frames);

        WebSocketException e = assertThrows(WebSocketException.class, () -> ws.receive().blockLast(TIMEOUT));

        assertInvalidPayload(ws, e);
    }

    @ParameterizedTest
    @ValueSource(strings = {"c328", "cebae1bdb9cf83cebcceb5eda080656469746564", "e282", "cebae1bd,80ff", "e2,"})
    void aTextMessageThatIsNotUtf8FailsTheConnectionWithCode1007InStreamedMode(String frames) {
        WebSocketClient streamed = WebSocketClient.builder().receiveMode(ReceiveMode.STREAMED).build();
        MessageWebSocket ws = connect(streamed, "/text-frames?hex=" + frames);

        // The error may end the content of the message or receive() itself: either way it reaches here.
        WebSocketException e = assertThrows(WebSocketException.class,
                () -> ws.receive().concatMap(WebSocketMessage::content).blockLast(TIMEOUT));

        assertInvalidPayload(ws, e);
    }

    // ---- many messages ----

    /**
     * Four sends at once on one connection, each of 250 messages from its own thread: small and
     * multi-frame whole messages (frames of 1 KiB here), and streamed ones whose parts come
     * asynchronously, text and binary. The echo must bring every message back whole, and each
     * sender's in its order.
     */
    @Test
    void concurrentSendsInterleaveOnlyAtMessageBoundaries() {
        int senders = 4;
        int perSender = 250;
        WebSocketClient smallFrames = WebSocketClient.builder().maxFramePayload(1024).build();
        MessageWebSocket ws = connect(smallFrames, "/echo");

        Mono<List<WebSocketMessage>> receiving = ws.receive().take((long) senders * perSender).collectList();
        List<Mono<Void>> sends = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            int sender = s;
            sends.add(ws.send(Flux.range(0, perSender)
                    .map(i -> Tagged.message(sender, i))
                    .subscribeOn(Schedulers.parallel())));
        }
        AtomicReference<List<WebSocketMessage>> echoed = new AtomicReference<>();
        Mono.when(receiving.doOnNext(echoed::set), Mono.when(sends)).block(MANY_TIMEOUT);

        assertEquals(senders * perSender, echoed.get().size(), "messages echoed");
        int[] next = new int[senders];
        int switches = 0;
        int previous = -1;
        for (WebSocketMessage m : echoed.get()) {
            int sender = Tagged.sender(m);
            int seq = Tagged.sequence(m);
            assertTrue(sender >= 0 && sender < senders, "sender of " + m + ": " + sender);
            assertEquals(next[sender], seq, "the next message of sender " + sender);
            next[sender]++;
            WebSocketMessage expected = Tagged.expected(sender, seq);
            assertEquals(expected.isText(), m.isText(), "type of sender " + sender + "'s message " + seq);
            assertTrue(expected.equals(m), "sender " + sender + "'s message " + seq + " comes back whole: "
                    + m + " for " + expected);
            switches += previous != -1 && previous != sender ? 1 : 0;
            previous = sender;
        }
        System.out.println(peer() + ": the echo of " + senders + " concurrent sends switched sender "
                + switches + " times");
        closeNormally(ws);
    }

    /** 100,000 messages of 16 to 64 bytes each way, each carrying its index. */
    @Test
    void aHundredThousandSmallMessagesGoAndComeBackInOrder() {
        int count = 100_000;
        MessageWebSocket ws = connect(client, "/echo");
        AtomicLong received = new AtomicLong();
        List<String> problems = new ArrayList<>();

        Mono<Void> receiving = ws.receive()
                .take(count)
                .doOnNext(m -> {
                    long expected = received.getAndIncrement();
                    ByteBuffer p = m.payload();
                    if (problems.size() < 10 && (m.isText() || !Arrays.equals(small((int) expected), bytes(p)))) {
                        problems.add("message " + expected + ": " + m);
                    }
                })
                .then();
        Mono<Void> sending = ws.send(Flux.range(0, count).map(i -> WebSocketMessage.binary(ByteBuffer.wrap(small(i)))));
        Mono.when(receiving, sending).block(MANY_TIMEOUT);

        assertEquals(List.of(), problems);
        assertEquals(count, received.get(), "messages echoed");
        closeNormally(ws);
    }

    /** 100,000 numbered messages from the server, received whole, in order. */
    @ParameterizedTest
    @CsvSource({"binary, 24", "text, 40"})
    void aHundredThousandNumberedMessagesFromTheServerArriveInOrder(String type, int size) {
        int count = 100_000;
        MessageWebSocket ws = connect(client, "/count?type=" + type + "&n=" + count + "&size=" + size);
        AtomicLong received = new AtomicLong();
        List<String> problems = new ArrayList<>();

        ws.receive()
                .doOnNext(m -> {
                    long index = received.getAndIncrement();
                    if (problems.size() < 10) {
                        check(index, type.equals("text"), false, bytes(m.payload()), size, problems);
                        if (m.isText() != type.equals("text")) {
                            problems.add("message " + index + " is " + m);
                        }
                    }
                })
                .then()
                .block(MANY_TIMEOUT);

        assertEquals(List.of(), problems);
        assertEquals(count, received.get(), "messages received");
        assertEquals(new CloseStatus(CloseStatus.NORMAL_CLOSURE, String.valueOf(count), true),
                ws.closeStatus().block(TIMEOUT));
    }

    // ---- helpers ----

    private MessageWebSocket connect(WebSocketClient with, String pathAndQuery) {
        return with.connectMessages(server.uri(pathAndQuery)).block(TIMEOUT);
    }

    /** Sends the messages and collects as many back (receive subscribed first). */
    private static List<WebSocketMessage> exchange(MessageWebSocket ws, List<WebSocketMessage> messages,
            Duration timeout) {
        AtomicReference<List<WebSocketMessage>> echoed = new AtomicReference<>();
        Mono<Void> receiving = ws.receive().take(messages.size()).collectList().doOnNext(echoed::set).then();
        Mono.when(receiving, ws.send(Flux.fromIterable(messages))).block(timeout);
        return echoed.get();
    }

    private static void closeNormally(MessageWebSocket ws) {
        ws.close().block(TIMEOUT);
        CloseStatus status = ws.closeStatus().block(TIMEOUT);
        assertEquals(CloseStatus.NORMAL_CLOSURE, status.code(), "the server answers with this client's code: " + status);
        assertTrue(status.remote(), "the code is the server's answer: " + status);
    }

    private void assertInvalidPayload(MessageWebSocket ws, WebSocketException e) {
        assertEquals(WebErrorStatus.INVALID_PAYLOAD, e.status(), "status of " + e);
        assertEquals(CloseStatus.INVALID_PAYLOAD, e.closeCode(), "close code of " + e);
        CloseStatus status = ws.closeStatus().block(TIMEOUT);
        assertEquals(CloseStatus.INVALID_PAYLOAD, status.code(), "close code: " + status);
        assertFalse(status.remote(), "this client chose the code: " + status);
        assertEquals("TEXT-FRAMES-CLOSED 1007", server.awaitLine("TEXT-FRAMES-CLOSED ", TIMEOUT),
                "the server received this client's Close with 1007");
    }

    /**
     * Checks one message of the peers' {@code /count} route: index {@code index} first (4 bytes
     * big-endian, or 8 hex digits for text), then {@code 'a' + (index + j) % 26} at byte j; with
     * {@code prefixOnly} only the bytes there are, else exactly {@code size} of them. Adds what is
     * wrong to {@code problems}.
     */
    private static void check(long index, boolean text, boolean prefixOnly, byte[] got, int size,
            List<String> problems) {
        byte[] expected = new byte[size];
        int head;
        if (text) {
            byte[] digits = String.format("%08x", index).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(digits, 0, expected, 0, 8);
            head = 8;
        } else {
            ByteBuffer.wrap(expected).putInt((int) index);
            head = 4;
        }
        for (int j = head; j < size; j++) {
            expected[j] = (byte) ('a' + (index + j) % 26);
        }
        boolean ok = prefixOnly
                ? got.length > 0 && got.length <= size && Arrays.equals(got, Arrays.copyOf(expected, got.length))
                : Arrays.equals(got, expected);
        if (!ok) {
            problems.add("message " + index + ": " + got.length + " bytes starting "
                    + HEX.formatHex(Arrays.copyOf(got, Math.min(got.length, 8))));
        }
    }

    /** Message {@code i} of the small-message test: 16 to 64 bytes, its index first. */
    private static byte[] small(int i) {
        byte[] bytes = new byte[16 + i % 49];
        ByteBuffer.wrap(bytes).putInt(i);
        for (int j = 4; j < bytes.length; j++) {
            bytes[j] = (byte) (i * 31 + j);
        }
        return bytes;
    }

    private static ByteArrayOutputStream append(ByteArrayOutputStream out, ByteBuffer buffer) {
        byte[] b = bytes(buffer);
        out.write(b, 0, b.length);
        return out;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.duplicate().get(b);
        return b;
    }

    static byte[] randomBytes(long seed, int length) {
        byte[] bytes = new byte[length];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    /**
     * Text of exactly {@code utf8Bytes} bytes of UTF-8: pseudo-random characters of 1 to 4 bytes
     * (no surrogate code points), ASCII at the end to fill.
     */
    static String randomText(long seed, int utf8Bytes) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder out = new StringBuilder(utf8Bytes);
        int left = utf8Bytes;
        while (left > 0) {
            int width = Math.min(left, 1 + random.nextInt(4));
            int cp;
            switch (width) {
                case 1: cp = 0x20 + random.nextInt(0x5f); break;
                case 2: cp = 0x80 + random.nextInt(0x780); break;
                case 3: cp = 0xE000 + random.nextInt(0x2000); break; // above the surrogates
                default: cp = 0x10000 + random.nextInt(0x100000); break;
            }
            if (width == 3 && random.nextBoolean()) {
                cp = 0x800 + random.nextInt(0xD000); // below them
            }
            out.appendCodePoint(cp);
            left -= width;
        }
        return out.toString();
    }

    private static String sha256Hex(byte[] bytes) {
        Sha256 hash = new Sha256();
        hash.update(ByteBuffer.wrap(bytes));
        return hash.hex();
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * The messages of the concurrent-send test: sender {@code s}'s message {@code i} names both
     * at its start, and its kind ({@code i % 5}) decides type, size and whether it is streamed.
     */
    static final class Tagged {

        private Tagged() {
        }

        /** The message as it is sent: streamed kinds as parts that come on another thread. */
        static WebSocketMessage message(int s, int i) {
            WebSocketMessage whole = expected(s, i);
            switch (i % 5) {
                case 3:
                    return WebSocketMessage.binary(parts(bytes(whole.payload()), 3));
                case 4:
                    // Cut at fixed byte offsets: some parts end inside a character.
                    return WebSocketMessage.text(parts(whole.text().getBytes(StandardCharsets.UTF_8), 4));
                default:
                    return whole;
            }
        }

        /** The message as it must come back. */
        static WebSocketMessage expected(int s, int i) {
            String tag = String.format("%d %04d ", s, i);
            switch (i % 5) {
                case 0:
                    return WebSocketMessage.binary(ByteBuffer.wrap(binary(s, i, 40)));
                case 1:
                    return WebSocketMessage.binary(ByteBuffer.wrap(binary(s, i, 5000)));
                case 2:
                    return WebSocketMessage.text(tag + randomText(s * 100_000L + i, 3000));
                case 3:
                    return WebSocketMessage.binary(ByteBuffer.wrap(binary(s, i, 4700)));
                default:
                    return WebSocketMessage.text(tag + randomText(s * 100_000L + i, 2500));
            }
        }

        static int sender(WebSocketMessage m) {
            return m.isText() ? m.text().charAt(0) - '0' : m.payload().get(0);
        }

        static int sequence(WebSocketMessage m) {
            return m.isText() ? Integer.parseInt(m.text().substring(2, 6)) : m.payload().getInt(1);
        }

        private static byte[] binary(int s, int i, int length) {
            byte[] bytes = randomBytes(s * 100_000L + i, length);
            bytes[0] = (byte) s;
            ByteBuffer.wrap(bytes).putInt(1, i);
            return bytes;
        }

        /** {@code n} parts of about equal size, emitted one at a time on another thread. */
        private static Flux<ByteBuffer> parts(byte[] bytes, int n) {
            List<ByteBuffer> parts = new ArrayList<>();
            int step = bytes.length / n + 1;
            for (int at = 0; at < bytes.length; at += step) {
                parts.add(ByteBuffer.wrap(Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + step))));
            }
            return Flux.fromIterable(parts).publishOn(Schedulers.parallel(), 1);
        }
    }
}
