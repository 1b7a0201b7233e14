package io.fluxsocket.interop;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The independent WebSocket implementations the interop tests run against, each a small server
 * program under {@code src/test/peers/}: how to start it, and whether this machine can.
 *
 * <p>{@code .ci/run} installs both: Node's {@code ws} with npm (into {@code node_modules} beside the
 * program) and Python's {@code websockets} as Debian's {@code python3-websockets}, which only
 * Debian's own interpreter, {@code /usr/bin/python3}, sees (a pyenv {@code python3} earlier on
 * {@code PATH} does not).
 */
enum Peer {

    /** Node.js with the {@code ws} library ({@code src/test/peers/node/server.js}). */
    NODE_WS("Node ws", "server.js") {
        @Override
        List<String> command(String program) {
            return List.of(executableOnPath("node").map(Path::toString).orElse("node"), program);
        }

        @Override
        Path directory() {
            return PEERS.resolve("node");
        }

        @Override
        Optional<String> whyUnavailable() {
            if (executableOnPath("node").isEmpty()) {
                return Optional.of("there is no 'node' on PATH; install Node.js, then run .ci/run");
            }
            if (!Files.isRegularFile(directory().resolve("node_modules/ws/package.json"))) {
                return Optional.of(directory() + "/node_modules/ws is missing; run .ci/run, or "
                        + "'npm install --no-package-lock' in " + directory());
            }
            return Optional.empty();
        }
    },

    /** Debian's Python 3 with the {@code websockets} library ({@code src/test/peers/python/server.py}). */
    PYTHON_WEBSOCKETS("Python websockets", "server.py") {
        @Override
        List<String> command(String program) {
            return List.of(DEBIAN_PYTHON.toString(), program);
        }

        @Override
        Path directory() {
            return PEERS.resolve("python");
        }

        @Override
        Optional<String> whyUnavailable() {
            if (!Files.isExecutable(DEBIAN_PYTHON)) {
                return Optional.of(DEBIAN_PYTHON + " is missing; on Debian run .ci/run, or "
                        + "'apt-get install python3-websockets'");
            }
            String problem = run(List.of(DEBIAN_PYTHON.toString(), "-c", "import websockets"));
            if (problem != null) {
                return Optional.of(DEBIAN_PYTHON + " cannot import websockets (" + problem + "); run .ci/run, "
                        + "or 'apt-get install python3-websockets'");
            }
            return Optional.empty();
        }
    };

    /** Where the peer programs live; Maven runs tests from the project's base directory. */
    static final Path PEERS = Path.of("src", "test", "peers").toAbsolutePath();
    /** Debian's interpreter: the one that sees the python3-websockets package. */
    static final Path DEBIAN_PYTHON = Path.of("/usr/bin/python3");

    private final String displayName;
    /** The server program most tests run, in {@link #directory()}. */
    private final String server;
    /** Why the peer cannot run here, once found out (any thread; a benign race at worst checks twice). */
    private volatile Optional<String> unavailable;

    Peer(String displayName, String server) {
        this.displayName = displayName;
        this.server = server;
    }

    /** The command line that starts the server, run in {@link #directory()}. */
    List<String> command() {
        return command(server);
    }

    /**
     * The command line that runs {@code program}, another server program of this peer in
     * {@link #directory()} (such as {@code deflate-server.js}).
     */
    abstract List<String> command(String program);

    /** The directory of the server program, its working directory. */
    abstract Path directory();

    abstract Optional<String> whyUnavailable();

    /** Why this machine cannot run the peer, or empty if it can; checked once per JVM. */
    Optional<String> unavailableReason() {
        Optional<String> reason = unavailable;
        if (reason == null) {
            reason = whyUnavailable();
            unavailable = reason;
        }
        return reason;
    }

    @Override
    public String toString() {
        return displayName;
    }

    private static Optional<Path> executableOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** Runs a short command; null if it exited 0, else what went wrong. */
    private static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            byte[] output;
            try (InputStream in = p.getInputStream()) {
                output = in.readAllBytes();
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "it did not finish within 30 s";
            }
            if (p.exitValue() != 0) {
                String text = new String(output, StandardCharsets.UTF_8).strip();
                String[] lines = text.split("\n");
                return "exit " + p.exitValue() + (text.isEmpty() ? "" : ": " + lines[lines.length - 1]);
            }
            return null;
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
