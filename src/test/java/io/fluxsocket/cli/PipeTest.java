package io.fluxsocket.cli;

import io.fluxsocket.testing.TestServer;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.WebsocketServerSpec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** URL mode: stdin to the socket, the socket to stdout, and how the close decides the exit code. */
@Timeout(60)
class PipeTest {

    @Test
    void stdinComesBackOnStdoutAndEndOfStdinClosesNormally() {
        // Many messages (a read is at most 64 KiB), and four times the client's 256 KiB receive
        // buffer: the echo still arriving while closing must all reach stdout. (Not more: the whole
        // echo must come back within the tool's 5 s close timeout on a loaded 2-core machine.)
        byte[] input = new byte[1024 * 1024 + 17];
        new Random(7).nextBytes(input);
        try (EchoServer server = EchoServer.start()) {
            Run run = Run.of(new ByteArrayInputStream(input), server.uri().toString());
            assertEquals(Main.EXIT_OK, run.exitCode(), run.describe());
            assertArrayEquals(input, run.stdout());
            assertEquals("", run.stderr());
        }
    }

    @Test
    void statsPrintsTheBandwidthStatisticsWhenTheConnectionEnds() {
        byte[] input = new byte[100_000];
        new Random(3).nextBytes(input);
        try (EchoServer server = EchoServer.start()) {
            Run run = Run.of(new ByteArrayInputStream(input), "--stats", "--ping-interval", "30", server.uri().toString());
            assertEquals(Main.EXIT_OK, run.exitCode(), run.describe());
            assertArrayEquals(input, run.stdout());
            // One 64 KiB read and the rest: two messages each way. Headers: a client frame of 65536
            // bytes has 14 (a 64-bit length and the masking key), one of 34464 has 8, the Close
            // (code 1000, no reason) 6 and 2 bytes of payload; the server's frames have 10, 4 and 4.
            long sentWire = input.length + 14 + 8 + 8;
            long receivedWire = input.length + 10 + 4 + 4;
            String expected = "fluxsocket: sent 100000 bytes (" + sentWire + " on the wire) in 2 messages; received"
                    + " 100000 bytes (" + receivedWire + " on the wire) in 2 messages; reads paused ";
            assertTrue(run.stderr().startsWith(expected), run.stderr());
        }
    }

    @Test
    void emptyStdinClosesAtOnce() {
        try (EchoServer server = EchoServer.start()) {
            Run run = Run.of(server.uri().toString());
            assertEquals(Main.EXIT_OK, run.exitCode(), run.describe());
            assertEquals(0, run.stdout().length);
        }
    }

    @Test
    void serverCloseEndsThePipeWhileStdinIsOpen() {
        try (TestServer server = new TestServer((in, out) -> out.sendObject(Mono.just(binary("hello")))
                .then(out.sendClose(1000, "bye")));
             BlockingStdin stdin = new BlockingStdin()) {
            Run run = Run.of(stdin, server.uri().toString());
            assertEquals(Main.EXIT_OK, run.exitCode(), run.describe());
            assertEquals("hello", run.stdoutText());
        }
    }

    @Test
    void serverCloseWithAnotherCodeFailsWithTheCode() {
        try (TestServer server = new TestServer((in, out) -> out.sendClose(4000, "go away"));
             BlockingStdin stdin = new BlockingStdin()) {
            Run run = Run.of(stdin, server.uri().toString());
            assertEquals(Main.EXIT_CLOSE_CODE, run.exitCode(), run.describe());
            assertEquals("fluxsocket: the server closed the connection with code 4000 (go away)" + System.lineSeparator(),
                    run.stderr());
        }
    }

    @Test
    void headersAndSubprotocolsAreOffered() {
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                .handle((request, response) -> response.sendWebsocket((in, out) -> out
                                .sendObject(Mono.just(binary(in.headers().get("X-Token") + " " + in.selectedSubprotocol())))
                                .then(out.sendClose(1000, "")),
                        WebsocketServerSpec.builder().protocols("chat").build()))
                .bindNow();
        try (BlockingStdin stdin = new BlockingStdin()) {
            Run run = Run.of(stdin, "--header", "X-Token: 42", "--subprotocol", "superchat", "--subprotocol=chat",
                    "ws://127.0.0.1:" + server.port() + "/");
            assertEquals(Main.EXIT_OK, run.exitCode(), run.describe());
            assertEquals("42 chat", run.stdoutText());
        } finally {
            server.disposeNow();
        }
    }

