package io.fluxsocket.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fluxsocket.ServerCredential;
import io.fluxsocket.testing.RawServer;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code --user}, {@code --max-redirects}, {@code --show-headers} and the failure line of a refused
 * handshake (its HTTP status and {@code Retry-After}), against a scripted server.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PipeAuthTest {

    /** Runs the command with an empty stdin on another thread, while the test scripts the server. */
    private static CompletableFuture<Run> start(String... args) {
        return CompletableFuture.supplyAsync(() -> Run.of(args));
    }

    /** Answers 101, then the client's Close (sent at the end of the empty stdin). */
    private static void open(RawServer server, String... headers) {
        server.respond101(headers);
        server.readFrame();
        server.sendClose(1000, "");
    }

    private static Run finished(CompletableFuture<Run> run) {
        return run.orTimeout(20, TimeUnit.SECONDS).join();
    }

    @Test
    void userAnswersTheChallengeAndShowHeadersPrintsTheSwitchingProtocolsResponse() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<Run> run = start("--user", "alice:pa:ss", "--show-headers", server.uri("/x").toString());
            assertNull(server.acceptHandshake().header("Authorization"));
            server.respondRaw("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"r\"\r\nContent-Length: 0\r\n\r\n");
            assertEquals("Basic " + Base64.getEncoder().encodeToString("alice:pa:ss".getBytes(StandardCharsets.UTF_8)),
                    server.acceptNext().readRequest().header("Authorization"), "split at the first colon");
            open(server, "X-Served-By: raw");

            Run done = finished(run);
            assertEquals(Main.EXIT_OK, done.exitCode(), done.describe());
            List<String> lines = done.stderr().lines().toList();
            assertEquals("< HTTP/1.1 101 Switching Protocols", lines.get(0), done.stderr());
            assertTrue(lines.contains("< x-served-by: raw") && lines.contains("< upgrade: websocket"), done.stderr());
            assertFalse(done.stderr().contains("pa:ss"), done.stderr());
        }
    }

    @Test
    void aRefusedHandshakeNamesItsHttpStatusAndRetryAfterInTheFailureLine() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<Run> run = start("--show-headers", server.uri().toString());
            server.acceptHandshake();
            server.respondRaw("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 120\r\nContent-Length: 0\r\n\r\n");

            Run done = finished(run);
            assertEquals(Main.EXIT_CONNECTION, done.exitCode(), done.describe());
            List<String> lines = done.stderr().lines().toList();
            assertEquals(List.of("< HTTP/1.1 429 Too Many Requests", "< content-length: 0", "< retry-after: 120"),
                    lines.subList(0, 3), done.stderr());
            assertTrue(lines.get(3).startsWith("fluxsocket: TOO_MANY_REQUESTS (HTTP 429, Retry-After: 120): opening"
                    + " handshake with " + server.uri() + " failed"), lines.get(3));
        }
    }

    @Test
    void withoutRetryAfterTheFailureLineHasTheStatusAlone() {
        try (RawServer server = RawServer.start()) {
            CompletableFuture<Run> run = start(server.uri().toString());
            server.acceptHandshake();
            server.respondRaw("HTTP/1.1 418 I'm a teapot\r\nContent-Length: 0\r\n\r\n");

            Run done = finished(run);
            assertEquals(Main.EXIT_CONNECTION, done.exitCode(), done.describe());
            assertTrue(done.stderr().startsWith("fluxsocket: HTTP_ERROR (HTTP 418): "), done.stderr());
        }
    }

    @Test
    void maxRedirectsFollowsARedirectToAnotherServer() {
        try (RawServer first = RawServer.start(); RawServer second = RawServer.start()) {
            CompletableFuture<Run> run = start("--max-redirects", "1", first.uri().toString());
            first.acceptHandshake();
            first.respondRaw("HTTP/1.1 307 Temporary Redirect\r\nLocation: " + second.uri("/there") + "\r\n"
                    + "Content-Length: 0\r\n\r\n");
            assertEquals("/there", second.acceptHandshake().target());
            open(second);

            Run done = finished(run);
            assertEquals(Main.EXIT_OK, done.exitCode(), done.describe());
        }
    }

    @Test
    void badValuesAreInvalidArgumentsBeforeAnyIo() {
        Run run = Run.of("--max-redirects=-1", "ws://127.0.0.1:1/");
        assertEquals(Main.EXIT_USAGE, run.exitCode(), run.describe());
        assertTrue(run.stderr().startsWith("fluxsocket: INVALID_ARGUMENT: maxRedirects: must be between 0 and 100,"
                + " was -1"), run.stderr());

        run = Run.of("--user", ":topsecret", "ws://127.0.0.1:1/");
        assertEquals(Main.EXIT_USAGE, run.exitCode(), run.describe());
        assertTrue(run.stderr().startsWith("fluxsocket: INVALID_ARGUMENT: invalid value for option '--user'"),
                run.stderr());
        assertTrue(run.stderr().contains("the user name must not be null or empty"), run.stderr());
        assertFalse(run.stderr().contains("topsecret"), run.stderr());
    }

    @Test
    void userParsesIntoACredential() throws Exception {
        assertEquals(ServerCredential.of("alice", "pa:ss"), Options.parse(new String[] {"--user", "alice:pa:ss",
                "ws://a/"}).user());
        assertEquals(ServerCredential.of("alice", ""), Options.parse(new String[] {"--user=alice", "ws://a/"}).user());
        assertNull(Options.parse(new String[] {"ws://a/"}).user());
        assertEquals(3, Options.parse(new String[] {"--max-redirects", "3", "ws://a/"}).maxRedirects());
        assertTrue(Options.parse(new String[] {"--show-headers", "ws://a/"}).showHeaders());
    }
}
