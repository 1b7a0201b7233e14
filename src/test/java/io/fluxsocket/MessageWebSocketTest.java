package io.fluxsocket;

import io.fluxsocket.testing.Frame;
import io.fluxsocket.testing.Hex;
import io.fluxsocket.testing.RawServer;
import io.fluxsocket.testing.TestServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Message mode's sending side, frame by frame on the wire, and round trips through an in-process
 * Reactor Netty server that echoes every frame as it came.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MessageWebSocketTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    /** "κόσμε" with U+1F79 (the Autobahn test string): ce ba, e1 bd b9, cf 83, ce bc, ce b5. */
    private static final String KOSME_TEXT = "\u03ba\u1f79\u03c3\u03bc\u03b5";

    private static WebSocketClient.Builder client() {
        return WebSocketClient.builder().connectTimeout(Duration.ofSeconds(2)).closeTimeout(Duration.ofSeconds(1));
    }

    private static MessageWebSocket open(RawServer server, WebSocketClient client) {
        return server.connectMessages(client);
    }

    @Test
    void aWholeTextMessageIsOneTextFrameOfItsUtf8() {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = open(server, client().build());
            ws.send(Mono.just(WebSocketMessage.text(KOSME_TEXT))).block(WAIT);
            Frame f = server.readFrame();
            assertEquals(Frame.TEXT, f.opcode(), f::toString);
            assertTrue(f.fin(), f::toString);
            assertEquals("cebae1bdb9cf83cebcceb5", Hex.of(f.payload()));
        }
    }

    @Test
    void aWholeMessageLongerThanMaxFramePayloadIsSplitWithFinOnItsLastFrame() {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = open(server, client().maxFramePayload(125).build());
            byte[] payload = new byte[300];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) i;
            }
            ws.send(Mono.just(WebSocketMessage.binary(ByteBuffer.wrap(payload)))).block(WAIT);
            List<Frame> frames = List.of(server.readFrame(), server.readFrame(), server.readFrame());
            assertEquals(List.of(Frame.BINARY, Frame.CONTINUATION, Frame.CONTINUATION),
                    frames.stream().map(Frame::opcode).toList());
            assertEquals(List.of(false, false, true), frames.stream().map(Frame::fin).toList());
            assertEquals(List.of(125, 125, 50), frames.stream().map(f -> f.payload().length).toList());
        }
    }

    @Test
    void eachElementOfASendIsOneMessageInOrderAndEmptyOnesAreEmptyFrames() {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = open(server, client().build());
            ws.send(Flux.just(WebSocketMessage.text("a"), WebSocketMessage.binary(ByteBuffer.allocate(0)),
                    WebSocketMessage.text(""), WebSocketMessage.binary(ByteBuffer.wrap(Hex.bytes("0102"))))).block(WAIT);
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Frame f = server.readFrame();
                assertTrue(f.fin(), f::toString);
                seen.add(f.opcode() + ":" + Hex.of(f.payload()));
            }
            assertEquals(List.of("1:61", "2:", "1:", "2:0102"), seen);
        }
    }

    @Test
    void aStreamedTextMessageIsFramedWithTheTextOpcodeAsItsPublisherEmits() {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = open(server, client().build());
            Sinks.Many<ByteBuffer> parts = Sinks.many().unicast().onBackpressureBuffer();
            CompletableFuture<Void> sending = ws.send(Mono.just(WebSocketMessage.text(parts.asFlux()))).toFuture();
            byte[] kosme = KOSME_TEXT.getBytes(StandardCharsets.UTF_8);
            // The first part ends inside a code point: fine, the check carries over.
            parts.tryEmitNext(ByteBuffer.wrap(kosme, 0, 3));
            Frame first = server.readFrame();
            assertEquals(Frame.TEXT, first.opcode(), first::toString);
            assertFalse(first.fin(), first::toString);
            parts.tryEmitNext(ByteBuffer.wrap(kosme, 3, kosme.length - 3));
            parts.tryEmitComplete();
            sending.orTimeout(5, TimeUnit.SECONDS).join();
            StringBuilder rest = new StringBuilder(Hex.of(first.payload()));
            for (Frame f = server.readFrame(); ; f = server.readFrame()) {
                assertEquals(Frame.CONTINUATION, f.opcode(), f::toString);
                rest.append(Hex.of(f.payload()));
                if (f.fin()) {
                    break;
                }
            }
            assertEquals(Hex.of(kosme), rest.toString());
        }
    }

    @Test
    void aStreamedTextMessageThatIsNotUtf8FailsItsSendBeforeAnyByteIsWritten() {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = open(server, client().build());
            Mono<Void> bad = ws.send(Mono.just(WebSocketMessage.text(Flux.just(ByteBuffer.wrap(Hex.bytes("41 c328"))))));
            StepVerifier.create(bad)
                    .expectErrorSatisfies(e -> {
                        WebSocketException w = assertInstanceOf(WebSocketException.class, e);
                        assertEquals(WebErrorStatus.INVALID_ARGUMENT, w.status());
                        assertEquals("message: the content of a streamed text message is not UTF-8 (at byte 2)", w.getMessage());
                    })
                    .verify(WAIT);
            // Nothing of it reached the wire, and the connection is still usable.
            ws.send(Mono.just(WebSocketMessage.text("ok"))).block(WAIT);
            Frame next = server.readFrame();
            assertEquals(Frame.TEXT + ":" + Hex.of("ok".getBytes(StandardCharsets.UTF_8)), next.opcode() + ":" + Hex.of(next.payload()));
        }
    }

    @Test
    void aPublisherErrorFailsTheSendAfterTheMessagesAlreadyTaken() {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = open(server, client().build());
            IllegalStateException boom = new IllegalStateException("boom");
            ExecutionException failed = assertThrows(ExecutionException.class, () -> ws.send(
                    Flux.concat(Mono.just(WebSocketMessage.text("first")), Mono.error(boom))).toFuture().get(5, TimeUnit.SECONDS));
            assertEquals(boom, failed.getCause());
            assertEquals("first", new String(server.readFrame().payload(), StandardCharsets.UTF_8));
            ws.send(Mono.just(WebSocketMessage.text("second"))).block(WAIT);
            assertEquals("second", new String(server.readFrame().payload(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aSendWhoseSubscriberClosesOnTheEventLoopWhenItFailsLeavesTheOtherSendsAndTheCloseSound() {
        // A fused publisher that fails at its first poll: the send fails inside the outbound's
        // drain, and its subscriber closes the connection there and then (as Spring's
        // Mono.usingWhen does when a handler fails).
        try (TestServer server = TestServer.echoing()) {
            IllegalStateException boom = new IllegalStateException("boom");
            Flux<WebSocketMessage> failing = Flux.just(WebSocketMessage.text("never"))
                    .handle((m, sink) -> sink.error(boom));
            CloseStatus status = client().build().connectMessages(server.uri())
                    .flatMap(ws -> ws.send(failing)
                            .onErrorResume(e -> e == boom ? ws.close(4000, "failed") : Mono.error(e))
                            .then(ws.closeStatus()))
                    .block(WAIT);
            assertEquals(4000, status.code());
        }
    }

    @Test
    void concurrentSendsInterleaveOnlyBetweenWholeMessages() {
        try (TestServer server = TestServer.echoing()) {
            MessageWebSocket ws = client().maxFramePayload(128).build().connectMessages(server.uri()).block(WAIT);
            int senders = 4;
            int perSender = 200;
            // Each message: "<sender>:<seq>:" then filler to 1000 bytes, so most are several frames.
            Mono<Void> sending = Flux.range(0, senders)
                    .flatMap(s -> ws.send(Flux.range(0, perSender).map(i -> message(s, i))), senders)
                    .then();
            List<WebSocketMessage> echoed = new ArrayList<>();
            Mono<Void> receiving = ws.receive().take(senders * perSender).doOnNext(echoed::add).then();
            Mono.when(sending, receiving).block(Duration.ofSeconds(20));

            int[] next = new int[senders];
            for (WebSocketMessage m : echoed) {
                String text = m.text();
                String[] parts = text.split(":", 3);
                int s = Integer.parseInt(parts[0]);
                assertEquals(next[s]++, Integer.parseInt(parts[1]), "sender " + s + "'s messages in order");
                assertEquals(message(s, Integer.parseInt(parts[1])).text(), text, "a whole message, not mixed");
            }
            for (int s = 0; s < senders; s++) {
                assertEquals(perSender, next[s], "all of sender " + s + "'s messages");
            }
            ws.close().block(WAIT);
        }
    }

    private static WebSocketMessage message(int sender, int seq) {
        StringBuilder b = new StringBuilder().append(sender).append(':').append(seq).append(':');
        while (b.length() < 1000) {
            b.append((char) ('a' + (b.length() + sender) % 26));
        }
        return WebSocketMessage.text(b.toString());
    }

    @Test
    @Tag("volume") // megabytes: PARANOID leak detection makes them ~50x slower
    void textAndBinaryMessagesRoundTripWholeWithTheirTypes() {
        try (TestServer server = TestServer.echoing()) {
            MessageWebSocket ws = client().maxMessageSize(8 << 20).build().connectMessages(server.uri()).block(WAIT);
            String big = "ü€".repeat(1 << 20); // 5 MiB of UTF-8, code points split across frames
            byte[] binary = new byte[100_000];
            new java.util.Random(1).nextBytes(binary);
            List<WebSocketMessage> sent = List.of(WebSocketMessage.text(KOSME_TEXT), WebSocketMessage.text(""),
                    WebSocketMessage.binary(ByteBuffer.wrap(binary)), WebSocketMessage.text(big));
            StepVerifier.create(ws.receive().take(sent.size()))
                    .then(() -> ws.send(Flux.fromIterable(sent)).subscribe())
                    .expectNextSequence(sent)
                    .verifyComplete();
            ws.close().block(WAIT);
        }
    }

    @Test
    @Tag("volume") // megabytes: PARANOID leak detection makes them ~50x slower
    void aStreamedMessageRoundTripsAsStreamedContent() {
        try (TestServer server = TestServer.echoing()) {
            MessageWebSocket ws = client().receiveMode(ReceiveMode.STREAMED).build().connectMessages(server.uri()).block(WAIT);
            long total = 8L << 20;
            Flux<ByteBuffer> content = Flux.range(0, (int) (total / 8192)).map(i -> io.fluxsocket.testing.BytePattern.chunk(i * 8192L, 8192));
            io.fluxsocket.testing.BytePattern.Checker checker = new io.fluxsocket.testing.BytePattern.Checker();
            StepVerifier.create(ws.receive().take(1).concatMap(m -> {
                        assertFalse(m.isText());
                        assertTrue(m.isStreamed());
                        return m.content().doOnNext(checker::accept);
                    }).then())
                    .then(() -> ws.send(Mono.just(WebSocketMessage.binary(content))).subscribe())
                    .verifyComplete();
            assertEquals(total, checker.offset(), "every byte, in order");
            ws.close().block(WAIT);
        }
    }

    @Test
    void sendingAfterTheConnectionClosedFailsWithClosed() {
        try (TestServer server = TestServer.echoing()) {
            MessageWebSocket ws = client().build().connectMessages(server.uri()).block(WAIT);
            ws.close().block(WAIT);
            StepVerifier.create(ws.send(Mono.just(WebSocketMessage.text("late"))))
                    .expectErrorSatisfies(e -> assertEquals(WebErrorStatus.CLOSED, WebSocketError.status(e)))
                    .verify(WAIT);
        }
    }

    @Test
    void receiveAcceptsOneSubscriber() {
        try (TestServer server = TestServer.echoing()) {
            MessageWebSocket ws = client().build().connectMessages(server.uri()).block(WAIT);
            ws.receive().subscribe();
            StepVerifier.create(ws.receive()).expectError(IllegalStateException.class).verify(WAIT);
            ws.close().block(WAIT);
        }
    }
}