    @Test
    void verboseDescribesTheConnectionOnStderr() {
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                .handle((request, response) -> response.sendWebsocket((in, out) -> out.sendClose(1000, ""),
                        WebsocketServerSpec.builder().protocols("chat").build()))
                .bindNow();
        try (BlockingStdin stdin = new BlockingStdin()) {
            Run run = Run.of(stdin, "-v", "--subprotocol", "chat", "ws://127.0.0.1:" + server.port() + "/");
            assertEquals(Main.EXIT_OK, run.exitCode(), run.describe());
            assertTrue(run.stderr().matches("fluxsocket: connected 127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:"
                    + server.port() + ", subprotocol chat\\R"), run.stderr());
        } finally {
            server.disposeNow();
        }
    }

    @Test
    void compressOffersPermessageDeflateAndTheDataCrossesCompressed() {
        String data = "fluxsocket ".repeat(10_000);
        try (TestServer server = TestServer.compressing(TestServer::echo)) {
            Run run = Run.of(new ByteArrayInputStream(data.getBytes(StandardCharsets.US_ASCII)), "-v", "--compress",
                    "--stats", server.uri().toString());
            assertEquals(Main.EXIT_OK, run.exitCode(), run.describe());
            assertEquals(data, run.stdoutText());
            assertTrue(run.stderr().contains(", extensions permessage-deflate"), run.stderr());
            java.util.regex.Matcher sent = java.util.regex.Pattern.compile("sent (\\d+) bytes \\((\\d+) on the wire\\)")
                    .matcher(run.stderr());
            assertTrue(sent.find(), run.stderr());
            assertEquals(data.length(), Long.parseLong(sent.group(1)), run.stderr());
            assertTrue(Long.parseLong(sent.group(2)) < data.length() / 10, "compressed on the wire: " + run.stderr());
        }
    }

    @Test
    void textMessageFailsTheConnectionInStreamMode() {
        try (TestServer server = new TestServer((in, out) -> out.sendString(Mono.just("text")).then(in.receive().then()));
             BlockingStdin stdin = new BlockingStdin()) {
            Run run = Run.of(stdin, server.uri().toString());
            assertEquals(Main.EXIT_CONNECTION, run.exitCode(), run.describe());
            assertTrue(run.stderr().startsWith("fluxsocket: UNSUPPORTED_DATA: "), run.stderr());
        }
    }

    @Test
    void failingStdoutClosesWithGoingAwayAndExitsWithIoError() {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        };
        try (TestServer server = new TestServer((in, out) -> out.sendObject(Mono.just(binary("hello")))
                .then(in.receive().then()));
             BlockingStdin stdin = new BlockingStdin()) {
            Run run = Run.of(stdin, broken, new ByteArrayOutputStream(), server.uri().toString());
            assertEquals(Main.EXIT_IO, run.exitCode(), run.describe());
            assertEquals("fluxsocket: writing stdout failed; closed the connection with 1001" + System.lineSeparator(),
                    run.stderr());
        }
    }

    @Test
    void failingStdinClosesWithInternalErrorAndExitsWithIoError() {
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("Input/output error");
            }
        };
        try (EchoServer server = EchoServer.start()) {
            Run run = Run.of(broken, server.uri().toString());
            assertEquals(Main.EXIT_IO, run.exitCode(), run.describe());
            assertEquals("fluxsocket: reading stdin failed: Input/output error; closed the connection with 1011"
                    + System.lineSeparator(), run.stderr());
        }
    }

    /** Stdin that stays open, without data, until it is closed: the user has not typed anything yet. */
    private static final class BlockingStdin extends InputStream {
        private final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public int read() throws IOException {
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            return -1;
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }

    private static BinaryWebSocketFrame binary(String text) {
        return new BinaryWebSocketFrame(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }
}
