package io.fluxsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fluxsocket.testing.CountingEchoServer;
import io.fluxsocket.testing.TestServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The resolver of a client's direct connections: what it is asked and when, and what each of its
 * answers makes of the connect. The race over the addresses it answers is {@code AddressRaceTest}'s.
 */
@Timeout(60)
class HostResolverTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    /** Answers as {@code answer} says, recording each name it is asked. */
    private static final class Recording implements HostResolver {
        final List<String> asked = new CopyOnWriteArrayList<>();
        final Function<String, Publisher<List<InetAddress>>> answer;

        Recording(Function<String, Publisher<List<InetAddress>>> answer) {
            this.answer = answer;
        }

        @Override
        public Publisher<List<InetAddress>> resolve(String host) {
            asked.add(host);
            return answer.apply(host);
        }
    }

    private static InetAddress loopback() {
        return InetAddress.getLoopbackAddress();
    }

    private static WebSocketException failure(HostResolver resolver, String uri) {
        WebSocketClient client = WebSocketClient.builder().resolver(resolver).connectTimeout(Duration.ofSeconds(5)).build();
        return assertThrows(WebSocketException.class, () -> client.connect(URI.create(uri)).block(WAIT));
    }

    @Test
    void theSystemResolverLooksUpOffTheCallersThreadOnBoundedElastic() {
        List<String> answer = Mono.from(HostResolver.system().resolve("localhost"))
                .map(addresses -> List.of(Thread.currentThread().getName(), addresses.toString()))
                .block(WAIT);
        assertTrue(answer.get(0).startsWith("boundedElastic"), answer.get(0));
        assertTrue(answer.get(1).contains("127.0.0.1") || answer.get(1).contains("::1"), answer.get(1));
    }

    @Test
    void theSystemResolverIsTheDefaultAndFindsLocalhost() {
        try (TestServer server = TestServer.echoing()) {
            StreamWebSocket ws = WebSocketClient.create().connect(server.uri("ws", "localhost")).block(WAIT);
            assertEquals(server.port(), ws.info().remoteAddress().getPort());
            assertTrue(ws.info().remoteAddress().getAddress().isLoopbackAddress());
            ws.close(1000, "").block(WAIT);
        }
    }

    @Test
    void aClientAsksItsResolverForTheHostOfTheUriOncePerConnect() {
        Recording resolver = new Recording(host -> Flux.just(List.of(loopback()), List.of()));
        try (TestServer server = TestServer.echoing()) {
            WebSocketClient client = WebSocketClient.builder().resolver(resolver).build();
            for (int i = 0; i < 2; i++) {
                StreamWebSocket ws = client.connect(server.uri("ws", "service.test")).block(WAIT);
                assertEquals(new InetSocketAddress(loopback(), server.port()), ws.info().remoteAddress());
                ws.close(1000, "").block(WAIT);
            }
            // Only the first element of its answer counts.
            assertEquals(List.of("service.test", "service.test"), resolver.asked);
        }
    }

    @Test
    void anIpLiteralIsNotResolved() {
        Recording resolver = new Recording(host -> Mono.error(new AssertionError("asked for " + host)));
        try (TestServer server = TestServer.echoing()) {
            StreamWebSocket ws = WebSocketClient.builder().resolver(resolver).build().connect(server.uri()).block(WAIT);
            assertEquals(new InetSocketAddress("127.0.0.1", server.port()), ws.info().remoteAddress());
            ws.close(1000, "").block(WAIT);
            assertEquals(List.of(), resolver.asked);
        }
    }

    @Test
    void anIpv6LiteralIsNotResolvedEither() throws UnknownHostException {
        InetAddress v6 = InetAddress.getByName("::1");
        assumeTrue(bindable(v6), "this machine has no ::1: the IPv6 case is skipped");
        Recording resolver = new Recording(host -> Mono.error(new AssertionError("asked for " + host)));
        try (CountingEchoServer server = new CountingEchoServer("::1", 0)) {
            StreamWebSocket ws = WebSocketClient.builder().resolver(resolver).build()
                    .connect(URI.create("ws://[::1]:" + server.port() + "/")).block(WAIT);
            assertEquals(new InetSocketAddress(v6, server.port()), ws.info().remoteAddress());
            ws.close(1000, "").block(WAIT);
            assertEquals(List.of(), resolver.asked);
        }
    }

    private static boolean bindable(InetAddress address) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(address, 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void aConnectionThroughAProxyLeavesTheOriginsNameToTheProxy() throws IOException {
        Recording resolver = new Recording(host -> Mono.error(new AssertionError("asked for " + host)));
        // A proxy that takes the TCP connection (the kernel does, with nobody accepting) and never answers.
        try (ServerSocket silentProxy = new ServerSocket(0, 50, loopback())) {
            WebSocketClient client = WebSocketClient.builder().resolver(resolver).connectTimeout(Duration.ofMillis(500))
                    .proxy(WebSocketProxy.http("127.0.0.1", silentProxy.getLocalPort())).build();
            WebSocketException e = assertThrows(WebSocketException.class,
                    () -> client.connect(URI.create("ws://origin.test:8080/")).block(WAIT));
            assertEquals(WebErrorStatus.TIMEOUT, e.status(), e.toString());
            assertTrue(e.getMessage().contains("proxy 127.0.0.1:" + silentProxy.getLocalPort()), e.getMessage());
            assertEquals(List.of(), resolver.asked);
        }
    }

    @Test
    void aResolversErrorIsHostNameNotResolvedWithTheErrorAsCause() {
        UnknownHostException unknown = new UnknownHostException("nowhere.test");
        WebSocketException e = failure(new Recording(host -> Mono.error(unknown)), "ws://nowhere.test/");
        assertEquals(WebErrorStatus.HOST_NAME_NOT_RESOLVED, e.status(), e.toString());
        assertEquals("the host name nowhere.test could not be resolved: nowhere.test", e.getMessage());
        assertSame(unknown, e.getCause());

        WebSocketException thrown = failure(host -> {
            throw new IllegalStateException("registry down");
        }, "ws://nowhere.test/");
        assertEquals(WebErrorStatus.HOST_NAME_NOT_RESOLVED, thrown.status(), thrown.toString());
        assertEquals("the host name nowhere.test could not be resolved: java.lang.IllegalStateException: registry down",
                thrown.getMessage());
    }

    @Test
    void aWebSocketExceptionFromTheResolverIsPassedOnAsItIs() {
        WebSocketException own = new WebSocketException(WebErrorStatus.FORBIDDEN, "not for this tenant");
        assertSame(own, failure(host -> Mono.error(own), "ws://tenant.test/"));
    }

    @Test
    void anEmptyAnswerIsHostNameNotResolved() {
        for (HostResolver empty : List.<HostResolver>of(host -> Mono.just(List.of()), host -> Mono.empty(), host -> Flux.empty())) {
            WebSocketException e = failure(empty, "ws://empty.test/");
            assertEquals(WebErrorStatus.HOST_NAME_NOT_RESOLVED, e.status(), e.toString());
            assertEquals("the resolver found no address for empty.test", e.getMessage());
        }
    }

    @Test
    void aNullAnswerIsAnInvalidArgumentNamingTheResolver() {
        WebSocketException none = failure(host -> null, "ws://null.test/");
        assertEquals(WebErrorStatus.INVALID_ARGUMENT, none.status(), none.toString());
        assertEquals("resolver: answered null for null.test", none.getMessage());

        WebSocketException holdingNull = failure(host -> Mono.just(Arrays.asList(loopback(), null)), "ws://null.test/");
        assertEquals(WebErrorStatus.INVALID_ARGUMENT, holdingNull.status(), holdingNull.toString());
        assertEquals("resolver: answered a list holding null for null.test", holdingNull.getMessage());
    }

    @Test
    void aResolverThatNeverAnswersIsBoundedByTheConnectTimeoutAndCancelled() {
        AtomicBoolean cancelled = new AtomicBoolean();
        WebSocketClient client = WebSocketClient.builder().connectTimeout(Duration.ofMillis(300))
                .resolver(host -> Mono.<List<InetAddress>>never().doOnCancel(() -> cancelled.set(true))).build();
        WebSocketException e = assertThrows(WebSocketException.class,
                () -> client.connect(URI.create("ws://slow.test/")).block(WAIT));
        assertEquals(WebErrorStatus.TIMEOUT, e.status(), e.toString());
        assertTrue(cancelled.get(), "the lookup was cancelled");
    }

    @Test
    void theBuilderRefusesANullResolverAndABadAttemptTimeoutBeforeAnyIo() {
        WebSocketException resolver = assertThrows(WebSocketException.class, () -> WebSocketClient.builder().resolver(null));
        assertEquals(WebErrorStatus.INVALID_ARGUMENT, resolver.status());
        assertTrue(resolver.getMessage().startsWith("resolver: "), resolver.getMessage());
        for (Duration bad : Arrays.asList(null, Duration.ZERO, Duration.ofMillis(-1))) {
            WebSocketException e = assertThrows(WebSocketException.class, () -> WebSocketClient.builder().connectAttemptTimeout(bad));
            assertEquals(WebErrorStatus.INVALID_ARGUMENT, e.status());
            assertTrue(e.getMessage().startsWith("connectAttemptTimeout: "), e.getMessage());
        }
    }
}
