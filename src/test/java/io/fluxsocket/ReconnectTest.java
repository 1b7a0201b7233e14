package io.fluxsocket;

import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Publisher;

import java.net.URI;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;
import reactor.test.StepVerifier;
import reactor.util.retry.Retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reconnect helper against a real server (Reactor Netty) that scripts each connection: closes
 * with a code, refuses the handshake, stays open, or is stopped and started again on its port.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReconnectTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private static final WebSocketClient CLIENT = WebSocketClient.builder()
            .connectTimeout(Duration.ofSeconds(2))
            .closeTimeout(Duration.ofSeconds(2))
            .build();

    /** Quick backoff for the tests: 20 ms, doubling, at most 100 ms, no jitter. */
    private static Reconnect quick(long attempts) {
        return Reconnect.backoff(Retry.backoff(attempts, Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(100)).jitter(0));
    }

    @Test
    void aConnectionClosedWithATransientCodeIsFollowedByANewOneUntilANormalClose() {
        try (Scripted server = new Scripted(n -> n <= 3 ? closeWith(n == 1 ? 1001 : n == 2 ? 1011 : 1012)
                : closeWith(1000))) {
            List<CloseStatus> ends = new CopyOnWriteArrayList<>();
            // One attempt in a row is enough: the count starts again after each connection that opened.
            StepVerifier.create(quick(1).streams(CLIENT.connect(server.uri()))
                            .concatMap(ws -> ws.closeStatus().doOnNext(ends::add)))
                    .expectNextCount(4)
                    .verifyComplete();
            assertEquals(List.of(1001, 1011, 1012, 1000), ends.stream().map(CloseStatus::code).toList());
            assertEquals(4, server.accepted.get());
        }
    }

    @Test
    void aPolicyViolationEndsTheFluxWithoutAnotherConnection() {
        try (Scripted server = new Scripted(n -> closeWith(1008))) {
            StepVerifier.create(quick(5).messages(CLIENT.connectMessages(server.uri())))
                    .expectNextCount(1)
                    .verifyComplete();
            assertEquals(1, server.accepted.get());
        }
    }

    @Test
    void aServerThatIsStoppedAndStartedAgainIsReconnectedTo() throws Exception {
        Scripted server = new Scripted(n -> n == 1 ? closeWith(1001) : stayOpen());
        int port = server.port();
        server.close();
        List<StreamWebSocket> opened = new CopyOnWriteArrayList<>();
        List<Throwable> refused = new CopyOnWriteArrayList<>();
        // Attempts against the stopped server fail with CANNOT_CONNECT and are tried again.
        Disposable running = Reconnect.backoff(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(50))
                        .maxBackoff(Duration.ofMillis(200)).jitter(0))
                .streams(CLIENT.connect(URI.create("ws://127.0.0.1:" + port + "/")).doOnError(refused::add))
                .subscribe(opened::add);
        try {
            // Three attempts refused, each tried again: then the server comes back.
            awaitSize(refused, 3);
            assertTrue(opened.isEmpty());
            assertEquals(WebErrorStatus.CANNOT_CONNECT, ((WebSocketException) refused.get(0)).status());
            try (Scripted restarted = new Scripted(port, n -> n == 1 ? closeWith(1001) : stayOpen())) {
                awaitSize(opened, 2);
                assertEquals(2, opened.size());
                assertEquals(2, restarted.accepted.get(), "one dropped with 1001, one open");
                assertEquals(1001, opened.get(0).closeStatus().block(WAIT).code());
            }
        } finally {
            running.dispose();
        }
    }

    @Test
    void unauthorizedIsNotTriedAgain() {
        try (Scripted server = new Scripted(n -> refuse(401, null))) {
            StepVerifier.create(quick(5).streams(CLIENT.connect(server.uri())))
                    .expectErrorSatisfies(e -> {
                        WebSocketException failure = assertInstanceOf(WebSocketException.class, e);
                        assertEquals(WebErrorStatus.UNAUTHORIZED, failure.status());
                    })
                    .verify(WAIT);
            assertEquals(1, server.accepted.get());
        }
    }

    @Test
    void serverErrorsAreTriedAgainUntilTheAttemptsAreUsedUpAndTheLastFailureIsTheError() {
        try (Scripted server = new Scripted(n -> refuse(502, null))) {
            StepVerifier.create(quick(2).streams(CLIENT.connect(server.uri())))
                    .expectErrorSatisfies(e -> {
                        WebSocketException failure = assertInstanceOf(WebSocketException.class, e);
                        assertEquals(502, failure.httpStatus());
                    })
                    .verify(WAIT);
            assertEquals(3, server.accepted.get(), "the first attempt and two more");
        }
    }

    @Test
    void retryAfterIsWaitedForBeforeTheNextAttempt() {
        try (Scripted server = new Scripted(n -> n == 1 ? refuse(503, "1") : stayOpen())) {
            StepVerifier.create(quick(3).streams(CLIENT.connect(server.uri())).take(1))
                    .expectNextCount(1)
                    .verifyComplete();
            assertEquals(2, server.accepted.get());
            long gap = server.acceptedAtNanos.get(1) - server.acceptedAtNanos.get(0);
            // A lower bound only: the next attempt never comes before the server said.
            assertTrue(gap >= TimeUnit.MILLISECONDS.toNanos(1000), "second attempt after " + gap / 1_000_000 + " ms");
        }
    }

    @Test
    void cancellingClosesTheOpenConnection() {
        try (Scripted server = new Scripted(n -> stayOpen())) {
            StreamWebSocket ws = quick(3).streams(CLIENT.connect(server.uri())).blockFirst(WAIT);
            // blockFirst cancelled the flux once it had the first connection.
            CloseStatus status = ws.closeStatus().block(WAIT);
            assertEquals(1000, status.code());
            assertEquals(1, server.accepted.get());
        }
    }

    @Test
    void eachSubscriptionHasItsOwnConnections() {
        try (Scripted server = new Scripted(n -> closeWith(1000))) {
            Flux<StreamWebSocket> flux = quick(1).streams(CLIENT.connect(server.uri()));
            StepVerifier.create(flux).expectNextCount(1).verifyComplete();
            StepVerifier.create(flux).expectNextCount(1).verifyComplete();
            assertEquals(2, server.accepted.get());
        }
    }

    @Test
    void theDefaultRulesSayWhatIsTransient() {
        for (int code : new int[] {1001, 1006, 1011, 1012, 1013, 1014}) {
            assertTrue(Reconnect.isTransient(new CloseStatus(code, "", true)), "close " + code);
        }
        for (int code : new int[] {1000, 1002, 1003, 1007, 1008, 1009, 1010, 4000}) {
            assertFalse(Reconnect.isTransient(new CloseStatus(code, "", true)), "close " + code);
        }
        for (WebErrorStatus s : List.of(WebErrorStatus.CANNOT_CONNECT, WebErrorStatus.TIMEOUT,
                WebErrorStatus.HOST_NAME_NOT_RESOLVED, WebErrorStatus.CONNECTION_RESET, WebErrorStatus.CONNECTION_ABORTED)) {
            assertTrue(Reconnect.isTransient(new WebSocketException(s, "x")), s.toString());
        }
        for (WebErrorStatus s : List.of(WebErrorStatus.INVALID_ARGUMENT, WebErrorStatus.PROTOCOL_ERROR,
                WebErrorStatus.CERTIFICATE_EXPIRED, WebErrorStatus.PROXY_AUTHENTICATION_REQUIRED)) {
            assertFalse(Reconnect.isTransient(new WebSocketException(s, "x")), s.toString());
        }
        for (int http : new int[] {408, 429, 500, 502, 503, 504, 599}) {
            assertTrue(Reconnect.isTransient(refusal(http)), "HTTP " + http);
        }
        for (int http : new int[] {400, 401, 403, 404, 410, 426}) {
            assertFalse(Reconnect.isTransient(refusal(http)), "HTTP " + http);
        }
        assertFalse(Reconnect.isTransient(new IllegalStateException()));
    }

    @Test
    void retryAfterIsReadAsSecondsOrAnHttpDate() {
        assertEquals(Optional.of(Duration.ofSeconds(120)), Reconnect.parseRetryAfter(" 120 "));
        assertEquals(Optional.empty(), Reconnect.parseRetryAfter("-1"));
        assertEquals(Optional.empty(), Reconnect.parseRetryAfter("soon"));
        String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));
        Duration wait = Reconnect.parseRetryAfter(inAMinute).orElseThrow();
        assertTrue(wait.compareTo(Duration.ofSeconds(50)) > 0 && wait.compareTo(Duration.ofSeconds(61)) <= 0, wait.toString());
        assertEquals(Optional.of(Duration.ZERO), Reconnect.parseRetryAfter("Tue, 01 Jan 2019 00:00:00 GMT"));
        Reconnect capped = quick(1).maxRetryAfter(Duration.ofSeconds(10));
        WebSocketException refused = new WebSocketException(WebErrorStatus.SERVICE_UNAVAILABLE, "x",
                new HandshakeResponse(503, "", java.util.Map.of("Retry-After", List.of("3600")), ""));
        assertEquals(Optional.of(Duration.ofSeconds(10)), capped.retryAfter(refused));
        assertEquals(Optional.empty(), capped.maxRetryAfter(Duration.ZERO).retryAfter(refused));
    }

    @Test
    void badArgumentsAreRefusedNamingTheArgument() {
        assertInvalid("backoff", () -> Reconnect.backoff(null));
        assertInvalid("retryOn", () -> quick(1).retryOn(null));
        assertInvalid("reconnectOn", () -> quick(1).reconnectOn(null));
        assertInvalid("maxRetryAfter", () -> quick(1).maxRetryAfter(Duration.ofSeconds(-1)));
        StepVerifier.create(quick(1).streams(null))
                .expectErrorSatisfies(e -> assertTrue(e.getMessage().startsWith("connect:"), e.getMessage()))
                .verify(WAIT);
    }

    private static WebSocketException refusal(int http) {
        return new WebSocketException(WebErrorStatus.fromHttpStatus(http), "x",
                new HandshakeResponse(http, "", java.util.Map.of(), ""));
    }

    private static void assertInvalid(String argument, Runnable call) {
        WebSocketException e = assertThrows(WebSocketException.class, call::run);
        assertEquals(WebErrorStatus.INVALID_ARGUMENT, e.status());
        assertTrue(e.getMessage().startsWith(argument + ":"), e.getMessage());
    }

    private static void awaitSize(List<?> list, int size) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (list.size() < size && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertTrue(list.size() >= size, "waited for " + size + ", have " + list.size());
    }

    // ---- the scripted server ----

    /** What the server does with one request. */
    private interface Behaviour {
        Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response);
    }

    private static Behaviour closeWith(int code) {
        return (request, response) -> response.sendWebsocket((WebsocketInbound in, WebsocketOutbound out) ->
                out.sendClose(code, "scripted"));
    }

    private static Behaviour stayOpen() {
        return (request, response) -> response.sendWebsocket((in, out) -> in.receive().then());
    }

    private static Behaviour refuse(int status, String retryAfter) {
        return (request, response) -> {
            if (retryAfter != null) {
                response.header("Retry-After", retryAfter);
            }
            return response.status(HttpResponseStatus.valueOf(status)).sendString(Mono.just("scripted refusal"));
        };
    }

    /** A server whose n-th request (from 1) gets {@code script.apply(n)}; it counts them and their times. */
    private static final class Scripted implements AutoCloseable {

        final AtomicInteger accepted = new AtomicInteger();
        final List<Long> acceptedAtNanos = new CopyOnWriteArrayList<>();
        private final DisposableServer server;

        Scripted(IntFunction<Behaviour> script) {
            this(0, script);
        }

        Scripted(int port, IntFunction<Behaviour> script) {
            this.server = HttpServer.create().host("127.0.0.1").port(port)
                    .handle((request, response) -> {
                        acceptedAtNanos.add(System.nanoTime());
                        return script.apply(accepted.incrementAndGet()).handle(request, response);
                    })
                    .bindNow();
        }

        int port() {
            return server.port();
        }

        URI uri() {
            return URI.create("ws://127.0.0.1:" + port() + "/");
        }

        @Override
        public void close() {
            server.disposeNow();
        }
    }
}
