package io.fluxsocket;

import io.fluxsocket.testing.BytePattern;
import io.fluxsocket.testing.DeflateDistances;
import io.fluxsocket.testing.Frame;
import io.fluxsocket.testing.RawServer;
import io.fluxsocket.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static io.fluxsocket.testing.RawServer.concat;
import static io.fluxsocket.testing.RawServer.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * permessage-deflate (RFC 7692): the offer and the checks of the server's answer, the frames this
 * client compresses, the messages it inflates, and a Reactor Netty server with compression on.
 */
class PerMessageDeflateTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String AGREED = "Sec-WebSocket-Extensions: permessage-deflate";

    private static WebSocketClient client(PerMessageDeflate deflate) {
        return WebSocketClient.builder().perMessageDeflate(deflate).closeTimeout(Duration.ofSeconds(1)).build();
    }

    // ---- the offer and the answer ----

    @Test
    void theOfferCarriesTheParametersSet() {
        assertEquals("permessage-deflate; client_max_window_bits", PerMessageDeflate.defaults().offer());
        assertEquals("permessage-deflate; client_max_window_bits=10; server_max_window_bits=9; "
                        + "client_no_context_takeover; server_no_context_takeover",
                PerMessageDeflate.defaults().clientMaxWindowBits(10).serverMaxWindowBits(9)
                        .clientNoContextTakeover(true).serverNoContextTakeover(true).offer());
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = client(PerMessageDeflate.defaults()).connect(server.uri()).toFuture();
            RawServer.Request request = server.acceptHandshake();
            assertEquals("permessage-deflate; client_max_window_bits", request.header("Sec-WebSocket-Extensions"));
            server.respond101();
            StreamWebSocket ws = connecting.orTimeout(5, TimeUnit.SECONDS).join();
            assertTrue(ws.info().extensions().isEmpty(), "declined: no extension");
            ws.close().block(WAIT);
        }
    }

    @Test
    void withoutTheOptionNothingIsOffered() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = WebSocketClient.create().connect(server.uri()).toFuture();
            assertEquals(null, server.acceptHandshake().header("Sec-WebSocket-Extensions"));
            server.respond101();
            connecting.orTimeout(5, TimeUnit.SECONDS).join().close().block(WAIT);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "permessage-deflate; unknown_parameter",
            "permessage-deflate; client_max_window_bits=16",
            "permessage-deflate; client_max_window_bits=7",
            "permessage-deflate; client_max_window_bits",
            "permessage-deflate; server_max_window_bits=abc",
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            "permessage-deflate; server_no_context_takeover=1",
            "x-webkit-deflate-frame",
            "permessage-deflate, permessage-deflate",
    })
    void anAnswerTheOfferDoesNotAllowFailsTheHandshakeWithProtocolError(String answer) {
        assertHandshakeRefused(PerMessageDeflate.defaults(), answer);
    }

    @Test
    void aWindowLargerThanOfferedOrAnOfferedServerWindowNotAcceptedFailsTheHandshake() {
        PerMessageDeflate offer = PerMessageDeflate.defaults().clientMaxWindowBits(10).serverMaxWindowBits(10);
        assertHandshakeRefused(offer, "permessage-deflate; server_max_window_bits=10; client_max_window_bits=11");
        assertHandshakeRefused(offer, "permessage-deflate; server_max_window_bits=12");
        assertHandshakeRefused(offer, "permessage-deflate");
    }

    @Test
    void anExtensionAnsweredWithoutAnOfferFailsTheHandshake() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = WebSocketClient.create().connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.respond101(AGREED);
            WebSocketException e = assertInstanceOf(WebSocketException.class, assertThrows(Exception.class,
                    () -> connecting.orTimeout(5, TimeUnit.SECONDS).join()).getCause());
            assertEquals(WebErrorStatus.PROTOCOL_ERROR, e.status());
            assertTrue(e.getMessage().contains("not offered"), e.getMessage());
        }
    }

    @Test
    void badParametersAreRefusedNamingThem() {
        PerMessageDeflate d = PerMessageDeflate.defaults();
        assertInvalid("clientMaxWindowBits", () -> d.clientMaxWindowBits(7));
        assertInvalid("clientMaxWindowBits", () -> d.clientMaxWindowBits(16));
        assertInvalid("serverMaxWindowBits", () -> d.serverMaxWindowBits(16));
        assertInvalid("compressionLevel", () -> d.compressionLevel(0));
        assertInvalid("minMessageSize", () -> d.minMessageSize(-1));
        assertInvalid("perMessageDeflate", () -> WebSocketClient.builder().perMessageDeflate(null));
    }

    // ---- what this client sends ----

    @Test
    void aMessageGoesOutCompressedWithRsv1OnItsFirstFrameOnlyAndSmallOnesUncompressed() throws Exception {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = agreed(server, WebSocketClient.builder().perMessageDeflate(PerMessageDeflate.defaults())
                    .maxFramePayload(1000).build(), AGREED);
            assertEquals("permessage-deflate", ws.info().extensions().orElseThrow());
            String text = "fluxsocket ".repeat(1000);
            ws.send(Mono.just(WebSocketMessage.text(text))).block(WAIT);
            ws.send(Mono.just(WebSocketMessage.text("short"))).block(WAIT);
            Frame first = server.readFrame();
            assertEquals(4, first.rsv(), "RSV1 on the compressed message's first frame");
            assertEquals(Frame.TEXT, first.opcode());
            ByteArrayOutputStream compressed = new ByteArrayOutputStream();
            compressed.writeBytes(first.payload());
            Frame f = first;
            while (!f.fin()) {
                f = server.readFrame();
                assertEquals(0, f.rsv(), "no RSV bit on a continuation");
                assertEquals(Frame.CONTINUATION, f.opcode());
                compressed.writeBytes(f.payload());
            }
            assertTrue(compressed.size() < text.length() / 10, "compressed to " + compressed.size());
            assertEquals(text, new String(inflate(new Inflater(true), compressed.toByteArray()), StandardCharsets.UTF_8));
            Frame small = server.readFrame();
            assertEquals(0, small.rsv(), "a message under 64 bytes goes uncompressed");
            assertEquals("short", new String(small.payload(), StandardCharsets.UTF_8));
            ws.close().subscribe();
        }
    }

    @Test
    void aStreamedMessageIsCompressedFrameByFrameAsItsBuffersArrive() throws Exception {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = agreedStream(server, client(PerMessageDeflate.defaults()), AGREED);
            Inflater inflater = new Inflater(true);
            reactor.core.publisher.Sinks.Many<ByteBuffer> buffers = reactor.core.publisher.Sinks.many().unicast().onBackpressureBuffer();
            CompletableFuture<Void> sent = ws.send(buffers.asFlux()).toFuture();
            for (int i = 0; i < 3; i++) {
                byte[] chunk = ("piece " + i + " ").repeat(100).getBytes(StandardCharsets.UTF_8);
                buffers.tryEmitNext(ByteBuffer.wrap(chunk));
                // Each frame is there before the message ends, and inflates on its own (sync flush).
                Frame f = server.readFrame();
                assertEquals(i == 0 ? 4 : 0, f.rsv());
                assertFalse(f.fin());
                assertArrayEquals(chunk, inflatePart(inflater, f.payload()));
            }
            buffers.tryEmitComplete();
            sent.get(5, TimeUnit.SECONDS);
            Frame last = server.readFrame();
            assertTrue(last.fin());
            assertEquals(0, inflate(inflater, last.payload()).length, "the end carries no data");
            ws.close().subscribe();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void withContextTakeoverARepeatedMessageShrinksAndWithoutItEachInflatesAlone(boolean noContextTakeover) throws Exception {
        try (RawServer server = RawServer.start()) {
            String answer = AGREED + (noContextTakeover ? "; client_no_context_takeover" : "");
            MessageWebSocket ws = agreed(server, client(PerMessageDeflate.defaults()), answer);
            String text = events(4000);
            ws.send(Flux.just(WebSocketMessage.text(text), WebSocketMessage.text(text))).block(WAIT);
            byte[] first = server.readFrame().payload();
            byte[] second = server.readFrame().payload();
            if (noContextTakeover) {
                assertArrayEquals(first, second, "each message compressed alone");
                assertEquals(text, new String(inflate(new Inflater(true), second), StandardCharsets.UTF_8));
            } else {
                assertTrue(second.length < first.length / 4, "the second refers to the first: " + second.length
                        + " against " + first.length);
                Inflater inflater = new Inflater(true);
                inflate(inflater, first);
                assertEquals(text, new String(inflate(inflater, second), StandardCharsets.UTF_8));
            }
            ws.close().subscribe();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {9, 15})
    void aSmallerClientWindowKeepsEveryBackReferenceInsideIt(int bits) throws Exception {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = agreed(server, client(PerMessageDeflate.defaults()),
                    AGREED + "; client_max_window_bits=" + bits);
            // A 300-byte block repeated 1000 bytes apart: a 15-bit window refers back 1000 bytes, a
            // 9-bit one (512 bytes) cannot.
            byte[] block = BytePattern.chunk(0, 300).array();
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            for (int i = 0; i < 20; i++) {
                message.writeBytes(block);
                message.writeBytes(BytePattern.chunk(1000L * (i + 1), 700).array());
            }
            ws.send(Mono.just(WebSocketMessage.binary(ByteBuffer.wrap(message.toByteArray())))).block(WAIT);
            byte[] payload = server.readFrame().payload();
            assertArrayEquals(message.toByteArray(), inflate(new Inflater(true), payload));
            int longest = maxDistance(payload);
            if (bits == 9) {
                assertTrue(longest <= 512, "longest back-reference " + longest);
            } else {
                assertTrue(longest > 512, "the 15-bit window refers back further: " + longest);
            }
            ws.close().subscribe();
        }
    }

    // ---- what this client receives ----

    @Test
    void compressedMessagesAreInflatedWholeFragmentedEmptyAndMixedWithUncompressedOnes() throws Exception {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = agreed(server, client(PerMessageDeflate.defaults()), AGREED);
            Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            String text = "héllo ".repeat(500);
            byte[] big = deflate(deflater, text.getBytes(StandardCharsets.UTF_8));
            int third = big.length / 3;
            StepVerifier.create(ws.receive().take(6), 6)
                    .then(() -> server.write(
                            frame(true, 4, Frame.TEXT, false, deflate(deflater, "whole".getBytes(StandardCharsets.UTF_8))),
                            frame(false, 4, Frame.TEXT, false, java.util.Arrays.copyOfRange(big, 0, third)),
                            frame(false, 0, Frame.CONTINUATION, false, java.util.Arrays.copyOfRange(big, third, 2 * third)),
                            frame(true, 0, Frame.CONTINUATION, false, java.util.Arrays.copyOfRange(big, 2 * third, big.length)),
                            frame(true, 4, Frame.BINARY, false, new byte[]{0}),
                            frame(true, 4, Frame.BINARY, false, new byte[0]),
                            frame(true, 0, Frame.TEXT, false, "plain".getBytes(StandardCharsets.UTF_8)),
                            frame(true, 4, Frame.TEXT, false, deflate(deflater, "after".getBytes(StandardCharsets.UTF_8)))))
                    .assertNext(m -> assertEquals("whole", m.text()))
                    .assertNext(m -> assertEquals(text, m.text()))
                    .assertNext(m -> assertEquals(0, m.payload().remaining(), "the empty message (one 0x00 byte)"))
                    .assertNext(m -> assertEquals(0, m.payload().remaining(), "an empty message with no byte at all"))
                    .assertNext(m -> assertEquals("plain", m.text()))
                    .assertNext(m -> assertEquals("after", m.text(), "the context goes on after both"))
                    .verifyComplete();
            ws.close().subscribe();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"continuation", "control", "undeflatable", "rsv2"})
    void aBadCompressedFrameFailsTheConnection(String which) {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = agreed(server, client(PerMessageDeflate.defaults()), AGREED);
            byte[] bad = switch (which) {
                case "continuation" -> concat(frame(false, 4, Frame.TEXT, false, deflate(new Deflater(6, true), new byte[]{65})),
                        frame(true, 4, Frame.CONTINUATION, false, new byte[]{0}));
                case "control" -> frame(true, 4, Frame.PING, false, new byte[0]);
                case "undeflatable" -> frame(true, 4, Frame.BINARY, false, new byte[]{(byte) 0xFF, (byte) 0xFF, 1, 2});
                default -> frame(true, 2, Frame.BINARY, false, new byte[]{0});
            };
            int code = which.equals("undeflatable") ? CloseStatus.INVALID_PAYLOAD : CloseStatus.PROTOCOL_ERROR;
            StepVerifier.create(ws.receive())
                    .then(() -> server.write(bad))
                    .expectErrorSatisfies(e -> assertEquals(code, assertInstanceOf(WebSocketException.class, e).closeCode(),
                            e::toString))
                    .verify(WAIT);
            assertEquals(code, server.readFrame().closeCode());
        }
    }

    @Test
    void anRsv1FrameWithoutTheExtensionAgreedFailsWith1002() {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = agreed(server, client(PerMessageDeflate.defaults()));
            StepVerifier.create(ws.receive())
                    .then(() -> server.write(frame(true, 4, Frame.BINARY, false, new byte[]{0})))
                    .expectErrorSatisfies(e -> assertEquals(CloseStatus.PROTOCOL_ERROR,
                            assertInstanceOf(WebSocketException.class, e).closeCode()))
                    .verify(WAIT);
        }
    }

    // ---- against a Reactor Netty server with compression ----

    @ParameterizedTest
    @ValueSource(strings = {"whole", "streamed"})
    void messagesEchoedByACompressingServerComeBackIntactAndTravelCompressed(String mode) throws Exception {
        try (TestServer server = TestServer.compressing(TestServer::echo)) {
            MessageWebSocket ws = WebSocketClient.builder().perMessageDeflate(PerMessageDeflate.defaults())
                    .receiveMode(mode.equals("whole") ? ReceiveMode.WHOLE : ReceiveMode.STREAMED)
                    .maxMessageSize(16 << 20).build().connectMessages(server.uri()).block(WAIT);
            assertTrue(ws.info().extensions().orElseThrow().startsWith("permessage-deflate"), ws.info().extensions().toString());
            String text = events(1 << 20);
            byte[] binary = events(1 << 20).getBytes(StandardCharsets.US_ASCII);
            java.util.List<WebSocketMessage> sent = java.util.List.of(WebSocketMessage.text(text),
                    WebSocketMessage.binary(ByteBuffer.wrap(binary)), WebSocketMessage.text(""),
                    WebSocketMessage.binary(ByteBuffer.allocate(0)), WebSocketMessage.text("tiny"));
            Flux<byte[]> received = mode.equals("whole")
                    ? ws.receive().map(m -> bytes(m.payload()))
                    : ws.receive().concatMap(m -> m.content().reduce(new ByteArrayOutputStream(), (all, b) -> {
                        all.writeBytes(bytes(b));
                        return all;
                    }).map(ByteArrayOutputStream::toByteArray));
            StepVerifier.create(received.take(sent.size()))
                    .then(() -> ws.send(Flux.fromIterable(sent)).subscribe())
                    .assertNext(b -> assertEquals(text, new String(b, StandardCharsets.UTF_8)))
                    .assertNext(b -> assertArrayEquals(binary, b))
                    .assertNext(b -> assertEquals(0, b.length))
                    .assertNext(b -> assertEquals(0, b.length))
                    .assertNext(b -> assertEquals("tiny", new String(b, StandardCharsets.UTF_8)))
                    .verifyComplete();
            BandwidthStatistics s = ws.info().bandwidthStatistics();
            long payload = 2L * (1 << 20) + 4;
            assertEquals(payload, s.bytesSent());
            assertEquals(payload, s.bytesReceived());
            assertTrue(s.wireBytesSent() < payload / 2, "sent compressed: " + s);
            assertTrue(s.wireBytesReceived() < payload / 2, "received compressed: " + s);
            ws.close().block(WAIT);
        }
    }

    @Test
    void aLongStreamEchoedThroughACompressingServerKeepsItsHash() throws Exception {
        long total = 32L << 20;
        try (TestServer server = TestServer.compressing(TestServer::echo)) {
            StreamWebSocket ws = WebSocketClient.builder().perMessageDeflate(PerMessageDeflate.defaults()).build()
                    .connect(server.uri()).block(WAIT);
            MessageDigest sentHash = MessageDigest.getInstance("SHA-256");
            MessageDigest receivedHash = MessageDigest.getInstance("SHA-256");
            Flux<ByteBuffer> data = Flux.range(0, (int) (total / 65536))
                    .map(i -> ByteBuffer.wrap(events(65536).replace("seq", String.format("%03d", i % 1000))
                            .substring(0, 65536).getBytes(StandardCharsets.US_ASCII)))
                    .doOnNext(b -> sentHash.update(b.duplicate()));
            Long received = ws.receive().doOnNext(b -> receivedHash.update(b.duplicate()))
                    .map(b -> (long) b.remaining()).scan(0L, Long::sum).takeUntil(n -> n >= total).last()
                    .doOnSubscribe(s -> ws.send(data).subscribe())
                    .block(Duration.ofSeconds(60));
            assertEquals(total, received);
            assertArrayEquals(sentHash.digest(), receivedHash.digest());
            ws.close().block(WAIT);
        }
    }

    // ---- helpers ----

    /** A message-mode connection to {@code server}, which answers the handshake with {@code answer}'s header lines. */
    private static MessageWebSocket agreed(RawServer server, WebSocketClient client, String... answer) {
        return open(server, client.connectMessages(server.uri()), answer);
    }

    private static StreamWebSocket agreedStream(RawServer server, WebSocketClient client, String... answer) {
        return open(server, client.connect(server.uri()), answer);
    }

    private static <T> T open(RawServer server, Mono<T> connect, String... answer) {
        CompletableFuture<T> connecting = connect.toFuture();
        server.acceptHandshake();
        server.respond101(answer);
        return connecting.orTimeout(5, TimeUnit.SECONDS).join();
    }

    /** ASCII JSON events, {@code n} bytes: text that compresses as live feeds do. */
    static String events(int n) {
        StringBuilder sb = new StringBuilder(n + 100);
        for (int i = 0; sb.length() < n; i++) {
            sb.append("{\"seq\":").append(i).append(",\"sensor\":\"temp-").append(i % 7).append("\",\"value\":")
                    .append(20 + (i * 37 % 100) / 10.0).append(",\"unit\":\"C\"}\n");
        }
        return sb.substring(0, n);
    }

    private static void assertHandshakeRefused(PerMessageDeflate offer, String answer) {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<StreamWebSocket> connecting = client(offer).connect(server.uri()).toFuture();
            server.acceptHandshake();
            server.respond101("Sec-WebSocket-Extensions: " + answer);
            Throwable t = assertThrows(Exception.class, () -> connecting.orTimeout(5, TimeUnit.SECONDS).join()).getCause();
            WebSocketException e = assertInstanceOf(WebSocketException.class, t, () -> "answer " + answer + ": " + t);
            assertEquals(WebErrorStatus.PROTOCOL_ERROR, e.status(), () -> "answer " + answer + ": " + e);
        }
    }

    private static void assertInvalid(String argument, Runnable call) {
        WebSocketException e = assertThrows(WebSocketException.class, call::run);
        assertEquals(WebErrorStatus.INVALID_ARGUMENT, e.status());
        assertTrue(e.getMessage().startsWith(argument + ":"), e.getMessage());
    }

    /** {@code data} as one whole compressed message of {@code deflater}'s stream (sync flush, tail removed). */
    static byte[] deflate(Deflater deflater, byte[] data) {
        deflater.setInput(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        do {
            n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
            out.write(buffer, 0, n);
        } while (n == buffer.length);
        byte[] all = out.toByteArray();
        return java.util.Arrays.copyOf(all, all.length - 4);
    }

    /** A whole message's payload inflated (the tail appended). */
    static byte[] inflate(Inflater inflater, byte[] payload) throws DataFormatException {
        byte[] withTail = java.util.Arrays.copyOf(payload, payload.length + 4);
        withTail[payload.length + 2] = (byte) 0xFF;
        withTail[payload.length + 3] = (byte) 0xFF;
        return inflatePart(inflater, withTail);
    }

    static byte[] inflatePart(Inflater inflater, byte[] part) throws DataFormatException {
        inflater.setInput(part);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (true) {
            int n = inflater.inflate(buffer);
            out.write(buffer, 0, n);
            if (n == 0 && (inflater.needsInput() || inflater.finished())) {
                return out.toByteArray();
            }
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }


    /** The longest back-reference distance in a message's payload (its tail put back: a whole stream). */
    static int maxDistance(byte[] payload) {
        byte[] withTail = java.util.Arrays.copyOf(payload, payload.length + 4);
        withTail[payload.length + 2] = (byte) 0xFF;
        withTail[payload.length + 3] = (byte) 0xFF;
        return DeflateDistances.max(withTail);
    }
}
