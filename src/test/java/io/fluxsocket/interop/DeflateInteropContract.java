package io.fluxsocket.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fluxsocket.BandwidthStatistics;
import io.fluxsocket.CloseStatus;
import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.PerMessageDeflate;
import io.fluxsocket.ReceiveMode;
import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketMessage;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.function.Tuple2;

/**
 * permessage-deflate (RFC 7692) against an independent server, once per {@link Combination} of
 * what this client offers and how the server is configured: each subclass names its server and
 * its combinations, and every test runs for each (one server per combination, all started by the
 * class's first test and kept for the others). The routes ({@code /echo}, {@code /fragments}, {@code /download},
 * {@code /upload}) are described in the peer programs {@code deflate-server.js} and
 * {@code deflate_server.py} and in {@link ReactorNettyDeflateServer}.
 *
 * <p>The data is mostly JSON lines, which compresses as live feeds do. The 100 MiB transfers each
 * way run for one combination per server and are tagged {@code volume} (run at ADVANCED leak
 * detection, as PARANOID makes bulk transfers ~50 times slower); every combination moves 1 MiB
 * each way.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DeflateInteropContract {

    static final int KIB = 1024;
    static final int MIB = 1024 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration VOLUME_TIMEOUT = Duration.ofSeconds(120);
    /** Frame header bytes of a client frame with a payload under 126 bytes: 2, and the masking key. */
    private static final int SMALL_CLIENT_HEADER = 6;

    /**
     * One way to run the contract: what this client offers, how the server is configured (the
     * {@code DEFLATE_*} environment of the peer programs; empty for its defaults) and what it must
     * answer in {@code Sec-WebSocket-Extensions}.
     */
    record Combination(String name, PerMessageDeflate offer, Map<String, String> server, String answer) {

        /** This client compresses each message on its own: it offered it, or the server asked. */
        boolean clientNoContextTakeover() {
            return offer.clientNoContextTakeover() || answer.contains("client_no_context_takeover");
        }

        /** The window this client compresses with: what the server asked for, else what it offered. */
        int clientWindowBits() {
            Matcher m = Pattern.compile("client_max_window_bits=(\\d+)").matcher(answer);
            return m.find() ? Integer.parseInt(m.group(1)) : offer.clientMaxWindowBits();
        }

        /** The server compresses each message on its own. */
        boolean serverNoContextTakeover() {
            return answer.contains("server_no_context_takeover");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Servers by combination name, started by the first test that needs one (test thread). */
    private final Map<String, InteropServer> servers = new LinkedHashMap<>();
    /** The message types (true for text) of the messages {@link #receiveBytes} took last, in order (event loop, then test thread). */
    private final AtomicReference<List<Boolean>> types = new AtomicReference<>(new ArrayList<>());

    /** The combinations every test runs with. */
    abstract List<Combination> combinations();

    /** Starts this class's server as {@code combination} configures it. */
    abstract InteropServer start(Combination combination);

    /** The combination the 100 MiB transfers run with: the first, unless a subclass says otherwise (none). */
    List<Combination> volumeCombinations() {
        return combinations().subList(0, 1);
    }

    /**
     * The frame sizes of each {@code /fragments} message: an empty frame in the middle, a frame of
     * one byte, and one larger than this client's 64 KiB frames.
     */
    int[] fragmentSizes() {
        return new int[]{3000, 0, 1, 70_000};
    }

    @AfterAll
    void stopServers() {
        servers.values().forEach(InteropServer::close);
        servers.clear();
    }

    // ---- the handshake ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void theServerAnswersWithTheParametersOfTheCombination(Combination c) {
        MessageWebSocket ws = connect(c, client(c.offer()), "/echo");

        assertEquals(Optional.of(c.answer()), ws.info().extensions(), "the answer to '" + c.offer().offer() + "'");
        closeNormally(ws);
    }

    // ---- echo ----

    /**
     * JSON text and binary, text outside ASCII, and a binary message in which each 300-byte block
     * comes again 1000 bytes later: a compressor keeping a 15-bit window refers back 1000 bytes,
     * which a server that asked for a 9-bit window ({@code client_max_window_bits=9}) and inflates
     * with one cannot follow.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void textAndBinaryMessagesComeBackIntactAndTravelCompressed(Combination c) {
        MessageWebSocket ws = connect(c, client(c.offer()), "/echo");
        List<WebSocketMessage> sent = List.of(
                WebSocketMessage.text(ascii(JsonLines.lines(0, 100 * KIB))),
                WebSocketMessage.text("κόσμε, 𝄞 and 😀 outside the BMP; ".repeat(100)),
                WebSocketMessage.binary(ByteBuffer.wrap(blocksRepeatedFurtherThanNineBits(100))),
                WebSocketMessage.binary(ByteBuffer.wrap(JsonLines.lines(5000, 100 * KIB))));

        List<WebSocketMessage> echoed = exchange(ws, sent);

        assertEquals(sent.size(), echoed.size(), "messages echoed");
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(sent.get(i).isText(), echoed.get(i).isText(), "type of message " + i);
            assertTrue(sent.get(i).equals(echoed.get(i)), "message " + i + " comes back unchanged: " + echoed.get(i));
        }
        BandwidthStatistics s = ws.info().bandwidthStatistics();
        assertTrue(s.wireBytesSent() < s.bytesSent() * 3 / 4, "sent compressed: " + s);
        assertTrue(s.wireBytesReceived() < s.bytesReceived() * 3 / 4, "received compressed: " + s);
        closeNormally(ws);
    }

    /**
     * Empty text and binary messages, whole and streamed (a publisher with no buffer, and one of
     * empty buffers that come on another thread): from the
     * default client, which sends whole messages under 64 bytes uncompressed, and from one that
     * compresses every message; the server's echo comes compressed either way, and is received
     * whole and in streamed mode.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void emptyMessagesComeBackEmptyWithTheirTypes(Combination c) {
        for (int minMessageSize : new int[]{64, 0}) {
            for (ReceiveMode mode : ReceiveMode.values()) {
                WebSocketClient client = WebSocketClient.builder()
                        .perMessageDeflate(c.offer().minMessageSize(minMessageSize)).receiveMode(mode).build();
                MessageWebSocket ws = connect(c, client, "/echo");
                Flux<ByteBuffer> emptyParts = Flux.just(ByteBuffer.allocate(0), ByteBuffer.allocate(0))
                        .publishOn(Schedulers.parallel(), 1);
                List<WebSocketMessage> sent = List.of(WebSocketMessage.text(""), WebSocketMessage.binary(ByteBuffer.allocate(0)),
                        WebSocketMessage.text(Flux.empty()), WebSocketMessage.binary(Flux.empty()),
                        WebSocketMessage.binary(emptyParts));

                List<byte[]> echoed = exchangeBytes(ws, sent, mode);

                String what = "minMessageSize " + minMessageSize + ", " + mode + ": ";
                assertEquals(sent.size(), echoed.size(), what + "messages echoed");
                for (byte[] payload : echoed) {
                    assertEquals(0, payload.length, what + "an empty message");
                }
                assertEquals(List.of(true, false, true, false, false), types.get(), what + "types (text?) of the echoes");
                assertEquals(0, ws.info().bytesReceived(), what + "payload bytes received");
                closeNormally(ws);
            }
        }
    }

    /**
     * Whole messages of 1 to 63 bytes go uncompressed (under minMessageSize), one of 64 bytes
     * compressed; the echoes come compressed, and intact.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void smallMessagesGoUncompressedAndComeBackIntact(Combination c) {
        MessageWebSocket ws = connect(c, client(c.offer()), "/echo");
        List<WebSocketMessage> sent = new ArrayList<>();
        long wire = 0;
        for (int n = 1; n < 64; n++) {
            byte[] bytes = Arrays.copyOf(JsonLines.lines(n, n), n);
            sent.add(n % 2 == 0 ? WebSocketMessage.text(ascii(bytes)) : WebSocketMessage.binary(ByteBuffer.wrap(bytes)));
            wire += n + SMALL_CLIENT_HEADER;
        }
        sent.add(WebSocketMessage.text("a".repeat(64)));

        List<WebSocketMessage> echoed = exchange(ws, sent);

        assertEquals(sent, echoed);
        long last = ws.info().bandwidthStatistics().wireBytesSent() - wire;
        assertTrue(last < 64 + SMALL_CLIENT_HEADER, "wire bytes sent: each message under 64 bytes as it is, with a "
                + "6-byte header, then 64 'a's compressed; " + last + " bytes for the last");
        closeNormally(ws);
    }

    // ---- fragmented messages ----

    /** Each combination with text received whole, and binary received streamed. */
    Stream<Arguments> combinationsModesAndTypes() {
        return combinations().stream().flatMap(c -> Stream.of(
                Arguments.of(c, ReceiveMode.WHOLE, "text"), Arguments.of(c, ReceiveMode.STREAMED, "binary")));
    }

    /**
     * Messages the server sends in several frames, each compressed on its own (RSV1 on the first
     * only), with a Ping between each two, arrive whole and intact, received whole and streamed.
     */
    @ParameterizedTest(name = "{0}, {1}, {2}")
    @MethodSource("combinationsModesAndTypes")
    void fragmentedCompressedMessagesFromTheServerArriveIntact(Combination c, ReceiveMode mode, String type) {
        int n = 5;
        int[] sizes = fragmentSizes();
        WebSocketClient client = WebSocketClient.builder().perMessageDeflate(c.offer()).receiveMode(mode).build();
        MessageWebSocket ws = connect(c, client, "/fragments?n=" + n + "&type=" + type + "&ping=1&sizes="
                + String.join(",", Arrays.stream(sizes).mapToObj(String::valueOf).toList()));

        types.set(new ArrayList<>());
        List<byte[]> received = receiveBytes(ws, mode).collectList().block(TIMEOUT);

        assertEquals(n, received.size(), "messages received");
        Sha256 all = new Sha256();
        for (int i = 0; i < n; i++) {
            byte[] expected = JsonLines.message(i, sizes);
            assertTrue(Arrays.equals(expected, received.get(i)), "message " + i + ": " + received.get(i).length
                    + " bytes for " + expected.length);
            assertEquals(type.equals("text"), types.get().get(i), "message " + i + " is " + type);
            all.update(ByteBuffer.wrap(expected));
        }
        assertEquals(new CloseStatus(CloseStatus.NORMAL_CLOSURE, all.hex(), true), ws.closeStatus().block(TIMEOUT),
                "the server's Close carries the SHA-256 of what it sent");
        BandwidthStatistics s = ws.info().bandwidthStatistics();
        assertTrue(s.wireBytesReceived() < s.bytesReceived() / 2, "received compressed: " + s);
    }

    /**
     * In streamed mode every other message is cut short after its first buffer: the rest of it
     * must still be inflated (with context takeover the next message refers to its bytes), and the
     * next message starts at its own first byte, intact.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void aStreamedMessageCutShortLeavesTheNextOneIntact(Combination c) {
        int n = 8;
        int[] sizes = {20_000, 20_000, 20_000};
        WebSocketClient client = WebSocketClient.builder().perMessageDeflate(c.offer()).receiveMode(ReceiveMode.STREAMED).build();
        MessageWebSocket ws = connect(c, client, "/fragments?n=" + n + "&type=binary&sizes=20000,20000,20000");
        AtomicLong index = new AtomicLong();

        List<byte[]> received = ws.receive().concatMap(m -> {
            Flux<ByteBuffer> content = index.getAndIncrement() % 2 == 0 ? m.content().take(1) : m.content();
            return content.reduce(new ByteArrayOutputStream(), (all, b) -> {
                all.writeBytes(bytes(b));
                return all;
            }).map(ByteArrayOutputStream::toByteArray);
        }).collectList().block(TIMEOUT);

        assertEquals(n, received.size(), "messages received");
        for (int i = 0; i < n; i++) {
            byte[] expected = JsonLines.message(i, sizes);
            byte[] got = received.get(i);
            boolean ok = i % 2 == 0
                    ? got.length > 0 && got.length < expected.length && Arrays.equals(got, Arrays.copyOf(expected, got.length))
                    : Arrays.equals(got, expected);
            assertTrue(ok, "message " + i + ": " + got.length + " bytes, " + (i % 2 == 0 ? "a prefix of " : "all of ")
                    + expected.length + " expected");
        }
        assertEquals(CloseStatus.NORMAL_CLOSURE, ws.closeStatus().block(TIMEOUT).code());
    }

    /**
     * A whole message of exactly maxMessageSize (1 MiB), compressed, arrives (with the smallest
     * receive buffer, 1 KiB: a whole message is assembled past it); one byte more fails with 1009.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void aCompressedMessageOfMaxMessageSizeArrivesAndOneByteMoreFailsWith1009(Combination c) {
        WebSocketClient smallBuffer = WebSocketClient.builder().perMessageDeflate(c.offer()).receiveBufferBytes(KIB).build();
        MessageWebSocket ws = connect(c, smallBuffer, "/fragments?n=1&type=binary&sizes=524288,524288");
        List<WebSocketMessage> received = ws.receive().collectList().block(TIMEOUT);
        assertEquals(1, received.size(), "messages received");
        assertEquals(ByteBuffer.wrap(JsonLines.message(0, new int[]{524_288, 524_288})), received.get(0).payload());

        MessageWebSocket tooBig = connect(c, client(c.offer()), "/fragments?n=1&type=binary&sizes=524288,524289");
        WebSocketException e = assertThrows(WebSocketException.class, () -> tooBig.receive().blockLast(TIMEOUT));
        assertEquals(CloseStatus.MESSAGE_TOO_BIG, e.closeCode(), e.toString());
        CloseStatus status = tooBig.closeStatus().block(TIMEOUT);
        assertEquals(CloseStatus.MESSAGE_TOO_BIG, status.code(), status.toString());
        assertFalse(status.remote(), "this client chose the code: " + status);
    }

    /**
     * Streamed messages of this client (parts that come one at a time on another thread, so each
     * goes out as its own compressed frame; an empty part among them) come back whole: text cut
     * inside characters, and binary with a Ping between its frames.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void streamedMessagesOfThisClientComeBackWhole(Combination c) {
        MessageWebSocket ws = connect(c, client(c.offer()), "/echo");
        byte[] text = (ascii(JsonLines.lines(0, 150 * KIB)) + "κόσμε 😀".repeat(2000)).getBytes(StandardCharsets.UTF_8);
        byte[] binary = JsonLines.lines(9000, 300 * KIB);
        // A Ping goes between the binary message's frames, uncompressed, and is answered.
        Sinks.One<Duration> pong = Sinks.one();
        Flux<ByteBuffer> binaryParts = parts(binary, 2).index().doOnNext(part -> {
            if (part.getT1() == 3) {
                ws.ping(ByteBuffer.wrap("mid-message".getBytes(StandardCharsets.US_ASCII)))
                        .subscribe(pong::tryEmitValue, pong::tryEmitError);
            }
        }).map(Tuple2::getT2);
        List<WebSocketMessage> sent = List.of(WebSocketMessage.text(parts(text, 1)), WebSocketMessage.binary(binaryParts));

        List<WebSocketMessage> echoed = exchange(ws, sent);

        assertEquals(2, echoed.size(), "messages echoed");
        assertTrue(echoed.get(0).isText(), "the text comes back as text");
        assertTrue(new String(text, StandardCharsets.UTF_8).equals(echoed.get(0).text()), "the text comes back unchanged");
        assertTrue(!echoed.get(1).isText() && ByteBuffer.wrap(binary).equals(echoed.get(1).payload()),
                "the binary message comes back unchanged");
        assertTrue(pong.asMono().block(TIMEOUT) != null, "the Ping sent within the message was answered");
        BandwidthStatistics s = ws.info().bandwidthStatistics();
        assertTrue(s.wireBytesSent() < s.bytesSent() / 2, "sent compressed: " + s);
        closeNormally(ws);
    }

    /** A stream-mode send (one binary message of the publisher's buffers) comes back byte for byte. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void aStreamModeSendComesBackByteForByte(Combination c) {
        StreamWebSocket ws = client(c.offer()).connect(server(c).uri("/echo")).block(TIMEOUT);
        byte[] data = JsonLines.lines(0, 512 * KIB);
        Sha256 received = new Sha256();

        Mono<Void> receiving = ws.receive().doOnNext(received::update)
                .takeUntil(b -> received.bytes() >= data.length).then();
        Mono.when(receiving, ws.send(parts(data, 3))).block(TIMEOUT);

        assertEquals(data.length, received.bytes(), "bytes echoed");
        Sha256 sent = new Sha256();
        sent.update(ByteBuffer.wrap(data));
        assertEquals(sent.hex(), received.hex(), "the echo has the bytes sent");
        ws.close().block(TIMEOUT);
        assertEquals(CloseStatus.NORMAL_CLOSURE, ws.closeStatus().block(TIMEOUT).code());
    }

    /**
     * A subscriber that takes one buffer at a time on another thread, with the smallest receive
     * buffer (1 KiB, less than one 16 KiB step of inflation): every byte of 1 MiB arrives, in
     * stream mode and in streamed messages.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void aSlowSubscriberWithASmallReceiveBufferGetsEveryByte(Combination c) {
        WebSocketClient.Builder small = WebSocketClient.builder().perMessageDeflate(c.offer()).receiveBufferBytes(KIB);
        StreamWebSocket stream = small.build().connect(server(c).uri("/download?bytes=" + MIB)).block(TIMEOUT);
        Sha256 streamHash = new Sha256();
        stream.receive().publishOn(Schedulers.single(), 1).doOnNext(streamHash::update).then().block(TIMEOUT);
        assertEquals(MIB, streamHash.bytes(), "bytes received in stream mode");
        assertEquals(new CloseStatus(CloseStatus.NORMAL_CLOSURE, streamHash.hex(), true), stream.closeStatus().block(TIMEOUT));

        MessageWebSocket messages = small.receiveMode(ReceiveMode.STREAMED).build()
                .connectMessages(server(c).uri("/download?bytes=" + MIB)).block(TIMEOUT);
        Sha256 messagesHash = new Sha256();
        messages.receive().concatMap(m -> m.content().publishOn(Schedulers.single(), 1).doOnNext(messagesHash::update), 1)
                .then().block(TIMEOUT);
        assertEquals(MIB, messagesHash.bytes(), "bytes received in streamed messages");
        assertEquals(new CloseStatus(CloseStatus.NORMAL_CLOSURE, messagesHash.hex(), true), messages.closeStatus().block(TIMEOUT));
    }

    // ---- context takeover ----

    /**
     * 100 similar messages each way (about 110 bytes each, differing in a number): with context
     * takeover each refers to the one before and shrinks to a few bytes; without it each is
     * compressed alone, to about what a fresh {@link Deflater} makes of it. The wire bytes of each
     * direction show which one the connection does, as the answer says.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void similarMessagesShrinkWithContextTakeoverAndNotWithout(Combination c) {
        MessageWebSocket ws = connect(c, client(c.offer()), "/echo");
        List<WebSocketMessage> sent = new ArrayList<>();
        long alone = 0;
        for (int i = 0; i < 100; i++) {
            String m = "{\"seq\":" + (1000 + i) + ",\"sensor\":\"temp-3\",\"value\":21.5,\"unit\":\"C\","
                    + "\"site\":\"north-field\",\"status\":\"ok\",\"note\":\"steady\"}";
            sent.add(WebSocketMessage.text(m));
            alone += compressedAlone(m.getBytes(StandardCharsets.US_ASCII));
        }

        List<WebSocketMessage> echoed = exchange(ws, sent);

        assertEquals(sent, echoed);
        BandwidthStatistics s = ws.info().bandwidthStatistics();
        // This client keeps a window under 15 bits with a full flush every 2^bits bytes, after
        // which a message is compressed alone: with 2^9 bytes, one message in five; 2^8, one in two.
        double withTakeover = c.clientWindowBits() >= 10 ? 0.5 : 0.75;
        assertCompression("sent", s.wireBytesSent(), alone, c.clientNoContextTakeover(), withTakeover, s);
        assertCompression("received", s.wireBytesReceived(), alone, c.serverNoContextTakeover(), 0.5, s);
        closeNormally(ws);
    }

    /**
     * Without context takeover, the wire carries at least 90% of what the messages compress to
     * alone (headers make up for a compressor that does a little better); with it, less than
     * {@code withTakeover} of that.
     */
    private static void assertCompression(String direction, long wire, long alone, boolean noContextTakeover,
            double withTakeover, BandwidthStatistics s) {
        String what = direction + " " + wire + " wire bytes for messages that compress to " + alone + " bytes alone: " + s;
        if (noContextTakeover) {
            assertTrue(wire > alone * 0.9, "without context takeover, " + what);
        } else {
            assertTrue(wire < alone * withTakeover, "with context takeover, " + what);
        }
    }

    // ---- bulk ----

    /** 1 MiB each way with every combination (100 MiB, which takes seconds, with one only). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void aMebibyteEachWayKeepsItsHash(Combination c) {
        transfer(c, server(c), MIB, TIMEOUT);
    }

    /** Run on its own (the volume execution), with a server of its own rather than all of the class's. */
    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("volumeCombinations")
    @Tag("volume")
    void aHundredMebibytesEachWayKeepTheirHashes(Combination c) {
        try (InteropServer server = start(c)) {
            transfer(c, server, 100L * MIB, VOLUME_TIMEOUT);
        }
    }

    /**
     * Uploads {@code bytes} of JSON lines as one streamed message (stream mode), the server hashing
     * what it inflated, then downloads as many in 64 KiB messages, this client hashing them; both
     * hashes are compared with the other side's, and the wire carries far fewer bytes than that.
     */
    private void transfer(Combination c, InteropServer server, long bytes, Duration timeout) {
        WebSocketClient client = client(c.offer());
        StreamWebSocket up = client.connect(server.uri("/upload?bytes=" + bytes)).block(TIMEOUT);
        Sha256 sent = new Sha256();
        long start = System.nanoTime();
        up.send(JsonLines.stream(bytes, 64 * KIB, sent)).block(timeout);
        up.receive().then().block(timeout);
        CloseStatus upClose = up.closeStatus().block(timeout);
        long upNanos = System.nanoTime() - start;

        assertEquals(bytes, sent.bytes(), "bytes uploaded");
        assertEquals(bytes, up.info().bytesSent(), "payload bytes sent");
        assertEquals(new CloseStatus(CloseStatus.NORMAL_CLOSURE, "1 " + sent.hex(), true), upClose,
                "the server inflated one message with the bytes sent");
        BandwidthStatistics upStats = up.info().bandwidthStatistics();
        // A full flush every 2^bits bytes costs: JSON lines shrink to 9% with 15 bits, 40% with 8.
        assertTrue(upStats.wireBytesSent() < bytes / (c.clientWindowBits() >= 12 ? 4 : 2), "uploaded compressed: " + upStats);

        StreamWebSocket down = client.connect(server.uri("/download?bytes=" + bytes)).block(TIMEOUT);
        Sha256 received = new Sha256();
        start = System.nanoTime();
        down.receive(piece -> {
            received.update(piece);
            return piece.remaining();
        }).then().block(timeout);
        CloseStatus downClose = down.closeStatus().block(timeout);
        long downNanos = System.nanoTime() - start;

        assertEquals(bytes, received.bytes(), "bytes downloaded");
        assertEquals(bytes, down.info().bytesReceived(), "payload bytes received (inflated)");
        assertEquals((bytes + 64 * KIB - 1) / (64 * KIB), down.info().bandwidthStatistics().messagesReceived(),
                "messages of 64 KiB received");
        assertEquals(new CloseStatus(CloseStatus.NORMAL_CLOSURE, received.hex(), true), downClose,
                "the server's Close carries the SHA-256 of what it sent");
        BandwidthStatistics downStats = down.info().bandwidthStatistics();
        assertTrue(downStats.wireBytesReceived() < bytes / 4, "downloaded compressed: " + downStats);
        System.out.printf("%s, %s: %d MiB up in %.2f s (%d wire bytes), down in %.2f s (%d wire bytes)%n",
                getClass().getSimpleName(), c, bytes / MIB, upNanos / 1e9, upStats.wireBytesSent(),
                downNanos / 1e9, downStats.wireBytesReceived());
    }

    // ---- helpers ----

    /**
     * The server of {@code c}; the first call starts the servers of every combination at once (a
     * peer process takes a few hundred milliseconds to listen). A peer that is not installed skips
     * the calling test, or fails it in CI.
     */
    InteropServer server(Combination c) {
        if (servers.isEmpty()) {
            Map<String, CompletableFuture<InteropServer>> starting = new LinkedHashMap<>();
            for (Combination each : combinations()) {
                starting.put(each.name(), CompletableFuture.supplyAsync(() -> start(each)));
            }
            Throwable failed = null;
            for (Map.Entry<String, CompletableFuture<InteropServer>> e : starting.entrySet()) {
                try {
                    servers.put(e.getKey(), e.getValue().join());
                } catch (CompletionException ex) {
                    failed = failed != null ? failed : ex.getCause();
                }
            }
            if (failed != null) {
                // Each later test tries again, and is skipped or failed the same way.
                stopServers();
                if (failed instanceof Error error) {
                    throw error;
                }
                throw failed instanceof RuntimeException r ? r : new IllegalStateException(failed);
            }
        }
        return servers.get(c.name());
    }

    private static WebSocketClient client(PerMessageDeflate offer) {
        return WebSocketClient.builder().perMessageDeflate(offer).build();
    }

    private MessageWebSocket connect(Combination c, WebSocketClient client, String pathAndQuery) {
        return client.connectMessages(server(c).uri(pathAndQuery)).block(TIMEOUT);
    }

    /** Sends the messages and collects as many back, whole (receive subscribed first). */
    private static List<WebSocketMessage> exchange(MessageWebSocket ws, List<WebSocketMessage> messages) {
        AtomicReference<List<WebSocketMessage>> echoed = new AtomicReference<>();
        Mono<Void> receiving = ws.receive().take(messages.size()).collectList().doOnNext(echoed::set).then();
        Mono.when(receiving, ws.send(Flux.fromIterable(messages))).block(TIMEOUT);
        return echoed.get();
    }

    /** {@link #exchange} for either receive mode: each message's payload, types in {@link #types}. */
    private List<byte[]> exchangeBytes(MessageWebSocket ws, List<WebSocketMessage> messages, ReceiveMode mode) {
        types.set(new ArrayList<>());
        AtomicReference<List<byte[]>> echoed = new AtomicReference<>();
        Mono<Void> receiving = receiveBytes(ws.receive().take(messages.size()), mode).collectList()
                .doOnNext(echoed::set).then();
        Mono.when(receiving, ws.send(Flux.fromIterable(messages))).block(TIMEOUT);
        return echoed.get();
    }

    private Flux<byte[]> receiveBytes(MessageWebSocket ws, ReceiveMode mode) {
        return receiveBytes(ws.receive(), mode);
    }

    /** Each message's payload, whole or joined from its content; its type added to {@link #types}. */
    private Flux<byte[]> receiveBytes(Flux<WebSocketMessage> messages, ReceiveMode mode) {
        return messages.concatMap(m -> {
            types.get().add(m.isText());
            if (mode == ReceiveMode.WHOLE) {
                return Mono.just(bytes(m.payload()));
            }
            return m.content().reduce(new ByteArrayOutputStream(), (all, b) -> {
                all.writeBytes(bytes(b));
                return all;
            }).map(ByteArrayOutputStream::toByteArray);
        });
    }

    private static void closeNormally(MessageWebSocket ws) {
        ws.close().block(TIMEOUT);
        CloseStatus status = ws.closeStatus().block(TIMEOUT);
        assertEquals(CloseStatus.NORMAL_CLOSURE, status.code(), "the server answers with this client's code: " + status);
        assertTrue(status.remote(), "the code is the server's answer: " + status);
    }

    /**
     * {@code data} in parts of 1 to 20,000 bytes cut anywhere (an empty one after the first), each
     * emitted on its own on another thread, so that each goes out as a frame of its own.
     */
    private static Flux<ByteBuffer> parts(byte[] data, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<ByteBuffer> parts = new ArrayList<>();
        for (int at = 0; at < data.length; ) {
            int n = Math.min(data.length - at, 1 + random.nextInt(20_000));
            parts.add(ByteBuffer.wrap(Arrays.copyOfRange(data, at, at + n)));
            if (at == 0) {
                parts.add(ByteBuffer.allocate(0));
            }
            at += n;
        }
        return Flux.fromIterable(parts).publishOn(Schedulers.parallel(), 1);
    }

    /** {@code count} blocks of 1000 pseudo-random bytes, each starting with the same 300. */
    static byte[] blocksRepeatedFurtherThanNineBits(int count) {
        SplittableRandom random = new SplittableRandom(7);
        byte[] block = new byte[300];
        random.nextBytes(block);
        byte[] out = new byte[count * 1000];
        for (int i = 0; i < count; i++) {
            System.arraycopy(block, 0, out, i * 1000, block.length);
            byte[] filler = new byte[700];
            random.nextBytes(filler);
            System.arraycopy(filler, 0, out, i * 1000 + 300, filler.length);
        }
        return out;
    }

    /** The bytes of {@code data} compressed alone as one message: deflated, sync-flushed, tail removed. */
    private static int compressedAlone(byte[] data) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        try {
            deflater.setInput(data);
            byte[] out = new byte[data.length + 64];
            int n = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
            return n - 4;
        } finally {
            deflater.end();
        }
    }

    private static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.duplicate().get(b);
        return b;
    }
}
