package io.fluxsocket.internal;

import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketMessage;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.WriteTimeoutHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link Outbound} in a pipeline without a socket ({@link EmbeddedChannel}, on whose event
 * loop the test runs): given publishers, writability and write completions, which frames it
 * writes, in which order, and what it takes from publishers. Frames are read as
 * {@code opcode[+fin]:hex} (the wire opcode). {@link HeldWrites} stands for a socket that stops taking
 * bytes: it keeps writes, and completes or fails them when told.
 */
class OutboundPipelineTest {

    private static final int FRAME = 8;

    private final EmbeddedOutbound.Owner owner = new EmbeddedOutbound.Owner();
    private final HeldWrites stall = new HeldWrites();
    private EmbeddedChannel channel;
    private Outbound outbound;

    private void open(int budget, ChannelHandler... before) {
        open(budget, FRAME, before);
    }

    private void open(int budget, int maxFramePayload, ChannelHandler... before) {
        channel = new EmbeddedChannel();
        // Head, the stalled socket, the handlers under test, then the outbound's own.
        channel.pipeline().addLast(stall);
        channel.pipeline().addLast(before);
        outbound = EmbeddedOutbound.open(channel, owner, maxFramePayload, budget);
    }

    @AfterEach
    void close() {
        if (outbound != null) {
            outbound.terminate(new WebSocketException(WebErrorStatus.CLOSED, "test over"));
            stall.completeAll();
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void aPongGoesBetweenTheFramesOfAMessageWithoutWaitingForIt() {
        open(1024);
        Sinks.Many<ByteBuffer> content = Sinks.many().unicast().onBackpressureBuffer();
        CompletableFuture<Void> sent = send(content.asFlux());
        content.tryEmitNext(hex("0102030405060708"));
        outbound.pong(Unpooled.wrappedBuffer(new byte[] {(byte) 0xaa}));
        content.tryEmitNext(hex("090a"));
        content.tryEmitComplete();
        stall.completeAll();
        // The two bytes go as a partial frame (nothing more was at hand); FIN follows alone.
        assertEquals(List.of("BINARY:0102030405060708", "PONG+fin:aa", "CONTINUATION:090a", "CONTINUATION+fin:"),
                written());
        assertTrue(sent.isDone() && !sent.isCompletedExceptionally());
    }

    @Test
    void whileUnwritableOnlyTheNewestPongWaitsAndItGoesAheadOfData() {
        open(1024);
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        CompletableFuture<Void> sent = send(Mono.just(hex("0102")).hide());
        outbound.pong(Unpooled.wrappedBuffer(new byte[] {1}));
        outbound.pong(Unpooled.wrappedBuffer(new byte[] {2}));
        assertEquals(List.of(), written(), "nothing is written while unwritable");
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        // Netty tells of the change in a task of the event loop.
        channel.runPendingTasks();
        stall.completeAll();
        assertEquals(List.of("PONG+fin:02", "BINARY+fin:0102"), written());
        assertTrue(sent.isDone());
    }

    /**
     * Asked (the publisher hidden): one buffer per request. Fused ({@code Flux.generate} polled on
     * the event loop): never asked, and the same buffers are taken.
     */
    @ParameterizedTest(name = "fused = {0}")
    @ValueSource(booleans = {false, true})
    void aPublisherIsAskedForOneBufferAtATimeAndOnlyWhileTheBudgetHasRoom(boolean fused) {
        int budget = 4 * FRAME;
        open(budget);
        AtomicInteger requests = new AtomicInteger();
        AtomicLong emitted = new AtomicLong();
        Flux<ByteBuffer> generated = Flux.<ByteBuffer>generate(sink -> {
            emitted.addAndGet(FRAME);
            sink.next(ByteBuffer.allocate(FRAME));
        });
        Flux<ByteBuffer> endless = (fused ? generated : generated.hide()).doOnRequest(n -> {
            assertEquals(1, n, "one buffer at a time");
            requests.incrementAndGet();
        });
        send(endless);
        // The stalled socket completes no write: what was taken stays held.
        assertEquals(budget, emitted.get(), "taken until the budget was full");
        assertEquals(budget, outbound.held());
        assertEquals(4, stall.size(), "every full frame was written to the channel");
        stall.completeOne();
        assertEquals(budget + FRAME, emitted.get(), "one write completed: room for one more buffer");
        assertEquals(budget, outbound.held());
        assertEquals(fused ? 0 : 5, requests.get());
    }

    @Test
    void wholeMessagesOfSixteenMebibytesAreTakenOneAtATimeOnlyWhileTheBudgetHasRoom() {
        int budget = 1024 * 1024;
        int big = 16 << 20;
        open(budget, 64 * 1024);
        AtomicInteger built = new AtomicInteger();
        Flux<WebSocketMessage> huge = Flux.generate(sink -> {
            built.incrementAndGet();
            sink.next(WebSocketMessage.binary(ByteBuffer.allocate(big)));
        });
        CompletableFuture<Void> sent = MessageSend.of(outbound, channel.eventLoop(), huge).toFuture();
        assertEquals(1, built.get(), "the first message fills the budget: no second is asked for");
        assertEquals(big, outbound.held());
        for (int i = 0; i < 64; i++) {
            stall.completeOne();
        }
        assertEquals(big - 64 * 64 * 1024, outbound.held(), "4 MiB of it written, the rest held");
        assertEquals(1, built.get(), "still over the budget: no second message");
        assertFalse(sent.isDone());
    }

    @Test
    void aMessageCompletesOnlyWhenItsLastFrameWasWrittenToTheSocket() {
        open(1024);
        CompletableFuture<Void> sent = send(Mono.just(hex("0102030405060708090a")));
        assertEquals(2, stall.size());
        stall.completeOne();
        assertFalse(sent.isDone(), "its first frame alone");
        stall.completeOne();
        assertTrue(sent.isDone() && !sent.isCompletedExceptionally());
    }

    @Test
    void aFailedFrameWriteFailsItsMessageWithTheConnectionsErrorAndTellsTheOwner() {
        open(1024);
        CompletableFuture<Void> first = send(Mono.just(hex("01")));
        CompletableFuture<Void> second = send(Flux.just(hex("02")).concatWith(Flux.never()));
        IOException reset = new IOException("Connection reset by peer");
        stall.failOne(reset);
        assertSame(reset, owner.writeFailures.get(0));
        assertEquals(WebErrorStatus.CONNECTION_RESET, error(first).status());
        assertTrue(second.isCompletedExceptionally(), "the message being written fails too");
    }

    @Test
    void aWriteThatCompletesWhileItIsOnTheStackIsToldOnce() {
        AtomicInteger written = new AtomicInteger();
        open(1024, new ChannelDuplexHandler() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                written.incrementAndGet();
                ((Frame) msg).release();
                promise.setSuccess();
            }
        });
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            sends.add(send(i % 2 == 0 ? Mono.just(hex("0102030405060708090a")) : Mono.just(hex("01")).hide()));
        }
        assertEquals(150, written.get());
        for (CompletableFuture<Void> s : sends) {
            assertTrue(s.isDone() && !s.isCompletedExceptionally());
        }
        assertEquals(0, outbound.held());
    }

    @Test
    void handlersThatListenToWritePromisesWorkAsWithAnyOtherWriter() {
        AtomicInteger heard = new AtomicInteger();
        open(1024, new WriteTimeoutHandler(30), new ChannelDuplexHandler() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                promise.addListener(f -> heard.incrementAndGet());
                ctx.write(msg, promise);
            }
        });
        CompletableFuture<Void> sent = send(Flux.range(0, 10).map(i -> hex("0102030405060708")));
        stall.completeAll();
        assertTrue(sent.isDone() && !sent.isCompletedExceptionally());
        assertEquals(11, heard.get(), "ten frames and the empty final one");
    }

    @Test
    void theCloseGoesAfterTheMessagesQueuedBeforeItAndLaterOnesAreRefused() {
        open(1024);
        Sinks.Many<ByteBuffer> content = Sinks.many().unicast().onBackpressureBuffer();
        CompletableFuture<Void> inFlight = send(content.asFlux());
        CompletableFuture<Void> queued = send(Mono.just(hex("02")));
        outbound.close(Frame.control(Opcode.CLOSE, Unpooled.wrappedBuffer(hex("03e8"))));
        CompletableFuture<Void> after = send(Mono.just(hex("03")));
        assertEquals(WebErrorStatus.CLOSED, error(after).status());
        content.tryEmitNext(hex("01"));
        content.tryEmitComplete();
        stall.completeAll();
        assertEquals(List.of("BINARY:01", "CONTINUATION+fin:", "BINARY+fin:02", "CLOSE+fin:03e8"), written());
        assertTrue(inFlight.isDone() && queued.isDone() && !queued.isCompletedExceptionally());
        assertEquals(1, owner.closesSent.get());
    }

    @Test
    void aMessageSendInProgressAtCloseHasItsTakenMessagesWrittenFirstThenFailsWithClosed() {
        open(1024);
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        Flux<WebSocketMessage> endless = Flux.just(WebSocketMessage.binary(hex("01")), WebSocketMessage.binary(hex("02")))
                .concatWith(Flux.never());
        CompletableFuture<Void> sent = MessageSend.of(outbound, channel.eventLoop(), endless).toFuture();
        outbound.close(Frame.control(Opcode.CLOSE, Unpooled.wrappedBuffer(hex("03e8"))));
        assertFalse(sent.isDone(), "its messages are not written yet");
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        channel.runPendingTasks();
        stall.completeAll();
        assertEquals(List.of("BINARY+fin:01", "BINARY+fin:02", "CLOSE+fin:03e8"), written());
        assertEquals(WebErrorStatus.CLOSED, error(sent).status());
    }

    /**
     * The server has the whole message (its last frame's write completed) and closes before the
     * event loop ran the drain that write queued: the send had nothing more to give, so it
     * completes. Its publisher ({@code Mono.just}, fused) tells that it has nothing more only when
     * polled, which the queued drain would have done; the Close failed the send with {@code CLOSED}
     * (seen with Spring's sample service against a Node sink that closes once it has the message).
     */
    @Test
    void aSendWhoseMessageWasWrittenCompletesThoughTheServerClosesBeforeTheNextDrain() {
        open(1024);
        Sinks.Many<ByteBuffer> content = Sinks.many().unicast().onBackpressureBuffer();
        CompletableFuture<Void> sent = MessageSend.of(outbound, channel.eventLoop(),
                Mono.just(WebSocketMessage.binary(content.asFlux()))).toFuture();
        content.tryEmitNext(hex("0102"));
        content.tryEmitComplete();
        List<String> frames = socketTookAll();
        // No task of the event loop runs in between: the server's Close is read first.
        outbound.terminate(new WebSocketException(WebErrorStatus.CLOSED, "the server closed the connection"));
        assertEquals(List.of("BINARY:0102", "CONTINUATION+fin:"), frames);
        assertTrue(sent.isDone() && !sent.isCompletedExceptionally(), "the send completed: " + sent);
    }

    @Test
    void nothingIsTakenBehindAStreamedMessageThatNeedsTheRoom() {
        int budget = 64;
        open(budget);
        Sinks.Many<ByteBuffer> content = Sinks.many().unicast().onBackpressureBuffer();
        AtomicInteger taken = new AtomicInteger();
        Flux<WebSocketMessage> messages = Flux.concat(Mono.just(WebSocketMessage.binary(content.asFlux())),
                Flux.range(0, 100).map(i -> WebSocketMessage.binary(ByteBuffer.allocate(16))))
                .doOnNext(m -> taken.incrementAndGet());
        CompletableFuture<Void> sent = MessageSend.of(outbound, channel.eventLoop(), messages).toFuture();
        assertEquals(1, taken.get(), "the streamed message is being written: none is taken behind it");
        for (int i = 0; i < 20; i++) {
            content.tryEmitNext(ByteBuffer.allocate(FRAME));
            stall.completeAll();
        }
        content.tryEmitComplete();
        stall.completeAll();
        assertTrue(sent.isDone() && !sent.isCompletedExceptionally(), "every message went");
        assertEquals(101, taken.get());
    }

    @Test
    void messagesWaitingBehindAStreamedMessageAreTakenWhenItsSendIsCancelledBeforeItStarted() {
        open(1024);
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        CompletableFuture<Void> first = send(Mono.just(hex("01")).hide());
        reactor.core.Disposable streamed = MessageSend.of(outbound, channel.eventLoop(),
                Flux.just(WebSocketMessage.binary(Flux.<ByteBuffer>never())).concatWith(Flux.never())).subscribe();
        AtomicInteger taken = new AtomicInteger();
        CompletableFuture<Void> messages = MessageSend.of(outbound, channel.eventLoop(),
                Flux.range(0, 3).map(i -> WebSocketMessage.binary(hex("02"))).doOnNext(m -> taken.incrementAndGet()))
                .toFuture();
        channel.runPendingTasks();
        assertEquals(0, taken.get(), "a streamed message is queued ahead: none is taken behind it");
        streamed.dispose();
        channel.runPendingTasks();
        assertEquals(3, taken.get(), "its send was cancelled before it started: the messages are taken at once");
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        channel.runPendingTasks();
        stall.completeAll();
        assertEquals(List.of("BINARY+fin:01", "BINARY+fin:02", "BINARY+fin:02", "BINARY+fin:02"), written());
        assertTrue(first.isDone() && messages.isDone() && !messages.isCompletedExceptionally());
    }

    private CompletableFuture<Void> send(org.reactivestreams.Publisher<ByteBuffer> content) {
        return new StreamSend(outbound, channel.eventLoop(), content).toFuture();
    }

    private static WebSocketException error(CompletableFuture<Void> f) {
        assertTrue(f.isCompletedExceptionally(), "failed");
        return (WebSocketException) f.handle((v, e) -> e).join();
    }

    private List<String> written() {
        return EmbeddedOutbound.written(channel);
    }

    /**
     * The held writes completed as a socket that took their bytes completes them, and nothing else:
     * an {@link EmbeddedChannel}'s flush would also run the event loop's pending tasks. Released.
     */
    private List<String> socketTookAll() {
        List<String> frames = new ArrayList<>();
        for (Object o : stall.succeedAll()) {
            frames.add(EmbeddedOutbound.describe((Frame) o));
        }
        return frames;
    }

    private static ByteBuffer hex(String hex) {
        return ByteBuffer.wrap(ByteBufUtil.decodeHexDump(hex));
    }
}
