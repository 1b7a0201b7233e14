package io.fluxsocket.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A running peer server: a process started from {@link Peer#command()}, listening on 127.0.0.1.
 *
 * <p>The server prints {@code LISTENING <port>} when it accepts connections; {@link #start} waits
 * for that line. Its later stdout lines (such as {@code CLOSED <code> <reason>}) are queued for
 * {@link #awaitLine}; its stderr is copied to this JVM's stderr. {@link #close()} closes the
 * server's stdin, on which it exits, and kills it if it does not; a JVM that dies closes that
 * pipe too, so no server outlives the tests.
 *
 * <p>A peer this machine cannot run is skipped with the reason outside CI, and fails the test
 * when the environment variable {@code CI} is {@code true}, where {@code .ci/run} must have
 * installed it.
 */
final class PeerServer implements InteropServer {

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);
    private static final String LISTENING = "LISTENING ";
    /** How many stderr lines are kept for the message of a failed start. */
    private static final int STDERR_TAIL = 20;

    private final Peer peer;
    private final Process process;
    private final int port;
    /** Stdout lines after the LISTENING line (written by the stdout reader thread, taken by tests). */
    private final BlockingQueue<String> lines;

    private PeerServer(Peer peer, Process process, int port, BlockingQueue<String> lines) {
        this.peer = peer;
        this.process = process;
        this.port = port;
        this.lines = lines;
    }

    /**
     * Starts the peer and waits until it listens. Skips the calling test (outside CI) or fails it
     * (under {@code CI=true}) when the peer is not installed.
     */
    static PeerServer start(Peer peer) {
        return start(peer, Map.of());
    }

    /**
     * Starts the peer with {@code environment} added to its process environment (such as the
     * {@code TLS_*} variables the peer programs document) and waits until it listens, as
     * {@link #start(Peer)} does.
     */
    static PeerServer start(Peer peer, Map<String, String> environment) {
        return start(peer, peer.command(), environment);
    }

    /**
     * Starts {@code program}, another server program of the peer (such as
     * {@code deflate-server.js}), with {@code environment} added to its process environment, and
     * waits until it listens, as {@link #start(Peer)} does.
     */
    static PeerServer start(Peer peer, String program, Map<String, String> environment) {
        return start(peer, peer.command(program), environment);
    }

    private static PeerServer start(Peer peer, List<String> command, Map<String, String> environment) {
        peer.unavailableReason().ifPresent(reason -> {
            String message = peer + " peer unavailable: " + reason;
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(message + " (CI=true: .ci/run must install every peer)");
            }
            Assumptions.abort(message);
        });
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(peer.directory().toFile());
            builder.environment().putAll(environment);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the " + peer + " peer: " + command, e);
        }
        CompletableFuture<Integer> listening = new CompletableFuture<>();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Deque<String> stderrTail = new ArrayDeque<>();
        pump(process.getInputStream(), peer + " stdout", line -> {
            if (!listening.isDone() && line.startsWith(LISTENING)) {
                listening.complete(Integer.parseInt(line.substring(LISTENING.length()).trim()));
            } else {
                lines.add(line);
            }
        }, () -> listening.completeExceptionally(new IllegalStateException("stdout ended")));
        pump(process.getErrorStream(), peer + " stderr", line -> {
            System.err.println("[" + peer + "] " + line);
            synchronized (stderrTail) {
                stderrTail.addLast(line);
                if (stderrTail.size() > STDERR_TAIL) {
                    stderrTail.removeFirst();
                }
            }
        }, () -> { });
        try {
            int port = listening.get(STARTUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return new PeerServer(peer, process, port, lines);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            stop(process);
            String tail;
            synchronized (stderrTail) {
                tail = String.join("\n", stderrTail);
            }
            throw new IllegalStateException("the " + peer + " peer " + command
                    + (environment.isEmpty() ? "" : " with " + environment) + " did not print '"
                    + LISTENING + "<port>' within " + STARTUP_TIMEOUT.toSeconds() + " s (" + e
                    + "); exit value " + (process.isAlive() ? "none" : process.exitValue())
                    + "; its stderr ended with:\n" + tail, e);
        }
    }

    /** The URI of {@code pathAndQuery} on this server, e.g. {@code uri("/echo")}. */
    @Override
    public URI uri(String pathAndQuery) {
        return uri("ws", "127.0.0.1", pathAndQuery);
    }

    /**
     * The URI of {@code pathAndQuery} on this server by {@code scheme} and {@code host}, e.g.
     * {@code uri("wss", "localhost", "/echo")}; the host must reach 127.0.0.1, where the server listens.
     */
    URI uri(String scheme, String host, String pathAndQuery) {
        return URI.create(scheme + "://" + host + ":" + port + pathAndQuery);
    }

    /**
     * Waits for the next stdout line that starts with {@code prefix}, dropping the lines before it.
     *
     * @throws AssertionError if no such line came within {@code timeout}
     */
    String awaitLine(String prefix, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
                if (line == null) {
                    throw new AssertionError("the " + peer + " peer printed no line starting with '" + prefix
                            + "' within " + timeout.toMillis() + " ms");
                }
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the " + peer + " peer", e);
        }
    }

    /** The port it listens on: where a killed one is started again (its {@code PORT} environment variable). */
    int port() {
        return port;
    }

    /**
     * Kills the server at once with SIGKILL, as a crash would: it sends no Close and runs no code
     * of its own; the kernel closes its sockets. Returns once the process is gone.
     */
    void kill() {
        try {
            if (!process.destroyForcibly().waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the " + peer + " peer outlived SIGKILL for " + EXIT_TIMEOUT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while killing the " + peer + " peer", e);
        }
    }

    /** Stops the server: closes its stdin, on which it exits, and kills it if it does not. */
    @Override
    public void close() {
        stop(process);
    }

    @Override
    public String toString() {
        return peer + " peer on port " + port;
    }

    private static void stop(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // The pipe is already broken: the process is gone or going; destroy() below makes sure.
        }
        try {
            if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroy();
                if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Reads a stream's lines on a daemon thread until it ends. */
    private static void pump(InputStream stream, String name, Consumer<String> onLine, Runnable onEnd) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    onLine.accept(line);
                }
            } catch (IOException ignored) {
                // The process went away; onEnd reports it.
            } finally {
                onEnd.run();
            }
        }, name);
        reader.setDaemon(true);
        reader.start();
    }
}
