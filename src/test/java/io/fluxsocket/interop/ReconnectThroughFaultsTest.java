package io.fluxsocket.interop;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.Reconnect;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketMessage;
import io.fluxsocket.testing.BytePattern;
import io.fluxsocket.testing.fault.Fault;
import io.fluxsocket.testing.fault.Fault.Direction;
import io.fluxsocket.testing.fault.FaultProxy;
import io.fluxsocket.testing.fault.Link;
import io.fluxsocket.testing.fault.Position;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reconnect helper ({@link Reconnect}) through the {@link FaultProxy} to the independent peers'
 * sinks ({@code fault-server.js}, {@code fault_server.py}, route {@code /sink?ack=1}: each message is
 * acknowledged with the count and SHA-256 of what the server got on the connection, and the
 * server prints them with the close code when the connection ends): a server process killed with
 * SIGKILL and started again on its port, connections cut with RST or FIN inside a message, a
 * half-open stall that only the keep-alive notices, a server that refuses with {@code 503} and
 * {@code Retry-After} or for good with {@code 403}, attempts used up, and a cancel.
 *
 * <p>Each case uploads {@link #MESSAGES} messages of {@link #MESSAGE} bytes (the
 * {@link BytePattern} at their offsets in the upload) through the flux, as an application would:
 * on each connection it sends a message, waits for the server's acknowledgement and sends the
 * next; a new connection resumes at the first message the server did not acknowledge. Checked:
 * the flux yields a new connection after each fault and the upload completes on it; on each
 * connection the server got exactly the messages it acknowledged (count and SHA-256 of the acks and
 * of its {@code SINK} line), the library acknowledged ({@code send} completed) at most the one
 * message in flight more, and no acknowledged message is missing from the upload; the attempts and
 * the delays between them follow the backoff ({@link #MIN_BACKOFF} doubling up to
 * {@link #MAX_BACKOFF}, no jitter, the count starting again after each connection that opened; each
 * delay at least that, and at most that plus {@link #SLACK}); failures that are not transient, or
 * the last one once the attempts are used up, end the flux with their status; cancelling closes the
 * open connection with 1000, as the server sees. Every wait is on a signal (an acknowledgement, an
 * attempt's end, a line of the server) bounded by {@link #HANG}; PARANOID leak detection runs in
 * every test.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReconnectThroughFaultsTest {

    private static final int MESSAGE = 4096;
    private static final int MESSAGES = 7;
    private static final Duration KEEP_ALIVE_INTERVAL = Duration.ofMillis(500);
    private static final Duration KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(50);
    private static final Duration MAX_BACKOFF = Duration.ofMillis(200);
    /** Added to every upper bound: two loaded cores running PARANOID leak detection. */
    private static final Duration SLACK = Duration.ofSeconds(3);
    /** The longest any one step may take before the test calls it a hang. */
    private static final Duration HANG = Duration.ofSeconds(20);

    /** How a connect to the proxy fails while the server behind it is down (the proxy accepts, then closes). */
    private static final Set<WebErrorStatus> SERVER_DOWN = Set.of(WebErrorStatus.CONNECTION_ABORTED,
            WebErrorStatus.CONNECTION_RESET, WebErrorStatus.CLOSED);

    /** With a keep-alive: the only way a half-open connection whose client waits is noticed. */
    private static final WebSocketClient CLIENT = WebSocketClient.builder()
            .connectTimeout(Duration.ofSeconds(5))
            .sendTimeout(Duration.ofSeconds(1))
            .closeTimeout(Duration.ofSeconds(1))
            .keepAlive(KEEP_ALIVE_INTERVAL, KEEP_ALIVE_TIMEOUT)
            .build();

    private static Reconnect backoff(long attempts) {
        return Reconnect.backoff(Retry.backoff(attempts, MIN_BACKOFF).maxBackoff(MAX_BACKOFF).jitter(0));
    }

    /** A fault on every connection, inside the third message's payload (each connection's third data frame). */
    enum Cut {
        RESET(WebErrorStatus.CONNECTION_RESET, CloseStatus.ABNORMAL_CLOSURE),
        FIN(WebErrorStatus.CONNECTION_ABORTED, CloseStatus.ABNORMAL_CLOSURE),
        /** The client's bytes stop (half-open): the keep-alive's Pings go unanswered; it closes 1011. */
        STALL(WebErrorStatus.TIMEOUT, CloseStatus.INTERNAL_ERROR);

        final WebErrorStatus status;
        final int closeCode;

        Cut(WebErrorStatus status, int closeCode) {
            this.status = status;
            this.closeCode = closeCode;
        }

        Fault fault() {
            Position at = Position.framePayload(2, 1000);
            return switch (this) {
                case RESET -> Fault.reset(Direction.UPSTREAM, at);
                case FIN -> Fault.fin(Direction.UPSTREAM, at);
                case STALL -> Fault.stall(Direction.UPSTREAM, at);
            };
        }

        /** How long after the fault the session must have failed, before {@link #SLACK}. */
        Duration bound() {
            return this == STALL ? KEEP_ALIVE_INTERVAL.plus(KEEP_ALIVE_TIMEOUT) : Duration.ZERO;
        }
    }

    static Stream<Arguments> cuts() {
        return Stream.of(Peer.values()).flatMap(p -> Stream.of(Cut.values()).map(c -> Arguments.of(p, c)));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.class)
    void aServerKilledAndStartedAgainIsReconnectedToAfterItsRetryAfterAndTheUploadResumes(Peer peer) throws Exception {
        PeerServer first = startSink(peer, Map.of());
        PeerServer restarted = null;
        try (FaultProxy proxy = FaultProxy.start(first.port())) {
            Upload upload = new Upload(3);
            Attempts attempts = new Attempts();
            CompletableFuture<Void> done = backoff(Long.MAX_VALUE)
                    .messages(attempts.record(CLIENT.connectMessages(proxy.uri("/sink?ack=1"))))
                    .concatMap(upload::session).then().toFuture();
            await(upload.held, "three messages acknowledged");
            first.kill();
            Attempt dropped = attempts.awaitEnd();
            assertEquals(CloseStatus.ABNORMAL_CLOSURE, dropped.closed.code(), dropped::toString);
            for (int i = 0; i < 3; i++) {
                Attempt refused = attempts.awaitEnd();
                assertServerDown(refused);
            }
            // Started again where it was, it asks the first connect to come back in a second.
            restarted = startSink(peer, Map.of("PORT", Integer.toString(first.port()),
                    "REFUSE_STATUS", "503", "REFUSE_COUNT", "1", "RETRY_AFTER", "1"));
            await(done, "the upload to complete");

            List<Attempt> all = attempts.all();
            String where = peer + ": " + all;
            assertTrue(all.size() >= 6, where);
            Attempt refusal = all.get(all.size() - 2);
            Attempt last = all.get(all.size() - 1);
            for (Attempt a : all.subList(1, all.size() - 2)) {
                assertServerDown(a);
            }
            WebSocketException unavailable = assertInstanceOf(WebSocketException.class, refusal.failure, where);
            assertEquals(503, unavailable.httpStatus(), where);
            assertEquals(WebErrorStatus.SERVICE_UNAVAILABLE, unavailable.status(), where);
            assertNotNull(last.connection, where);
            assertEquals(CloseStatus.NORMAL_CLOSURE, last.closed.code(), where);
            assertBackoff(all);
            assertTrue(last.startedAt - refusal.endedAt >= TimeUnit.SECONDS.toNanos(1), "Retry-After 1 s: " + where);
            assertEquals("REFUSED 503", restarted.awaitLine("REFUSED ", HANG));

            List<Segment> segments = upload.segments();
            assertEquals(2, segments.size(), where);
            Segment before = segments.get(0);
            Segment after = segments.get(1);
            // Held after three: what the server acknowledged is what the library did, no more in flight.
            assertSegment(before, 0, 3);
            assertEquals(3L * MESSAGE, before.sent.get());
            assertTrue(SERVER_DOWN.contains(statusOf(before.failure)), () -> "killed: " + before.failure);
            assertSegment(after, 3, MESSAGES - 3);
            assertNull(after.failure);
            assertEquals(sinkLine(3, MESSAGES - 3, CloseStatus.NORMAL_CLOSURE), restarted.awaitLine("SINK ", HANG));
            assertEquals(MESSAGES, upload.acknowledged);
        } finally {
            first.close();
            if (restarted != null) {
                restarted.close();
            }
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cuts")
    void aConnectionCutOrStalledInsideAMessageIsFollowedByANewOneAndTheUploadResumes(Peer peer, Cut cut) throws Exception {
        try (PeerServer sink = startSink(peer, Map.of())) {
            List<String> lines = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            try (FaultProxy proxy = FaultProxy.start(sink.port(), cut.fault())) {
                Upload upload = new Upload(-1);
                Attempts attempts = new Attempts();
                CompletableFuture<Void> done = backoff(Long.MAX_VALUE)
                        .messages(attempts.record(CLIENT.connectMessages(proxy.uri("/sink?ack=1"))))
                        .concatMap(upload::session).then().toFuture();
                await(done, "the upload to complete");

                // Two messages get through on each connection, the third is cut: 0-1, 2-3, 4-5, then 6 alone.
                List<Attempt> all = attempts.all();
                List<Segment> segments = upload.segments();
                List<Link> links = proxy.links();
                String where = peer + ", " + cut + ": " + all + "; " + links;
                assertEquals(4, all.size(), where);
                assertEquals(4, segments.size(), where);
                assertEquals(4, links.size(), where);
                for (int k = 0; k < 3; k++) {
                    Attempt attempt = all.get(k);
                    Segment segment = segments.get(k);
                    assertNotNull(attempt.connection, where);
                    assertEquals(cut.closeCode, attempt.closed.code(), where);
                    assertSegment(segment, 2 * k, 2);
                    // The third message may have been written (acknowledged) and lost with the connection.
                    assertTrue(segment.sent.get() <= 3L * MESSAGE, where);
                    assertEquals(cut.status, statusOf(segment.failure), () -> where + ": " + segment.failure);
                    long faultedAt = links.get(k).faulted().getNow(0L);
                    assertTrue(faultedAt != 0, where + ": the fault never took effect on connection " + k);
                    Duration took = Duration.ofNanos(segment.failedAt - faultedAt);
                    assertTrue(took.compareTo(cut.bound().plus(SLACK)) <= 0, where + ": connection " + k
                            + " failed " + took.toMillis() + " ms after the fault");
                    expected.add(sinkLine(2 * k, 2, CloseStatus.ABNORMAL_CLOSURE));
                }
                assertEquals(CloseStatus.NORMAL_CLOSURE, all.get(3).closed.code(), where);
                assertSegment(segments.get(3), 6, 1);
                assertNull(segments.get(3).failure, where);
                expected.add(sinkLine(6, 1, CloseStatus.NORMAL_CLOSURE));
                assertBackoff(all);
                assertEquals(MESSAGES, upload.acknowledged);
            }
            // A stalled connection's server side ends when the proxy goes: then the server prints it.
            for (int i = 0; i < expected.size(); i++) {
                lines.add(sink.awaitLine("SINK ", HANG));
            }
            assertEquals(expected.stream().sorted().toList(), lines.stream().sorted().toList());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.class)
    void aServerThatStaysDeadEndsTheFluxWithTheLastFailureOnceTheAttemptsAreUsedUp(Peer peer) throws Exception {
        try (PeerServer server = startSink(peer, Map.of()); FaultProxy proxy = FaultProxy.start(server.port())) {
            Upload upload = new Upload(1);
            Attempts attempts = new Attempts();
            CompletableFuture<Void> done = backoff(3)
                    .messages(attempts.record(CLIENT.connectMessages(proxy.uri("/sink?ack=1"))))
                    .concatMap(upload::session).then().toFuture();
            await(upload.held, "a message acknowledged");
            server.kill();
            Throwable error = awaitError(done);

            // The drop and two failed attempts are retried; the third failure is the last.
            List<Attempt> all = attempts.all();
            String where = peer + ": " + all;
            assertEquals(4, all.size(), where);
            assertEquals(CloseStatus.ABNORMAL_CLOSURE, all.get(0).closed.code(), where);
            for (Attempt a : all.subList(1, 4)) {
                assertServerDown(a);
            }
            assertSame(all.get(3).failure, error, where);
            assertBackoff(all);
            assertSegment(upload.segments().get(0), 0, 1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.class)
    void aServerStartedAgainThatRefusesForGoodEndsTheFluxWithItsStatus(Peer peer) throws Exception {
        PeerServer first = startSink(peer, Map.of());
        PeerServer restarted = null;
        try (FaultProxy proxy = FaultProxy.start(first.port())) {
            Upload upload = new Upload(1);
            Attempts attempts = new Attempts();
            CompletableFuture<Void> done = backoff(Long.MAX_VALUE)
                    .messages(attempts.record(CLIENT.connectMessages(proxy.uri("/sink?ack=1"))))
                    .concatMap(upload::session).then().toFuture();
            await(upload.held, "a message acknowledged");
            first.kill();
            assertEquals(CloseStatus.ABNORMAL_CLOSURE, attempts.awaitEnd().closed.code());
            assertServerDown(attempts.awaitEnd());
            restarted = startSink(peer, Map.of("PORT", Integer.toString(first.port()), "REFUSE_STATUS", "403"));
            Throwable error = awaitError(done);

            WebSocketException forbidden = assertInstanceOf(WebSocketException.class, error);
            assertEquals(WebErrorStatus.FORBIDDEN, forbidden.status(), forbidden::toString);
            assertEquals(403, forbidden.httpStatus());
            List<Attempt> all = attempts.all();
            assertSame(all.get(all.size() - 1).failure, error, all::toString);
            for (Attempt a : all.subList(1, all.size() - 1)) {
                assertServerDown(a);
            }
            assertBackoff(all);
            // The one refusal the server made is the flux's end: no attempt after it.
            assertEquals("REFUSED 403", restarted.awaitLine("REFUSED ", HANG));
        } finally {
            first.close();
            if (restarted != null) {
                restarted.close();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.class)
    void cancellingTheFluxClosesTheOpenConnectionWithNormalClosureAsTheServerSees(Peer peer) throws Exception {
        try (PeerServer server = startSink(peer, Map.of()); FaultProxy proxy = FaultProxy.start(server.port())) {
            Upload upload = new Upload(2);
            Attempts attempts = new Attempts();
            Disposable running = backoff(Long.MAX_VALUE)
                    .messages(attempts.record(CLIENT.connectMessages(proxy.uri("/sink?ack=1"))))
                    .concatMap(upload::session)
                    .subscribe();
            await(upload.held, "two messages acknowledged");
            running.dispose();

            Attempt only = attempts.awaitEnd();
            assertEquals(new CloseStatus(CloseStatus.NORMAL_CLOSURE, "", true), only.closed);
            assertEquals(sinkLine(0, 2, CloseStatus.NORMAL_CLOSURE), server.awaitLine("SINK ", HANG));
            proxy.awaitLink(HANG).awaitClosed(HANG);
            assertEquals(1, attempts.all().size(), "no connect after the cancel");
        }
    }

    /**
     * The loop of {@link Reconnect}'s documentation goes on after a connection is lost: the lost
     * connection fails its {@code receive()} with a {@code WebSocketException}, which the
     * application resumes from, as the example does; let out of the {@code concatMap}, it would end
     * the flux with {@code CONNECTION_RESET} at the first drop. Every connection is reset inside the
     * server's first message.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.class)
    void theDocumentedLoopGoesOnAfterALostConnectionFailsItsReceive(Peer peer) {
        try (PeerServer server = startSink(peer, Map.of());
                FaultProxy proxy = FaultProxy.start(server.port(),
                        Fault.reset(Direction.DOWNSTREAM, Position.framePayload(0, 2)))) {
            List<Long> received = backoff(Long.MAX_VALUE)
                    .messages(CLIENT.connectMessages(proxy.uri("/sink?ack=1")))
                    // The application's own first message: the sink answers it (its acknowledgement is cut).
                    .concatMap(ws -> ws.send(Mono.just(WebSocketMessage.binary(BytePattern.chunk(0, MESSAGE))))
                            .thenMany(ws.receive())
                            .onErrorResume(WebSocketException.class, e -> Mono.empty())
                            .count())
                    .take(3)
                    .collectList()
                    .block(HANG);
            assertEquals(List.of(0L, 0L, 0L), received);
            assertEquals(3, proxy.links().stream().filter(l -> l.faulted().isDone()).count(), proxy.links()::toString);
        }
    }

    // ---- the upload ----

    /**
     * An upload of {@link #MESSAGES} messages over the successive connections of a flux: one message
     * at a time, each sent once the server acknowledged the one before; a new connection resumes at
     * the first message the server did not acknowledge. Optionally it holds (sends no more on the
     * connection) once the server acknowledged {@code holdAfter} messages, for the test to act then.
     */
    private static final class Upload {

        private final int holdAfter;
        /** Completed when the server acknowledged {@code holdAfter} messages. */
        final CompletableFuture<Segment> held = new CompletableFuture<>();
        /** The messages the server acknowledged, over all connections (the sessions' threads, one at a time). */
        volatile int acknowledged;
        private final List<Segment> segments = new CopyOnWriteArrayList<>();

        Upload(int holdAfter) {
            this.holdAfter = holdAfter;
        }

        /** The upload's part on one connection; completes when the connection ended, either way. */
        Mono<Void> session(MessageWebSocket ws) {
            return Mono.defer(() -> {
                Segment segment = new Segment(acknowledged);
                segments.add(segment);
                Flux<Void> afterAcks = ws.receive().concatMap(ack -> {
                    segment.acknowledged(ack.text());
                    acknowledged = segment.first + segment.messages();
                    if (acknowledged == holdAfter) {
                        held.complete(segment);
                        return Mono.never();
                    }
                    return next(ws, segment);
                });
                return next(ws, segment).thenMany(afterAcks).then()
                        // The connection failed: the next one resumes; the test checks the failure.
                        .onErrorResume(WebSocketException.class, e -> {
                            segment.failed(e);
                            return Mono.empty();
                        });
            });
        }

        /** Sends the first message not acknowledged, or closes when there is none. */
        private Mono<Void> next(MessageWebSocket ws, Segment segment) {
            int i = acknowledged;
            if (i == MESSAGES) {
                return ws.close();
            }
            return ws.send(Mono.just(WebSocketMessage.binary(BytePattern.chunk((long) i * MESSAGE, MESSAGE))))
                    .doOnSuccess(v -> segment.sent.addAndGet(MESSAGE));
        }

        List<Segment> segments() {
            return List.copyOf(segments);
        }
    }

    /** What one connection of the upload did: where it started, what was sent and acknowledged, how it failed. */
    private static final class Segment {

        /** The message it started at. */
        final int first;
        /** Bytes of the messages whose {@code send} completed (the library's acknowledgement). */
        final AtomicLong sent = new AtomicLong();
        /** The server's last acknowledgement: bytes got on this connection and their SHA-256 (session thread). */
        volatile long serverBytes;
        volatile String serverSha = sha256(0, 0);
        /** The connection's failure, or null, and when it was seen. */
        volatile Throwable failure;
        volatile long failedAt;

        Segment(int first) {
            this.first = first;
        }

        void acknowledged(String ack) {
            String[] fields = ack.split(" ");
            serverBytes = Long.parseLong(fields[0]);
            serverSha = fields[1];
        }

        void failed(Throwable e) {
            failedAt = System.nanoTime();
            failure = e;
        }

        int messages() {
            return (int) (serverBytes / MESSAGE);
        }

        @Override
        public String toString() {
            return "from " + first + ": sent " + sent + ", server " + serverBytes + (failure == null ? "" : ", " + failure);
        }
    }

    /** The server acknowledged exactly {@code count} messages from {@code first} on the segment's connection. */
    private static void assertSegment(Segment segment, int first, int count) {
        assertEquals(first, segment.first, segment::toString);
        assertEquals((long) count * MESSAGE, segment.serverBytes, segment::toString);
        assertEquals(sha256((long) first * MESSAGE, (long) count * MESSAGE), segment.serverSha,
                () -> segment + ": the server got other bytes than the messages sent");
        assertTrue(segment.sent.get() >= segment.serverBytes, () -> segment + ": acknowledged before sent");
    }

    /** The server's line for a connection that got {@code count} messages from {@code first}. */
    private static String sinkLine(int first, int count, int closeCode) {
        return "SINK " + (long) count * MESSAGE + " " + sha256((long) first * MESSAGE, (long) count * MESSAGE) + " " + closeCode;
    }

    // ---- the attempts ----

    /** One subscription to the connect: when it started, and how and when it ended. */
    private static final class Attempt {

        final long startedAt = System.nanoTime();
        /** When the connect failed or the connection closed (set before it is queued as ended). */
        volatile long endedAt;
        volatile Throwable failure;
        volatile MessageWebSocket connection;
        volatile CloseStatus closed;

        boolean opened() {
            return connection != null;
        }

        @Override
        public String toString() {
            return opened() ? "opened, " + (closed == null ? "open" : "closed " + closed.code())
                    : "failed " + (failure instanceof WebSocketException e ? e.status() + "/" + e.httpStatus() : failure);
        }
    }

    /** Records every attempt the flux makes and queues each when it ended, in order. */
    private static final class Attempts {

        private final List<Attempt> all = new CopyOnWriteArrayList<>();
        private final BlockingQueue<Attempt> ended = new LinkedBlockingQueue<>();

        /**
         * {@code connect}, recorded at each subscription. Its signals are seen before the
         * flux's: a failure before the retry sees it; a connection's closeStatus() is subscribed
         * to here first, so its end is recorded before the flux's own subscriber learns it.
         */
        Mono<MessageWebSocket> record(Mono<MessageWebSocket> connect) {
            return Mono.defer(() -> {
                Attempt attempt = new Attempt();
                all.add(attempt);
                return connect
                        .doOnNext(ws -> {
                            attempt.connection = ws;
                            ws.closeStatus().subscribe(status -> {
                                attempt.closed = status;
                                end(attempt);
                            });
                        })
                        .doOnError(e -> {
                            attempt.failure = e;
                            end(attempt);
                        });
            });
        }

        private void end(Attempt attempt) {
            attempt.endedAt = System.nanoTime();
            ended.add(attempt);
        }

        /** The next attempt that ended, in order. */
        Attempt awaitEnd() throws InterruptedException {
            Attempt attempt = ended.poll(HANG.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(attempt, "no attempt ended within " + HANG.toMillis() + " ms; so far " + all);
            return attempt;
        }

        List<Attempt> all() {
            return List.copyOf(all);
        }
    }

    /**
     * The delay before each attempt after the first is the backoff's: {@link #MIN_BACKOFF} doubled
     * for each failure in a row, up to {@link #MAX_BACKOFF} (the count starts again after an
     * attempt that opened), after a {@code Retry-After}; at least that, at most that plus {@link #SLACK}.
     */
    private static void assertBackoff(List<Attempt> attempts) {
        int inARow = 0;
        for (int i = 1; i < attempts.size(); i++) {
            Attempt before = attempts.get(i - 1);
            inARow = before.opened() ? 0 : inARow + 1;
            Duration expected = backoffDelay(inARow);
            if (before.failure instanceof WebSocketException e) {
                Duration retryAfter = e.handshakeResponse().flatMap(r -> r.firstValue("Retry-After"))
                        .map(v -> Duration.ofSeconds(Long.parseLong(v.trim()))).orElse(Duration.ZERO);
                expected = expected.plus(retryAfter);
            }
            Duration gap = Duration.ofNanos(attempts.get(i).startedAt - before.endedAt);
            String where = "attempt " + i + " of " + attempts + ": " + gap.toMillis() + " ms after the one before, expected "
                    + expected.toMillis() + " ms";
            assertTrue(gap.compareTo(expected) >= 0, where);
            assertTrue(gap.compareTo(expected.plus(SLACK)) <= 0, where);
        }
    }

    /** The backoff's delay for a retry after {@code inARow} failures in a row (from 0, the first). */
    private static Duration backoffDelay(int inARow) {
        Duration delay = MIN_BACKOFF.multipliedBy(1L << Math.min(inARow, 20));
        return delay.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : delay;
    }

    private static void assertServerDown(Attempt attempt) {
        assertTrue(!attempt.opened() && SERVER_DOWN.contains(statusOf(attempt.failure)),
                () -> "a connect while the server is down: " + attempt + ", " + attempt.failure);
    }

    // ---- helpers ----

    private static PeerServer startSink(Peer peer, Map<String, String> environment) {
        return PeerServer.start(peer, peer == Peer.NODE_WS ? "fault-server.js" : "fault_server.py", environment);
    }

    private static WebErrorStatus statusOf(Throwable e) {
        return e instanceof WebSocketException w ? w.status() : null;
    }

    private static <T> T await(CompletableFuture<T> future, String what) throws InterruptedException {
        try {
            return future.get(HANG.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("failed waiting for " + what, e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no " + what + " within " + HANG.toMillis() + " ms");
        }
    }

    private static Throwable awaitError(CompletableFuture<?> future) throws InterruptedException {
        try {
            Object value = future.get(HANG.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("the flux completed (" + value + ") instead of failing");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("the flux did not end within " + HANG.toMillis() + " ms");
        }
    }

    /** The hex SHA-256 of {@code length} bytes of the pattern from {@code offset}. */
    private static String sha256(long offset, long length) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (long done = 0; done < length; done += MESSAGE) {
                ByteBuffer chunk = BytePattern.chunk(offset + done, (int) Math.min(MESSAGE, length - done));
                digest.update(chunk);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
