package io.fluxsocket.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;

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
        assertTrue(usage.startsWith("Usage: fluxsocket "), usage);
        for (String expected : new String[] {"--bytes", "--chunk", "--quiet", "--header", "--subprotocol",
                "--connect-timeout", "--verbose", "--cacert", "--cert", "--key", "--cert-p12", "--cert-password",
                "--insecure", "--pin", "--tls-protocols", "--ciphers", "--help", "ws://", "wss://", "Exit codes",
                "SHA-256", "fluxsocket: STATUS: message", "fluxsocket: message"}) {
            assertTrue(usage.contains(expected), "usage mentions " + expected + ":\n" + usage);
        }
        assertEquals("", run.stderr());
    }

    @Test
    void helpGroupsTheOptionsByPurpose() {
        String usage = Run.of("-h").stdoutText();
        String[] inOrder = {"Benchmark (without a URL):", "--bytes=SIZE", "--chunk=SIZE", "-q, --quiet",
                "Connection (with a ws:// or wss:// URL):", "-H, --header='Name: value'", "--subprotocol=NAME",
                "--connect-timeout=SECONDS", "-v, --verbose",
                "TLS (with a wss:// URL):", "--cacert=FILE", "--cert=FILE", "--key=FILE", "--cert-p12=FILE",
                "--cert-password=PASS", "--insecure", "--pin=sha256/BASE64", "--tls-protocols=LIST", "--ciphers=LIST",
                "-h, --help", "Exit codes:"};
        int at = 0;
        for (String expected : inOrder) {
            int next = usage.indexOf(expected, at);
            assertTrue(next >= at, "'" + expected + "' after the previous one:\n" + usage);
            at = next + expected.length();
        }
        assertTrue(usage.lines().allMatch(line -> line.length() <= 100), usage);
    }

    @Test
    void unknownOptionIsOneLineAndAHintNotTheHelp() {
        Run run = Run.of("--frobnicate");
        assertEquals(Main.EXIT_USAGE, run.exitCode(), run.describe());
        assertEquals("fluxsocket: INVALID_ARGUMENT: unknown option: '--frobnicate'" + System.lineSeparator()
                + "Try 'fluxsocket --help' for more information." + System.lineSeparator(), run.stderr());
        assertEquals(0, run.stdout().length);
    }

    @Test
    void badValueIsOneLineAndAHint() {
        Run run = Run.of("--pin", "sha256/short", "wss://127.0.0.1:1/");
        assertEquals(Main.EXIT_USAGE, run.exitCode(), run.describe());
        List<String> lines = run.stderr().lines().toList();
        assertEquals(2, lines.size(), run.stderr());
        assertTrue(lines.get(0).startsWith("fluxsocket: INVALID_ARGUMENT: invalid value for option '--pin'"), lines.get(0));
        assertEquals(Main.HELP_HINT, lines.get(1));
    }

    @Test
    void optionOfTheOtherModeIsAUsageError() {
        Run run = Run.of("--bytes", "1MiB", "ws://127.0.0.1:1/");
        assertEquals(Main.EXIT_USAGE, run.exitCode(), run.describe());
        assertTrue(run.stderr().contains("'--bytes' applies only without a URL"), run.stderr());
        assertTrue(run.stderr().endsWith(Main.HELP_HINT + System.lineSeparator()), run.stderr());
    }

    @Test
    void urlWithAnotherSchemeIsInvalidArgument() {
        Run run = Run.of("http://x");
        assertEquals(Main.EXIT_USAGE, run.exitCode(), run.describe());
        assertTrue(run.stderr().startsWith("fluxsocket: INVALID_ARGUMENT: "), run.stderr());
        assertTrue(run.stderr().contains("scheme 'http' is not ws or wss"), run.stderr());
        assertEquals(1, run.stderr().lines().count(), "an argument the library refuses has no hint: " + run.stderr());
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
