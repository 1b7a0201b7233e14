package io.fluxsocket.cli;

import io.fluxsocket.HandshakeResponse;
import io.fluxsocket.PerMessageDeflate;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketError;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketInfo;

import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import reactor.core.Exceptions;

/**
 * The {@code fluxsocket} command: without a URL, the echo benchmark ({@link EchoBenchmark})
 * against an embedded {@link EchoServer}; with a {@code ws://} or {@code wss://} URL, a pipe between
 * stdin/stdout and that server ({@link Pipe}). The command line is parsed by {@link Options}, whose
 * help text lists the options and the exit codes.
 *
 * <p>A command line that cannot be parsed gives two lines on stderr, the problem
 * ({@code fluxsocket: INVALID_ARGUMENT: ...}) and {@link #HELP_HINT}, and {@link #EXIT_USAGE}.
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

    /** The line after a command-line error, instead of the whole help. */
    static final String HELP_HINT = "Try 'fluxsocket --help' for more information.";

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
            err.println(HELP_HINT);
            err.flush();
            return EXIT_USAGE;
        }
        if (options.help()) {
            out.print(Options.usage());
            out.flush();
            return EXIT_OK;
        }
        try {
            if (options.url() == null) {
                benchmark(options, out, err);
            } else {
                URI uri = uri(options.url());
                WebSocketClient client = client(options, err);
                Consumer<WebSocketInfo> onConnected = info -> {
                    if (options.showHeaders()) {
                        printHead(info.handshakeResponse(), err);
                    }
                    if (options.verbose()) {
                        err.println("fluxsocket: " + ConnectionLine.describe(info));
                    }
                    err.flush();
                };
                Consumer<WebSocketInfo> onEnded = !options.stats() ? info -> { } : info -> {
                    err.println("fluxsocket: " + ConnectionLine.statistics(info.bandwidthStatistics()));
                    err.flush();
                };
                new Pipe(in, out, onConnected, onEnded).run(client, uri);
            }
            return EXIT_OK;
        } catch (CommandFailure e) {
            err.println("fluxsocket: " + e.getMessage());
            return e.exitCode();
        } catch (RuntimeException e) {
            Throwable cause = Exceptions.unwrap(e);
            WebErrorStatus status = WebSocketError.status(cause);
            String message = cause instanceof WebSocketException ? cause.getMessage() : cause.toString();
            HandshakeResponse response = cause instanceof WebSocketException w ? w.handshakeResponse().orElse(null) : null;
            if (response != null && options.showHeaders()) {
                printHead(response, err);
            }
            err.println("fluxsocket: " + status + httpStatus(response) + ": " + message);
            return status == WebErrorStatus.INVALID_ARGUMENT ? EXIT_USAGE : EXIT_CONNECTION;
        } finally {
            err.flush();
        }
    }

    /** The response's status line and headers, each line after {@code "< "}, as curl -v shows them. */
    private static void printHead(HandshakeResponse response, PrintStream err) {
        err.println("< " + response);
        response.headers().forEach((name, values) -> values.forEach(value -> err.println("< " + name + ": " + value)));
    }

    /** {@code " (HTTP 429, Retry-After: 120)"} for a refused handshake, or "" for other failures. */
    private static String httpStatus(HandshakeResponse response) {
        if (response == null) {
            return "";
        }
        return " (HTTP " + response.status()
                + response.firstValue("Retry-After").map(after -> ", Retry-After: " + after).orElse("") + ")";
    }

    private static void benchmark(Options options, PrintStream out, PrintStream err) {
        ProgressBar.Style style = options.quiet() ? ProgressBar.Style.NONE
                : System.console() == null ? ProgressBar.Style.LINES : ProgressBar.Style.REDRAW;
        try (EchoServer server = EchoServer.start()) {
            new EchoBenchmark(options.bytes(), options.chunk())
                    .run(WebSocketClient.create(), server.uri(), out, err, style);
        }
    }

    /**
     * The client of the pipe, with the options given; with {@code --insecure}, prints its warning.
     *
     * @throws WebSocketException with {@code INVALID_ARGUMENT} when the builder refuses an option
     */
    private static WebSocketClient client(Options options, PrintStream err) {
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
        Duration[] keepAlive = options.keepAlive();
        if (keepAlive != null) {
            builder.keepAlive(keepAlive[0], keepAlive[1]);
        }
        if (options.compress()) {
            builder.perMessageDeflate(PerMessageDeflate.defaults());
        }
        if (options.proxy() != null) {
            builder.proxy(options.proxy());
        }
        if (options.user() != null) {
            builder.serverCredential(options.user());
        }
        if (options.maxRedirects() != null) {
            builder.maxRedirects(options.maxRedirects());
        }
        options.tls().applyTo(builder);
        WebSocketClient client = builder.build();
        if (options.tls().insecure) {
            err.println("fluxsocket: " + Options.Tls.INSECURE_WARNING);
            err.flush();
        }
        return client;
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
