package io.fluxsocket;

import static io.fluxsocket.testing.RawServer.concat;
import static io.fluxsocket.testing.RawServer.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fluxsocket.testing.Await;
import io.fluxsocket.testing.Frame;
import io.fluxsocket.testing.RawServer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * {@link MessageWebSocket#receive(java.util.function.Function)}: whole binary messages lent in
 * place. Leak detection (PARANOID, as in every functional test) fails any of these if a lent
 * message is not released on its path: delivered, cancelled while queued, refused, or queued when
 * the connection ends.
 */
@Timeout(60)
class ReceiveMessagesInPlaceTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String KOSME = "\u03ba\u1f79\u03c3\u03bc\u03b5";

    private static WebSocketClient.Builder client() {
        return WebSocketClient.builder().connectTimeout(Duration.ofSeconds(2)).closeTimeout(Duration.ofSeconds(1));
    }

    private static byte[] random(int n, int seed) {
        byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static String sha256(ByteBuffer bytes) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(bytes);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** What a reader tells of a message: its type, for binary whether the view is read-only, and its bytes' hash. */
    private static String describe(WebSocketMessage m) {
        if (m.isText()) {
            return "text " + m.text();
        }
        ByteBuffer payload = m.payload();
        return (payload.isReadOnly() ? "lent " : "owned ") + sha256(payload);
    }

    private static String lent(byte[] bytes) {
        return "lent " + sha256(ByteBuffer.wrap(bytes));
    }

    /**
     * A first message, lent or not: the form of a message is decided at its first frame by the
     * subscriber bound then, and binding (on the event loop) may come after the first read.
     */
    private static final byte[] FIRST = {42};

    private static boolean first(String described) {
        return described.endsWith(sha256(ByteBuffer.wrap(FIRST)));
    }

    /** Four messages: binary in one frame, text, binary in two frames, empty binary; as one write. */
    private static byte[] fourMessages(byte[] one, byte[] big) {
        int half = big.length / 2;
        return concat(frame(true, 0, Frame.BINARY, false, one),
                frame(true, 0, Frame.TEXT, false, KOSME.getBytes(StandardCharsets.UTF_8)),
                frame(false, 0, Frame.BINARY, false, Arrays.copyOfRange(big, 0, half)),
                frame(true, 0, Frame.CONTINUATION, false, Arrays.copyOfRange(big, half, big.length)),
                frame(true, 0, Frame.BINARY, false, new byte[0]));
    }

    @Test
    void binaryMessagesAreLentAsReadOnlyViewsOfTheirBytesAndTextIsAsReceiveHasIt() {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = server.connectMessages(client().build());
            byte[] one = random(10_000, 1);
            byte[] big = random(200_000, 2);
            StepVerifier.create(ws.receive(ReceiveMessagesInPlaceTest::describe).take(5))
                    .then(() -> server.sendBinary(FIRST))
                    .expectNextMatches(ReceiveMessagesInPlaceTest::first)
                    .then(() -> server.write(fourMessages(one, big)))
                    // An empty message is under the size that is lent: a heap copy.
                    .expectNext(lent(one), "text " + KOSME, lent(big), "owned " + sha256(ByteBuffer.allocate(0)))
                    .verifyComplete();
        }
    }

    @Test
    void thePayloadIsValidUntilTheSubscribersOnNextReturned() {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = server.connectMessages(client().build());
            byte[] big = random(300_000, 3);
            // The reader passes the message on as it is; the hash is taken downstream, in onNext.
            StepVerifier.create(ws.receive(m -> m).map(ReceiveMessagesInPlaceTest::describe).take(3))
                    .then(() -> server.sendBinary(FIRST))
                    .expectNextMatches(ReceiveMessagesInPlaceTest::first)
                    .then(() -> server.write(concat(frame(true, 0, Frame.BINARY, false, big),
                            frame(false, 0, Frame.BINARY, false, Arrays.copyOfRange(big, 0, 7)),
                            frame(true, 0, Frame.CONTINUATION, false, Arrays.copyOfRange(big, 7, big.length)))))
                    .expectNext(lent(big), lent(big))
                    .verifyComplete();
        }
    }

    @Test
    void messagesThatWaitForDemandAreDeliveredWholeAndThoseLeftAreReleasedOnCancel() {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = server.connectMessages(client().build());
            byte[] one = random(10_000, 4);
            byte[] big = random(100_000, 5);
            StepVerifier.create(ws.receive(ReceiveMessagesInPlaceTest::describe), 1)
                    .then(() -> server.sendBinary(FIRST))
                    .expectNextMatches(ReceiveMessagesInPlaceTest::first)
                    // No demand now: the next four wait, queued.
                    .then(() -> server.write(fourMessages(one, big)))
                    .then(() -> Await.until(() -> ws.info().bandwidthStatistics().messagesReceived() == 5, WAIT,
                            "the four messages read"))
                    .thenRequest(3)
                    // In one piece, a heap copy while it waited ("owned"); lent if a read split it
                    // in two. In two frames: assembled in pooled memory, lent.
                    .expectNextMatches(d -> d.endsWith(sha256(ByteBuffer.wrap(one))))
                    .expectNext("text " + KOSME, lent(big))
                    // The empty message stays queued: cancelling releases it.
                    .thenCancel()
                    .verify(WAIT);
            ws.close().block(WAIT);
        }
    }

    @Test
    void messagesQueuedWhenTheConnectionEndsAreDeliveredAfterIt() {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = server.connectMessages(client().build());
            byte[] one = random(10_000, 6);
            byte[] big = random(100_000, 7);
            StepVerifier.create(ws.receive(ReceiveMessagesInPlaceTest::describe), 1)
                    .then(() -> server.sendBinary(FIRST))
                    .expectNextMatches(ReceiveMessagesInPlaceTest::first)
                    // No demand now: the next four wait, the one in two frames in pooled memory.
                    .then(() -> {
                        server.write(fourMessages(one, big));
                        server.sendClose(1000, "done");
                        server.readFrame(); // the client's answer
                        server.closeTcp();
                    })
                    .then(() -> ws.closeStatus().block(WAIT))
                    .thenRequest(Long.MAX_VALUE)
                    // Heap copies now, the pooled one too: no Netty buffer outlives the connection.
                    .expectNext("owned " + sha256(ByteBuffer.wrap(one)), "text " + KOSME, "owned " + sha256(ByteBuffer.wrap(big)),
                            "owned " + sha256(ByteBuffer.allocate(0)))
                    .verifyComplete();
        }
    }

    @Test
    void aReaderThatThrowsOrReturnsNullErrorsTheFluxAndTheConnectionGoesOn() {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = server.connectMessages(client().build());
            IllegalArgumentException boom = new IllegalArgumentException("boom");
            StepVerifier.create(ws.receive(m -> {
                        throw boom;
                    }))
                    .then(() -> server.sendBinary(new byte[] {1, 2, 3}))
                    .expectErrorSatisfies(e -> assertEquals(boom, e))
                    .verify(WAIT);
            // The connection is open: a message still goes out, and a clean close.
            ws.send(Mono.just(WebSocketMessage.text("still open"))).block(WAIT);
            assertEquals("still open", new String(server.readFrame().payload(), StandardCharsets.UTF_8));
        }
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = server.connectMessages(client().build());
            StepVerifier.create(ws.receive(m -> null))
                    .then(() -> server.sendBinary(new byte[] {1}))
                    .expectError(NullPointerException.class)
                    .verify(WAIT);
        }
    }

    @Test
    void receiveAndTheReaderShareTheOneSubscriber() {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = server.connectMessages(client().build());
            ws.receive().subscribe(m -> { }, e -> { }); // the connection fails when the server goes
            StepVerifier.create(ws.receive(m -> m)).expectError(IllegalStateException.class).verify(WAIT);
            assertEquals("reader", assertThrows(NullPointerException.class, () -> ws.receive(null)).getMessage());
        }
    }

    @Test
    void inStreamedModeTheReaderGetsTheStreamedMessages() {
        try (RawServer server = RawServer.start()) {
            MessageWebSocket ws = server.connectMessages(client().receiveMode(ReceiveMode.STREAMED).build());
            byte[] bytes = random(5000, 8);
            StepVerifier.create(ws.receive(m -> m).take(1).concatMap(m -> {
                        assertTrue(m.isStreamed());
                        return m.content().reduce(ByteBuffer.allocate(bytes.length), ByteBuffer::put);
                    }))
                    .then(() -> server.sendBinary(bytes))
                    .assertNext(all -> assertEquals(ByteBuffer.wrap(bytes), all.flip()))
                    .verifyComplete();
        }
    }

    @Test
    void aLentMessageOverMaxMessageSizeFailsTheConnectionWith1009() {
        try (RawServer server = RawServer.start()) {
            // The first frame is assembled in pooled memory, which the failure must release.
            MessageWebSocket ws = server.connectMessages(client().maxMessageSize(100_000).build());
            StepVerifier.create(ws.receive(ReceiveMessagesInPlaceTest::describe))
                    .then(() -> server.write(concat(frame(false, 0, Frame.BINARY, false, new byte[60_000]),
                            frame(true, 0, Frame.CONTINUATION, false, new byte[60_000]))))
                    .expectErrorSatisfies(e -> assertEquals(WebErrorStatus.MESSAGE_TOO_BIG, WebSocketError.status(e)))
                    .verify(WAIT);
            assertEquals(1009, ws.closeStatus().block(WAIT).code());
        }
    }
}
