package io.fluxsocket.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line: help, usage errors, and how failures to connect are reported. */
@Timeout(60)
class MainTest {

    @Test
    void helpPrintsBothModesOptionsAndExitCodes() {
        Run run = Run.of("--help");
        assertEquals(Main.EXIT_OK, run.exitCode(), run.describe());
        String usage = run.stdoutText();
        for (String expected : new String[] {"--bytes", "--chunk", "--quiet", "--header", "--subprotocol",
                "--connect-timeout", "ws://", "wss://", "Exit codes", "SHA-256"}) {
            assertTrue(usage.contains(expected), "usage mentions " + expected + ":\n" + usage);
        }
        assertEquals("", run.stderr());
    }

    @Test
    void unknownOptionIsAUsageErrorWithTheUsage() {
        Run run = Run.of("--frobnicate");
        assertEquals(Main.EXIT_USAGE, run.exitCode(), run.describe());
        assertTrue(run.stderr().startsWith("fluxsocket: INVALID_ARGUMENT: unknown option '--frobnicate'"),
                run.stderr());
        assertTrue(run.stderr().contains("Usage:"), run.stderr());
    }

    @Test
    void optionOfTheOtherModeIsAUsageError() {
        Run run = Run.of("--bytes", "1MiB", "ws://127.0.0.1:1/");
        assertEquals(Main.EXIT_USAGE, run.exitCode(), run.describe());
        assertTrue(run.stderr().contains("'--bytes' applies only without a URL"), run.stderr());
    }

    @Test
    void urlWithAnotherSchemeIsInvalidArgument() {
        Run run = Run.of("http://x");
        assertEquals(Main.EXIT_USAGE, run.exitCode(), run.describe());
        assertTrue(run.stderr().startsWith("fluxsocket: INVALID_ARGUMENT: "), run.stderr());
        assertTrue(run.stderr().contains("scheme 'http' is not ws or wss"), run.stderr());
    }

    @Test
    void urlWithoutHostIsInvalidArgument() {
        for (String url : new String[] {"ws://", "ws:///path"}) {
            Run run = Run.of(url);
            assertEquals(Main.EXIT_USAGE, run.exitCode(), run.describe());
            assertTrue(run.stderr().startsWith("fluxsocket: INVALID_ARGUMENT: uri: '" + url + "'"), run.stderr());
        }
    }

    @Test
    void forbiddenHeaderIsInvalidArgument() {
        Run run = Run.of("--header", "Upgrade: h2c", "ws://127.0.0.1:1/");
        assertEquals(Main.EXIT_USAGE, run.exitCode(), run.describe());
        assertTrue(run.stderr().startsWith("fluxsocket: INVALID_ARGUMENT: "), run.stderr());
    }

    @Test
    void refusedConnectionIsCannotConnect() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Run run = Run.of("--connect-timeout", "10", "ws://127.0.0.1:" + port + "/");
        assertEquals(Main.EXIT_CONNECTION, run.exitCode(), run.describe());
        assertTrue(run.stderr().startsWith("fluxsocket: CANNOT_CONNECT: "), run.stderr());
        assertEquals(0, run.stdout().length);
    }
}
