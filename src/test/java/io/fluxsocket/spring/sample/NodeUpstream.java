package io.fluxsocket.spring.sample;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The sample service's upstream: Node.js with the {@code ws} library running
 * {@code src/test/peers/node/relay-server.js} on 127.0.0.1 (see that file for its routes and the
 * lines it prints). Without Node or {@code node_modules/ws} the calling test is skipped with the
 * reason, or fails under {@code CI=true}, where {@code .ci/run} installs both (as the interop
 * tests' {@code PeerServer} does). Closing it closes the program's stdin, on which it exits.
 */
final class NodeUpstream implements AutoCloseable {

    private static final Path DIRECTORY = Path.of("src", "test", "peers", "node").toAbsolutePath();
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final String LISTENING = "LISTENING ";

    private final Process process;
    private final int port;
    /** Stdout lines after LISTENING (added by the reader thread, taken by tests). */
    private final BlockingQueue<String> lines;

    private NodeUpstream(Process process, int port, BlockingQueue<String> lines) {
        this.process = process;
        this.port = port;
        this.lines = lines;
    }

    static NodeUpstream start() {
        Optional<Path> node = onPath("node");
        String missing = node.isEmpty() ? "there is no 'node' on PATH"
                : !Files.isRegularFile(DIRECTORY.resolve("node_modules/ws/package.json"))
                        ? DIRECTORY + "/node_modules/ws is missing; run .ci/run or 'npm install --no-package-lock' there"
                        : null;
        if (missing != null) {
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail("Node ws upstream unavailable: " + missing + " (CI=true: .ci/run must install it)");
            }
            Assumptions.abort("Node ws upstream unavailable: " + missing);
        }
        Process process;
        try {
            process = new ProcessBuilder(node.get().toString(), "relay-server.js").directory(DIRECTORY.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CompletableFuture<Integer> listening = new CompletableFuture<>();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (!listening.isDone() && line.startsWith(LISTENING)) {
                        listening.complete(Integer.parseInt(line.substring(LISTENING.length()).trim()));
                    } else {
                        lines.add(line);
                    }
                }
            } catch (IOException ignored) {
                // The process went away; a start still waiting fails below.
            } finally {
                listening.completeExceptionally(new IllegalStateException("relay-server.js ended"));
            }
        }, "relay-server.js stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            return new NodeUpstream(process, listening.get(STARTUP.toSeconds(), TimeUnit.SECONDS), lines);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("relay-server.js did not listen within " + STARTUP, e);
        }
    }

    /** The server's base URI, {@code ws://127.0.0.1:<port>}. */
    URI uri() {
        return URI.create("ws://127.0.0.1:" + port);
    }

    /** The next stdout line starting with {@code prefix}, dropping those before it. */
    String awaitLine(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("relay-server.js printed no line starting with '" + prefix
                        + "' within " + timeout.toMillis() + " ms");
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /**
     * The last stdout line starting with {@code prefix} among those printed so far, if any; every
     * line printed so far is dropped.
     */
    Optional<String> lastLine(String prefix) {
        List<String> printed = new ArrayList<>();
        lines.drainTo(printed);
        String last = null;
        for (String line : printed) {
            if (line.startsWith(prefix)) {
                last = line;
            }
        }
        return Optional.ofNullable(last);
    }

    @Override
    public void close() throws InterruptedException {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // Already gone; destroy() below makes sure.
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Optional<Path> onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
