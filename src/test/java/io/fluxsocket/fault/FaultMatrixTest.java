package io.fluxsocket.fault;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketMessage;
import io.fluxsocket.io.WebSocketIOException;
import io.fluxsocket.testing.BytePattern;
import io.fluxsocket.testing.TestServer;
import io.fluxsocket.testing.fault.Fault;
import io.fluxsocket.testing.fault.Fault.Direction;
import io.fluxsocket.testing.fault.FaultProxy;
import io.fluxsocket.testing.fault.Link;
import io.fluxsocket.testing.fault.Position;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every fault of the {@link FaultProxy} against every shape of the API, between the client and an
 * in-process server: the outcome is normal completion where the fault is harmless (latency,
 * throttle, drip) and otherwise a {@link WebSocketException} of the fault's status within the
 * bound that applies; no hang (every wait is bounded); no leaked buffer (PARANOID leak detection
 * runs in every test); and no send completed for bytes the server did not get, as far as TCP lets
 * a client know (see {@link #assertNoSendAcknowledgedBeyondWhatTheServerGot}).
 *
 * <p>The bounds, each plus {@link #SLACK} for a loaded machine: a cut (RST or FIN) is seen by the
 * next socket read, at once; a stalled download by the keep-alive, within its interval plus its
 * timeout; a stalled upload by the send timeout, within 1.25 times it after the last write progress
 * (the kernel buffers between the client and the proxy fill first, at memory speed).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FaultMatrixTest {

    /** Generous: a drip of 1 B/ms takes the ~400 bytes of the handshake a while on a loaded machine. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(1);
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);
    static final Duration KEEP_ALIVE_INTERVAL = Duration.ofMillis(500);
    static final Duration KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(1);
    /** Added to every bound: two loaded cores running PARANOID leak detection. */
    static final Duration SLACK = Duration.ofSeconds(3);
    /** The longest any one step may take before the test calls it a hang. */
    static final Duration HANG = Duration.ofSeconds(20);

    /** The frame size of the server's pushes and of the client's sends (one frame per send). */
    static final int FRAME = 4096;
    /** Frames pushed, or sends made, when the fault lets the exchange finish. */
    static final int FRAMES = 16;
    /** Under a drip, one byte a millisecond: fewer, smaller frames. */
    static final int DRIP_FRAME = 64;
    static final int DRIP_FRAMES = 4;
    /** A send loop under a terminal fault stops here: sends still completing this far is a bug. */
    static final long SEND_CAP = 64L << 20;
    /**
     * The most a send from the event loop may write after a server's FIN, as the proxy counts it
     * (it reads and drops what comes after): 1 ms of the event loop's writing and what its flush
     * had at hand, generously. It was 5-64 MiB while the FIN waited up to 1 s behind the send.
     */
    static final long WRITTEN_AFTER_FIN = 4L << 20;
    /** The proxy's receive buffer for the client's bytes (SO_RCVBUF; the kernel doubles it). */
    static final int PROXY_RECEIVE_BUFFER = 64 * 1024;

    /** Receives with a keep-alive: the only way a stalled download is noticed. */
    static final WebSocketClient RECEIVING = WebSocketClient.builder()
            .connectTimeout(CONNECT_TIMEOUT).sendTimeout(SEND_TIMEOUT).closeTimeout(CLOSE_TIMEOUT)
            .keepAlive(KEEP_ALIVE_INTERVAL, KEEP_ALIVE_TIMEOUT)
            .maxFramePayload(FRAME)
            .build();
    /** Sends without a keep-alive, so that a stalled upload is the send timeout's to notice. */
    static final WebSocketClient SENDING = WebSocketClient.builder()
            .connectTimeout(CONNECT_TIMEOUT).sendTimeout(SEND_TIMEOUT).closeTimeout(CLOSE_TIMEOUT)
            .maxFramePayload(FRAME)
            .build();

    /** A fault injected on the direction the shape's data flows in (both ways for timing faults). */
    enum Injected {
        LATENCY(null) {
            @Override
            Fault[] faults(Direction data) {
                return new Fault[] {Fault.latency(data, Duration.ofMillis(15), Duration.ofMillis(10)),
                        Fault.latency(data.reverse(), Duration.ofMillis(15), Duration.ofMillis(10))};
            }
        },
        THROTTLE(null) {
            @Override
            Fault[] faults(Direction data) {
                return new Fault[] {Fault.throttle(data, 512 * 1024), Fault.throttle(data.reverse(), 512 * 1024)};
            }
        },
        DRIP(null) {
            @Override
            Fault[] faults(Direction data) {
                return new Fault[] {Fault.drip(data, Duration.ofMillis(1)), Fault.drip(data.reverse(), Duration.ofMillis(1))};
            }
        },
        RESET_IN_FRAME_HEADER(WebErrorStatus.CONNECTION_RESET) {
            @Override
            Fault[] faults(Direction data) {
                return new Fault[] {Fault.reset(data, Position.frameHeader(2, 1))};
            }
        },
        RESET_IN_PAYLOAD(WebErrorStatus.CONNECTION_RESET) {
            @Override
            Fault[] faults(Direction data) {
                return new Fault[] {Fault.reset(data, Position.framePayload(2, 1000))};
            }
        },
        FIN_IN_FRAME_HEADER(WebErrorStatus.CONNECTION_ABORTED) {
            @Override
            Fault[] faults(Direction data) {
                return new Fault[] {Fault.fin(data, Position.frameHeader(2, 3))};
            }
        },
        FIN_IN_PAYLOAD(WebErrorStatus.CONNECTION_ABORTED) {
            @Override
            Fault[] faults(Direction data) {
                return new Fault[] {Fault.fin(data, Position.framePayload(2, 1000))};
            }
        },
        STALL_IN_PAYLOAD(WebErrorStatus.TIMEOUT) {
            @Override
            Fault[] faults(Direction data) {
                return new Fault[] {Fault.stall(data, Position.framePayload(2, 1000))};
            }
        };

        /** The status the shape must fail with, or null: it must complete normally. */
        final WebErrorStatus expected;

        Injected(WebErrorStatus expected) {
            this.expected = expected;
        }

        abstract Fault[] faults(Direction data);

        int frame() {
            return this == DRIP ? DRIP_FRAME : FRAME;
        }

        int frames() {
            return this == DRIP ? DRIP_FRAMES : FRAMES;
        }

        /**
         * The close code {@code closeStatus()} reports: 1011 for the keep-alive's timeout (the
         * client sends it), 1006 (none) for a lost transport and for the send timeout (the socket
         * is stuck: no Close can be written).
         */
        int closeCode(Shape shape) {
            return this == STALL_IN_PAYLOAD && shape.data == Direction.DOWNSTREAM ? CloseStatus.INTERNAL_ERROR : 1006;
        }

        /** How long after the fault took effect the shape must have failed (before {@link #SLACK}). */
        Duration bound(Shape shape) {
            if (this != STALL_IN_PAYLOAD) {
                return Duration.ZERO;
            }
            return shape.data == Direction.DOWNSTREAM
                    ? KEEP_ALIVE_INTERVAL.plus(KEEP_ALIVE_TIMEOUT)
                    : SEND_TIMEOUT.multipliedBy(5).dividedBy(4);
        }
    }

    /** What a shape saw: its error (null if it completed) and when, and the bytes it got or had acknowledged. */
    record Outcome(Throwable error, long errorNanos, long bytes, int cutMessages) {
    }

    /** A way to use a connection. */
    enum Shape {
        STREAM_RECEIVE(Direction.DOWNSTREAM),
        STREAM_SEND(Direction.UPSTREAM),
        MESSAGE_RECEIVE(Direction.DOWNSTREAM),
        MESSAGE_SEND(Direction.UPSTREAM),
        BLOCKING_INPUT_STREAM(Direction.DOWNSTREAM),
        BLOCKING_OUTPUT_STREAM(Direction.UPSTREAM);

        /** Where the shape's data flows. */
        final Direction data;

        Shape(Direction data) {
            this.data = data;
        }

        boolean message() {
            return this == MESSAGE_RECEIVE || this == MESSAGE_SEND;
        }
    }

    /** A FIN while a reactive send streams from a publisher on the event loop: see {@link #finWhileSending}. */
    static boolean finWhileSendingReactively(Injected fault, Shape shape) {
        return (fault == Injected.FIN_IN_FRAME_HEADER || fault == Injected.FIN_IN_PAYLOAD)
                && (shape == Shape.STREAM_SEND || shape == Shape.MESSAGE_SEND);
    }

    static Stream<Arguments> cases() {
        return Stream.of(Injected.values()).flatMap(f -> Stream.of(Shape.values())
                .filter(s -> !finWhileSendingReactively(f, s))
                .map(s -> Arguments.of(f, s)));
    }

    static Stream<Arguments> finWhileSending() {
        return Stream.of(Injected.values()).flatMap(f -> Stream.of(Shape.values())
                .filter(s -> finWhileSendingReactively(f, s))
                .map(s -> Arguments.of(f, s)));
    }

    @ParameterizedTest(name = "{0} × {1}")
    @MethodSource("cases")
    void aFaultEndsEveryShapeTypedAndPromptlyAndNoSendIsAcknowledgedForLostBytes(Injected fault, Shape shape)
            throws Exception {
        check(fault, shape);
    }

    /**
     * The same check for a server's FIN (no Close frame) while {@code send} streams messages whose
     * publisher emits on the event loop (a {@code concatMap} of sends of {@code Mono.fromSupplier}),
     * which keeps the event loop busy: the FIN is still read at its next socket poll, within the
     * same bound as any cut, and the client writes at most {@link #WRITTEN_AFTER_FIN} after it
     * (it went on writing for 1-4 s, 5-64 MiB, while the send held back the event loop's reads).
     */
    @ParameterizedTest(name = "{0} × {1}")
    @MethodSource("finWhileSending")
    void aFinWhileSendingEndsTheSendsWithConnectionAbortedPromptly(Injected fault, Shape shape) throws Exception {
        check(fault, shape);
    }

    /**
     * Regression: a write that fails because Netty closed the channel on the server's FIN (its
     * pending writes fail with {@code ClosedChannelException}) reports {@code CONNECTION_ABORTED},
     * as a FIN is reported when no write is pending, not {@code CONNECTION_RESET} "the connection
     * was lost: null". The send is endless and emits on the event loop, so writes are pending when
     * the FIN is read; how late that is, is {@link #aFinWhileSendingEndsTheSendsWithConnectionAbortedPromptly}'s
     * matter, so the only bound here is {@link #HANG}.
     */
    @Test
    void aFinReadWhileWritesArePendingFailsTheSendWithConnectionAborted() {
        try (SinkServer sink = new SinkServer();
                FaultProxy proxy = FaultProxy.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), sink.port()),
                        Fault.fin(Direction.UPSTREAM, Position.framePayload(2, 1000)))) {
            StreamWebSocket ws = SENDING.connect(proxy.uri("/")).block(HANG);
            assertNotNull(ws);
            long[] offset = {0};
            Flux<ByteBuffer> endless = Flux.generate(next -> {
                next.next(BytePattern.chunk(offset[0], FRAME));
                offset[0] += FRAME;
            });
            WebSocketException e = org.junit.jupiter.api.Assertions.assertThrows(WebSocketException.class,
                    () -> ws.send(endless).block(HANG));
            assertEquals(WebErrorStatus.CONNECTION_ABORTED, e.status(), e::toString);
            assertEquals(new CloseStatus(1006, "", false), ws.closeStatus().block(HANG));
        }
    }

    /** A fault inside the server's 101 response (its 20th byte), for each way to connect. */
    static Stream<Arguments> handshakeFaults() {
        return Stream.of(
                Arguments.of(Fault.Kind.RESET, WebErrorStatus.CONNECTION_RESET),
                Arguments.of(Fault.Kind.FIN, WebErrorStatus.CONNECTION_ABORTED),
                Arguments.of(Fault.Kind.STALL, WebErrorStatus.TIMEOUT))
                .flatMap(a -> Stream.of(true, false).map(m -> Arguments.of(a.get()[0], a.get()[1], m)));
    }

    /**
     * A fault during the opening handshake fails {@code connect}/{@code connectMessages} typed:
     * a cut at once, a stall within the connect timeout (plus {@link #SLACK}); no connection is
     * emitted.
     */
    @ParameterizedTest(name = "{0} in the 101 response, message mode {2}")
    @MethodSource("handshakeFaults")
    void aFaultInTheHandshakeFailsTheConnectTypedWithinTheConnectTimeout(Fault.Kind kind, WebErrorStatus expected,
            boolean messageMode) {
        Duration connectTimeout = Duration.ofSeconds(1);
        WebSocketClient client = WebSocketClient.builder().connectTimeout(connectTimeout).build();
        Position at = Position.stream(20);
        Fault fault = switch (kind) {
            case RESET -> Fault.reset(Direction.DOWNSTREAM, at);
            case FIN -> Fault.fin(Direction.DOWNSTREAM, at);
            default -> Fault.stall(Direction.DOWNSTREAM, at);
        };
        try (SinkServer sink = new SinkServer();
                FaultProxy proxy = FaultProxy.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), sink.port()),
                        fault)) {
            Mono<?> connecting = messageMode ? client.connectMessages(proxy.uri("/")) : client.connect(proxy.uri("/"));
            Throwable error = null;
            long failedAt = 0;
            try {
                Object connected = connecting.block(HANG);
                fail("connected through " + fault + ": " + connected);
            } catch (RuntimeException e) {
                failedAt = System.nanoTime();
                error = unwrap(e);
            }
            Throwable failure = error;
            assertEquals(expected, statusOf(failure), () -> fault + ": " + failure);
            long faultedAt = proxy.awaitLink(HANG).faulted().getNow(0L);
            assertTrue(faultedAt != 0, "the fault never took effect");
            Duration bound = (kind == Fault.Kind.STALL ? connectTimeout : Duration.ZERO).plus(SLACK);
            Duration took = Duration.ofNanos(failedAt - faultedAt);
            assertTrue(took.compareTo(bound) <= 0, fault + ": failed " + took.toMillis() + " ms after it, bound "
                    + bound.toMillis() + " ms");
        }
    }

    private void check(Injected fault, Shape shape) throws Exception {
        boolean receiving = shape.data == Direction.DOWNSTREAM;
        SinkServer sink = receiving ? null : new SinkServer();
        TestServer pusher = receiving ? TestServer.pushing(fault.frames(), fault.frame()) : null;
        int serverPort = receiving ? pusher.port() : sink.port();
        try (FaultProxy proxy = FaultProxy.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort),
                PROXY_RECEIVE_BUFFER, fault.faults(shape.data))) {
            URI uri = proxy.uri("/");
            WebSocketClient client = receiving ? RECEIVING : SENDING;
            long total = fault.expected == null ? (long) fault.frames() * fault.frame() : SEND_CAP;

            Outcome outcome;
            Mono<CloseStatus> closeStatus;
            if (shape.message()) {
                MessageWebSocket ws = client.connectMessages(uri).block(HANG);
                assertNotNull(ws);
                closeStatus = ws.closeStatus();
                outcome = receiving ? receiveMessages(ws, fault.frame()) : sendMessages(ws, fault.frame(), total);
                if (outcome.error() == null && !receiving) {
                    ws.close().block(HANG);
                }
            } else {
                StreamWebSocket ws = client.connect(uri).block(HANG);
                assertNotNull(ws);
                closeStatus = ws.closeStatus();
                outcome = switch (shape) {
                    case STREAM_RECEIVE -> receive(ws);
                    case STREAM_SEND -> send(ws, fault.frame(), total);
                    case BLOCKING_INPUT_STREAM -> read(ws);
                    default -> write(ws, fault.frame(), total);
                };
                if (outcome.error() == null && !receiving) {
                    ws.close().block(HANG);
                }
            }
            Link link = proxy.awaitLink(HANG);
            CloseStatus status = closeStatus.block(HANG);
            assertNotNull(status, "closeStatus() completed empty");
            String where = fault + " × " + shape + ": " + outcome + "; " + link;

            // One line per case for the fault matrix of the note (the report's output file).
            System.out.printf("MATRIX %s %s %s %s %d%n", fault, shape,
                    outcome.error() == null ? "completed" : statusOf(outcome.error()), status.code(),
                    outcome.error() == null ? -1 : link.faulted().isDone()
                            ? (outcome.errorNanos() - link.faulted().getNow(0L)) / 1_000_000 : -1);
            if (fault.expected == null) {
                if (outcome.error() != null) {
                    throw new AssertionError(where + ": failed under a harmless fault", outcome.error());
                }
                assertEquals(total, outcome.bytes(), where);
                assertEquals(CloseStatus.NORMAL_CLOSURE, status.code(), where + ": " + status);
                if (!receiving) {
                    SinkServer.Received got = sink.received();
                    assertEquals(new SinkServer.Received(total, patternSha256(total)), got, where);
                }
                return;
            }
            assertNotNull(outcome.error(), where + ": completed though the connection was " + fault);
            assertEquals(fault.expected, statusOf(outcome.error()), () -> where + ": " + outcome.error());
            Long faultedAt = link.faulted().getNow(null);
            assertNotNull(faultedAt, where + ": the fault never took effect");
            Duration took = Duration.ofNanos(outcome.errorNanos() - faultedAt);
            Duration bound = fault.bound(shape).plus(SLACK);
            assertTrue(took.compareTo(bound) <= 0, where + ": failed " + took.toMillis() + " ms after the fault, bound "
                    + bound.toMillis() + " ms");
            assertEquals(fault.closeCode(shape), status.code(), where + ": " + status);
            assertFalse(status.remote(), where + ": " + status);
            if (receiving) {
                // A cut in frame 2 lets at most frames 0 and 1 and part of 2 through; a whole
                // message is never delivered cut short.
                assertTrue(outcome.bytes() < 3L * fault.frame(), where);
                assertEquals(0, outcome.cutMessages(), where + ": a message was delivered cut short");
            } else {
                long dropped = link.snapshot(Direction.UPSTREAM).dropped();
                // The server's end closes once the proxy is gone: then what it got is final.
                proxy.close();
                System.out.printf("ACKED %s %s acknowledged %d got %d dropped %d%n", fault, shape, outcome.bytes(),
                        sink.received().bytes(), dropped);
                assertNoSendAcknowledgedBeyondWhatTheServerGot(where, outcome.bytes(), sink, dropped);
                if (finWhileSendingReactively(fault, shape)) {
                    // The FIN is read at the event loop's next socket poll, which a busy send no
                    // longer holds back (LoopSlice): what the client wrote after it is bounded.
                    assertTrue(dropped <= WRITTEN_AFTER_FIN, where + ": " + dropped
                            + " bytes written after the FIN (the proxy dropped them), bound " + WRITTEN_AFTER_FIN);
                }
            }
        } finally {
            if (sink != null) {
                sink.close();
            }
            if (pusher != null) {
                pusher.close();
            }
        }
    }

    /**
     * What the server got is a prefix of what the client sent (the same SHA-256 as the pattern's
     * first bytes), and the client had no more acknowledged than that plus the bytes that were
     * between them when the connection was cut: those the proxy read and dropped (counted), those
     * its kernel held unread (at most twice {@link #PROXY_RECEIVE_BUFFER}), and those the client's
     * kernel held unsent (at most the largest TCP send buffer, {@code tcp_wmem}'s maximum). A
     * send's completion means "written to the socket"; TCP tells a sender no more.
     */
    static void assertNoSendAcknowledgedBeyondWhatTheServerGot(String where, long acknowledged, SinkServer sink,
            long dropped) {
        SinkServer.Received got = sink.received();
        assertEquals(patternSha256(got.bytes()), got.sha256(), where + ": the server got bytes the client never sent");
        long inBetween = dropped + 2L * PROXY_RECEIVE_BUFFER + maxSendBufferBytes();
        assertTrue(acknowledged <= got.bytes() + inBetween, where + ": " + acknowledged
                + " bytes acknowledged, the server got " + got.bytes() + ", at most " + inBetween + " were in between");
        assertTrue(acknowledged < SEND_CAP, where + ": sends kept completing after the connection was lost");
    }

    // ---- the shapes ----

    static Outcome receive(StreamWebSocket ws) {
        BytePattern.Checker checker = new BytePattern.Checker();
        long[] errorNanos = {0};
        Throwable error = null;
        try {
            ws.receive().doOnNext(checker::accept).doOnError(e -> errorNanos[0] = System.nanoTime()).blockLast(HANG);
        } catch (RuntimeException e) {
            error = unwrap(e);
        }
        return new Outcome(error, errorNanos[0], checker.offset(), 0);
    }

    static Outcome receiveMessages(MessageWebSocket ws, int frame) {
        BytePattern.Checker checker = new BytePattern.Checker();
        long[] errorNanos = {0};
        int[] cut = {0};
        Throwable error = null;
        try {
            ws.receive().doOnNext(m -> {
                if (m.payload().remaining() != frame) {
                    cut[0]++;
                }
                checker.accept(m.payload());
            }).doOnError(e -> errorNanos[0] = System.nanoTime()).blockLast(HANG);
        } catch (RuntimeException e) {
            error = unwrap(e);
        }
        return new Outcome(error, errorNanos[0], checker.offset(), cut[0]);
    }

    static Outcome read(StreamWebSocket ws) {
        BytePattern.Checker checker = new BytePattern.Checker();
        byte[] buffer = new byte[8192];
        try (InputStream in = ws.inputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                checker.accept(ByteBuffer.wrap(buffer, 0, n));
            }
            return new Outcome(null, 0, checker.offset(), 0);
        } catch (IOException e) {
            return new Outcome(e, System.nanoTime(), checker.offset(), 0);
        }
    }

    static Outcome send(StreamWebSocket ws, int frame, long total) {
        AtomicLong acknowledged = new AtomicLong();
        long[] errorNanos = {0};
        Throwable error = null;
        try {
            Flux.range(0, (int) (total / frame))
                    .concatMap(i -> ws.send(Mono.fromSupplier(() -> BytePattern.chunk((long) i * frame, frame)))
                            .doOnSuccess(v -> acknowledged.addAndGet(frame)))
                    .doOnError(e -> errorNanos[0] = System.nanoTime())
                    .then()
                    .block(HANG);
        } catch (RuntimeException e) {
            error = unwrap(e);
        }
        return new Outcome(error, errorNanos[0], acknowledged.get(), 0);
    }

    static Outcome sendMessages(MessageWebSocket ws, int frame, long total) {
        AtomicLong acknowledged = new AtomicLong();
        long[] errorNanos = {0};
        Throwable error = null;
        try {
            Flux.range(0, (int) (total / frame))
                    .concatMap(i -> ws.send(Mono.fromSupplier(
                                    () -> WebSocketMessage.binary(BytePattern.chunk((long) i * frame, frame))))
                            .doOnSuccess(v -> acknowledged.addAndGet(frame)))
                    .doOnError(e -> errorNanos[0] = System.nanoTime())
                    .then()
                    .block(HANG);
        } catch (RuntimeException e) {
            error = unwrap(e);
        }
        return new Outcome(error, errorNanos[0], acknowledged.get(), 0);
    }

    /** Writes a frame's worth and flushes, again and again: a flush that returned acknowledges its bytes. */
    static Outcome write(StreamWebSocket ws, int frame, long total) {
        long acknowledged = 0;
        try {
            OutputStream out = ws.outputStream();
            while (acknowledged < total) {
                out.write(BytePattern.chunk(acknowledged, frame).array());
                out.flush();
                acknowledged += frame;
            }
            out.close();
            return new Outcome(null, 0, acknowledged, 0);
        } catch (IOException e) {
            return new Outcome(e, System.nanoTime(), acknowledged, 0);
        }
    }

    // ---- helpers ----

    /** {@code block()} throws a runtime exception as it is, and wraps a checked one. */
    static Throwable unwrap(RuntimeException e) {
        if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).startsWith("Timeout on blocking")) {
            fail("hang: nothing ended within " + HANG.toSeconds() + " s", e);
        }
        return e;
    }

    /** The status of a typed failure: a {@link WebSocketException} or the blocking streams' {@link WebSocketIOException}. */
    static WebErrorStatus statusOf(Throwable error) {
        if (error instanceof WebSocketException e) {
            return e.status();
        }
        if (error instanceof WebSocketIOException e) {
            return e.status();
        }
        throw new AssertionError("an untyped failure", error);
    }

    /** The SHA-256 of the first {@code bytes} bytes of {@link BytePattern}. */
    static String patternSha256(long bytes) {
        MessageDigest digest = SinkServer.sha256();
        for (long offset = 0; offset < bytes; offset += 65536) {
            digest.update(BytePattern.chunk(offset, (int) Math.min(65536, bytes - offset)));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The most a TCP socket's send buffer can grow to here: tcp_wmem's maximum, 4 MiB if unknown. */
    static long maxSendBufferBytes() {
        try {
            String[] wmem = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_wmem")).trim().split("\\s+");
            return Long.parseLong(wmem[2]);
        } catch (IOException | RuntimeException e) {
            return 4L << 20;
        }
    }
}
