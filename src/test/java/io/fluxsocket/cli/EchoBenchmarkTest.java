package io.fluxsocket.cli;

import io.fluxsocket.WebSocketClient;
import io.fluxsocket.testing.TestServer;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The default mode: echo through the embedded server, hash check, summary and progress. */
@Timeout(120)
class EchoBenchmarkTest {

    @Test
    void defaultModeEchoesAndReportsShaOk() {
        Run run = Run.of("--bytes", "8MiB", "--quiet");
        assertEquals(Main.EXIT_OK, run.exitCode(), run.describe());
        assertTrue(run.stdoutText().matches(
                "8 MiB echoed in \\d+\\.\\d\\d s: \\d+\\.\\d MiB/s, SHA-256 ok \\([0-9a-f]{16}\\.\\.\\.\\)\\R"),
                run.stdoutText());
        assertEquals("", run.stderr(), "--quiet draws no progress");
    }

    @Test
    void oddSizesAndSmallChunksAreEchoedExactly() {
        Run run = Run.of("--bytes", "100001", "--chunk", "1000", "--quiet");
        assertEquals(Main.EXIT_OK, run.exitCode(), run.describe());
        assertTrue(run.stdoutText().startsWith("97.66 KiB echoed in "), run.stdoutText());
    }

    @Test
    void withoutATerminalProgressIsPlainLinesEndingAtTheTotal() {
        // Tests run without a console, so this is the LINES style: no carriage returns.
        Run run = Run.of("--bytes", "4MiB");
        assertEquals(Main.EXIT_OK, run.exitCode(), run.describe());
        assertTrue(run.stderr().matches("(?s).*100%  4 MiB of 4 MiB echoed  \\d+\\.\\d MiB/s\\R"), run.stderr());
        assertFalse(run.stderr().contains("\r"), run.stderr());
    }

    @Test
    void corruptedEchoIsAMismatch() {
        // Echoes every frame with its first byte flipped.
        try (TestServer server = new TestServer((in, out) -> out.sendObject(in.receiveFrames().map(frame -> {
            WebSocketFrame echo = frame.retain();
            ByteBuf content = echo.content();
            if (content.isReadable()) {
                content.setByte(content.readerIndex(), ~content.getByte(content.readerIndex()));
            }
            return echo;
        })))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CommandFailure failure = assertThrows(CommandFailure.class, () -> new EchoBenchmark(256 * 1024, 65536)
                    .run(WebSocketClient.create(), server.uri(), new PrintStream(out), System.err,
                            ProgressBar.Style.NONE));
            assertEquals(Main.EXIT_MISMATCH, failure.exitCode());
            assertTrue(failure.getMessage().startsWith("SHA-256 mismatch: sent "), failure.getMessage());
            assertEquals(0, out.size(), "no summary for a failed run");
        }
    }
}
