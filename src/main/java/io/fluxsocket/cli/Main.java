package io.fluxsocket.cli;

import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketError;
import io.fluxsocket.WebSocketException;

import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import reactor.core.Exceptions;

/**
 * The {@code fluxsocket} command: without a URL, the echo benchmark ({@link EchoBenchmark})
 * against an embedded {@link EchoServer}; with a {@code ws://} or {@code wss://} URL, a pipe between
 * stdin/stdout and that server ({@link Pipe}). See {@link #USAGE} for options and exit codes.
 */
public final class Main {

    /** Success: the echo matched, or the server closed with 1000 or without a code. */
    public static final int EXIT_OK = 0;
    /** The command line or an argument was invalid ({@code INVALID_ARGUMENT}). */
    public static final int EXIT_USAGE = 1;
    /** Connecting or the connection failed; the message names the {@link WebErrorStatus}. */
    public static final int EXIT_CONNECTION = 2;
    /** The echoed bytes differed from those sent. */
    public static final int EXIT_MISMATCH = 3;
    /** The server closed the connection with a code other than 1000 or 1005. */
    public static final int EXIT_CLOSE_CODE = 4;
    /** Reading stdin or writing stdout failed. */
    public static final int EXIT_IO = 5;

    static final String USAGE = """
            Usage: fluxsocket [--bytes SIZE] [--chunk SIZE] [--quiet]
                   fluxsocket [--header 'Name: value']... [--subprotocol NAME]... [--connect-timeout SECONDS] URL
                   fluxsocket --help

            Without a URL: starts a WebSocket echo server on loopback, streams SIZE bytes of
            pseudo-random data through one connection as one binary message while reading the
            echo back, checks the SHA-256 of what came back and prints the rate in MiB/s.
              --bytes SIZE     bytes to echo (default 256MiB); SIZE is a number of bytes with an
                               optional binary unit: KiB, MiB, GiB (or K, M, G)
              --chunk SIZE     size of each buffer sent (default 64KiB)
              -q, --quiet      no progress bar on stderr (without a terminal, the progress bar is
                               a line per tenth of the transfer)

            With a ws:// or wss:// URL: connects and pipes stdin to the server and the server to
            stdout, like websocat. Each read of stdin (at most 64 KiB) is sent as soon as it is read,
            as one binary message; the server's binary messages are written to stdout as they arrive
            (stream mode: a text message from the server fails the connection). At the end of stdin
            the connection is closed with 1000; when the server closes, the command ends.
              -H, --header 'Name: value'   a header for the opening handshake (repeatable)
              --subprotocol NAME           a subprotocol to offer, most preferred first (repeatable)
              --connect-timeout SECONDS    bound on connecting and the handshake (default 60)

              -h, --help       this text

            Exit codes:
              0  success: the echo matched; or the server closed with 1000 or no code (1005)
              1  invalid command line or argument (INVALID_ARGUMENT)
              2  connecting or the connection failed (CANNOT_CONNECT, TIMEOUT, PROTOCOL_ERROR, ...)
              3  the echoed bytes differed from those sent (SHA-256 mismatch)
              4  the server closed with a code other than 1000 or 1005
              5  reading stdin or writing stdout failed
            Failures of the command line or the connection are reported on stderr as
            "fluxsocket: STATUS: message", STATUS being a WebErrorStatus; others (3, 4, 5) as
            "fluxsocket: message".
            """;

    private Main() {
    }

    /** Runs the command and exits with its exit code. */
    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    /**
     * Runs the command with the given standard streams.
     *
     * @return the exit code, one of the {@code EXIT_*} constants
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (Options.UsageException e) {
            err.println("fluxsocket: " + WebErrorStatus.INVALID_ARGUMENT + ": " + e.getMessage());
            err.print(USAGE);
            return EXIT_USAGE;
        }
        if (options.help()) {
            out.print(USAGE);
            out.flush();
            return EXIT_OK;
        }
        try {
            if (options.url() == null) {
                benchmark(options, out, err);
            } else {
                new Pipe(in, out).run(client(options), uri(options.url()));
            }
            return EXIT_OK;
        } catch (CommandFailure e) {
            err.println("fluxsocket: " + e.getMessage());
            return e.exitCode();
        } catch (RuntimeException e) {
            Throwable cause = Exceptions.unwrap(e);
            WebErrorStatus status = WebSocketError.status(cause);
            String message = cause instanceof WebSocketException ? cause.getMessage() : cause.toString();
            err.println("fluxsocket: " + status + ": " + message);
            return status == WebErrorStatus.INVALID_ARGUMENT ? EXIT_USAGE : EXIT_CONNECTION;
        } finally {
            err.flush();
        }
    }

    private static void benchmark(Options options, PrintStream out, PrintStream err) {
        ProgressBar.Style style = options.quiet() ? ProgressBar.Style.NONE
                : System.console() == null ? ProgressBar.Style.LINES : ProgressBar.Style.REDRAW;
        try (EchoServer server = EchoServer.start()) {
            new EchoBenchmark(options.bytes(), options.chunk())
                    .run(WebSocketClient.create(), server.uri(), out, err, style);
        }
    }

    private static WebSocketClient client(Options options) {
        WebSocketClient.Builder builder = WebSocketClient.builder();
        for (Map.Entry<String, String> header : options.headers()) {
            builder.header(header.getKey(), header.getValue());
        }
        if (!options.subprotocols().isEmpty()) {
            builder.subprotocols(options.subprotocols().toArray(String[]::new));
        }
        if (options.connectTimeout() != null) {
            builder.connectTimeout(options.connectTimeout());
        }
        return builder.build();
    }

    /** The URL argument as a URI; the library checks the rest (scheme, host, port). */
    private static URI uri(String url) {
        try {
            return new URI(url);
        } catch (URISyntaxException e) {
            throw new WebSocketException(WebErrorStatus.INVALID_ARGUMENT, "uri: '" + url + "' is not a URI: "
                    + e.getReason() + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""));
        }
    }
}
