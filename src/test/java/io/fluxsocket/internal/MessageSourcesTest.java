package io.fluxsocket.internal;

import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketMessage;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The message-mode sends an {@link Outbound} takes messages from ({@link MessageSources}), on an
 * {@link EmbeddedChannel} whose event loop the test runs on: the order their messages go in, a
 * send leaving once its publisher ended, and how closing and failing end them. Frames are read as
 * {@code opcode[+fin]:hex}; {@link HeldWrites} stands for a socket that keeps writes until told.
 */
class MessageSourcesTest {

    private final HeldWrites socket = new HeldWrites();
    private EmbeddedChannel channel;
    private Outbound outbound;

    @BeforeEach
    void open() {
        channel = new EmbeddedChannel();
        channel.pipeline().addLast(socket);
        outbound = EmbeddedOutbound.open(channel, new EmbeddedOutbound.Owner(), 1024, 1024);
    }

    @AfterEach
    void close() {
        outbound.terminate(new WebSocketException(WebErrorStatus.CLOSED, "test over"));
        socket.completeAll();
        channel.finishAndReleaseAll();
    }

    @Test
    void theMessagesOfConcurrentSendsGoInTheOrderTheirPublishersGaveThem() {
        Sinks.Many<WebSocketMessage> a = Sinks.many().unicast().onBackpressureBuffer();
        Sinks.Many<WebSocketMessage> b = Sinks.many().unicast().onBackpressureBuffer();
        CompletableFuture<Void> first = send(a.asFlux());
        CompletableFuture<Void> second = send(b.asFlux());
        a.tryEmitNext(binary("01"));
        b.tryEmitNext(binary("02"));
        a.tryEmitNext(binary("03"));
        b.tryEmitComplete();
        a.tryEmitComplete();
        socket.completeAll();
        assertEquals(List.of("BINARY+fin:01", "BINARY+fin:02", "BINARY+fin:03"), written());
        assertTrue(first.isDone() && !first.isCompletedExceptionally(), "the first send completed");
        assertTrue(second.isDone() && !second.isCompletedExceptionally(), "the second send completed");
    }

    @Test
    void aSendWhosePublisherEndedLeavesAndALaterSendIsStillTaken() {
        CompletableFuture<Void> first = send(Flux.just(binary("01")));
        socket.completeAll();
        assertTrue(first.isDone() && !first.isCompletedExceptionally(), "the first send completed");
        CompletableFuture<Void> second = send(Flux.just(binary("02")));
        socket.completeAll();
        assertEquals(List.of("BINARY+fin:01", "BINARY+fin:02"), written());
        assertTrue(second.isDone() && !second.isCompletedExceptionally(), "the second send completed");
    }

    @Test
    void aConnectionThatCanSendNoMoreFailsEverySendAtOnceAndCancelsItsPublisher() {
        AtomicBoolean cancelled = new AtomicBoolean();
        CompletableFuture<Void> endless = send(Flux.just(binary("01")).concatWith(Flux.never())
                .doOnCancel(() -> cancelled.set(true)));
        WebSocketException lost = new WebSocketException(WebErrorStatus.CONNECTION_RESET, "lost");
        outbound.terminate(lost);
        assertSame(lost, error(endless));
        assertTrue(cancelled.get(), "its publisher was cancelled");
        assertEquals(WebErrorStatus.CONNECTION_RESET, error(send(Flux.just(binary("02")))).status(),
                "a send started afterwards fails at once");
    }

    @Test
    void aSendWhoseSubscriberClosesAsItCompletesStopsTheOtherSendsAfterTheMessagesTheyTook() {
        CompletableFuture<Void> endless = send(Flux.just(binary("01")).concatWith(Flux.never()));
        Sinks.Many<WebSocketMessage> messages = Sinks.many().unicast().onBackpressureBuffer();
        List<String> order = new ArrayList<>();
        MessageSend.of(outbound, channel.eventLoop(), messages.asFlux()).subscribe(null, null, () -> {
            order.add("completed");
            outbound.close(Frame.control(Opcode.CLOSE, Unpooled.wrappedBuffer(hex("03e8"))));
        });
        messages.tryEmitNext(binary("02"));
        socket.completeAll();
        // Its end is taken by a drain that goes through the sends: the close comes from inside it.
        messages.tryEmitComplete();
        channel.runPendingTasks();
        socket.completeAll();
        assertEquals(List.of("completed"), order);
        assertEquals(List.of("BINARY+fin:01", "BINARY+fin:02", "CLOSE+fin:03e8"), written());
        assertEquals(WebErrorStatus.CLOSED, error(endless).status());
    }

    private CompletableFuture<Void> send(Flux<WebSocketMessage> messages) {
        CompletableFuture<Void> sent = MessageSend.of(outbound, channel.eventLoop(), messages).toFuture();
        channel.runPendingTasks();
        return sent;
    }

    private static WebSocketException error(CompletableFuture<Void> f) {
        assertTrue(f.isCompletedExceptionally(), "failed");
        return (WebSocketException) f.handle((v, e) -> e).join();
    }

    private List<String> written() {
        return EmbeddedOutbound.written(channel);
    }

    private static WebSocketMessage binary(String hex) {
        return WebSocketMessage.binary(hex(hex));
    }

    private static ByteBuffer hex(String hex) {
        return ByteBuffer.wrap(ByteBufUtil.decodeHexDump(hex));
    }
}
