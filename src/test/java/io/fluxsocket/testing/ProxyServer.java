package io.fluxsocket.testing;

import io.fluxsocket.WebSocketProxy;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real proxy server, started as a process for a test class on a free loopback port, with a
 * configuration the test writes: {@code tinyproxy} (HTTP {@code CONNECT}, optionally with
 * {@code BasicAuth}) or {@code microsocks} (SOCKS5, optionally with {@code -u}/{@code -P}). Both are
 * Debian packages that {@code .ci/run} installs.
 *
 * <p>A proxy this machine does not have is skipped with the reason outside CI, and fails the test
 * when the environment variable {@code CI} is {@code true}. {@link #close()} ends the process and any
 * children it made.
 *
 * <p>tinyproxy runs in the foreground ({@code -d}) and logs each request line to its stdout
 * ({@code LogLevel Connect}); {@link #connectRequests()} reads the {@code CONNECT} requests from
 * there, which is how tests count the tunnels asked for. microsocks logs nothing.
 */
public final class ProxyServer implements AutoCloseable {

    /** The proxy programs. */
    public enum Kind {
        /** HTTP CONNECT proxy; Debian package {@code tinyproxy}. */
        TINYPROXY("tinyproxy"),
        /** SOCKS5 proxy; Debian package {@code microsocks}. */
        MICROSOCKS("microsocks");

        private final String program;

        Kind(String program) {
            this.program = program;
        }

        /** The proxy of this kind on {@code host} and {@code port}, without a credential. */
        public WebSocketProxy proxy(String host, int port) {
            return this == TINYPROXY ? WebSocketProxy.http(host, port) : WebSocketProxy.socks5(host, port);
        }

        @Override
        public String toString() {
            return program;
        }
    }

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);
    /** Start attempts: a free port found may be taken before the proxy binds it. */
    private static final int ATTEMPTS = 3;
    /** tinyproxy's log line of a request: {@code ... Request (file descriptor 5): CONNECT host:port HTTP/1.1}. */
    private static final String REQUEST = "Request (file descriptor ";

    private final Kind kind;
    private final Process process;
    private final int port;
    /** Stdout lines, in order (written by the reader thread; read under its lock). */
    private final List<String> lines;
    /** Lines already handed out by {@link #connectRequests()} (test thread). */
    private int consumed;
    private final AtomicInteger sentinels = new AtomicInteger();

    private ProxyServer(Kind kind, Process process, int port, List<String> lines) {
        this.kind = kind;
        this.process = process;
        this.port = port;
        this.lines = lines;
    }

    /**
     * Starts a proxy and waits until it accepts connections.
     *
     * @param username with {@code password}, the credential the proxy requires; null for an open proxy
     * @param config   where tinyproxy's configuration file is written
     */
    public static ProxyServer start(Kind kind, String username, String password, Path config) {
        Path program = executable(kind.program).orElse(null);
        if (program == null) {
            String message = kind + " is not installed (no '" + kind.program + "' on PATH or in /usr/sbin); on Debian"
                    + " run .ci/run, or 'apt-get install " + kind.program + "'";
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(message + " (CI=true: .ci/run must install every peer)");
            }
            Assumptions.abort(message);
        }
        IllegalStateException failure = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port = freePort();
            List<String> command = new ArrayList<>(List.of(program.toString()));
            if (kind == Kind.TINYPROXY) {
                Path file = config.resolve("tinyproxy-" + port + ".conf");
                write(file, "Port " + port + "\nListen 127.0.0.1\nAllow 127.0.0.1\nTimeout 600\nMaxClients 100\n"
                        + "LogLevel Connect\n" + (username == null ? "" : "BasicAuth " + username + " " + password + "\n"));
                command.addAll(List.of("-d", "-c", file.toString()));
            } else {
                command.addAll(List.of("-i", "127.0.0.1", "-p", String.valueOf(port)));
                if (username != null) {
                    command.addAll(List.of("-u", username, "-P", password));
                }
            }
            Process process;
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start " + command, e);
            }
            List<String> lines = new ArrayList<>();
            pump(process, kind + " on port " + port, lines);
            ProxyServer server = new ProxyServer(kind, process, port, lines);
            try {
                Await.until(() -> !process.isAlive() || accepts(port), STARTUP_TIMEOUT, kind + " accepts on port " + port);
            } catch (AssertionError e) {
                server.close();
                throw new IllegalStateException(kind + " " + command + " did not listen: " + server.output(), e);
            }
            if (process.isAlive()) {
                return server;
            }
            server.close();
            failure = new IllegalStateException(kind + " " + command + " exited at once (" + process.exitValue() + "): "
                    + server.output());
        }
        throw failure;
    }

    /** The proxy's port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The proxy on 127.0.0.1, without a credential. */
    public WebSocketProxy proxy() {
        return kind.proxy("127.0.0.1", port);
    }

    /**
     * The request lines of the {@code CONNECT}s tinyproxy received since the last call (such as
     * {@code CONNECT 127.0.0.1:40000 HTTP/1.1}), every one of them: a request line of its own is sent
     * last and waited for, and tinyproxy logs a request line before it answers it.
     */
    public List<String> connectRequests() {
        if (kind != Kind.TINYPROXY) {
            throw new UnsupportedOperationException(kind + " logs no requests");
        }
        String sentinel = "GET /fluxsocket-sentinel-" + sentinels.incrementAndGet() + " HTTP/1.0";
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            OutputStream out = socket.getOutputStream();
            out.write((sentinel + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Await.until(() -> indexOf(sentinel) >= 0, STARTUP_TIMEOUT, "tinyproxy logged " + sentinel);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> requests = new ArrayList<>();
        synchronized (lines) {
            int end = indexOf(sentinel);
            for (String line : lines.subList(consumed, end)) {
                int at = line.indexOf(REQUEST);
                if (at >= 0 && line.contains("): CONNECT ")) {
                    requests.add(line.substring(line.indexOf("): ", at) + 3).trim());
                }
            }
            consumed = end + 1;
        }
        return requests;
    }

    private int indexOf(String request) {
        synchronized (lines) {
            for (int i = consumed; i < lines.size(); i++) {
                if (lines.get(i).contains(REQUEST) && lines.get(i).endsWith(request)) {
                    return i;
                }
            }
            return -1;
        }
    }

    /** What the proxy printed, for failure messages. */
    private String output() {
        synchronized (lines) {
            return lines.isEmpty() ? "(no output)" : String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        }
    }

    /** Ends the proxy and any processes it made. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return kind + " on 127.0.0.1:" + port;
    }

    /** A loopback port nothing listens on (now): for a proxy to bind, or to be refused by. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Optional<Path> executable(String name) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.add("/usr/sbin");
        for (String dir : dirs) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the process's output into {@code lines} on a daemon thread until it ends. */
    private static void pump(Process process, String name, List<String> lines) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException ignored) {
                // The process went away.
            }
        }, name + " output");
        reader.setDaemon(true);
        reader.start();
    }
}
