package io.fluxsocket.io;

import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebSocketClient;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The blocking streams against independent servers: 64 MiB through the output stream to the
 * {@code /echo} route of Node's {@code ws} and Python's {@code websockets} peers
 * ({@code src/test/peers/}), back through the input stream, SHA-256 equal. A peer that is not
 * installed skips the test outside CI and fails it under {@code CI=true}, as the interop suite does.
 */
@Tag("volume")
@Timeout(120)
class StreamAdaptersInteropTest {

    private static final long SIXTY_FOUR_MIB = 64L << 20;
    private static final Path PEERS = Path.of("src", "test", "peers").toAbsolutePath();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"node", "python"})
    void sixtyFourMibEchoThroughTheStreamsIsIntact(String peer) throws Exception {
        List<String> command = peer.equals("node") ? List.of("node", "server.js") : List.of("/usr/bin/python3", "server.py");
        Path dir = PEERS.resolve(peer);
        String missing = peer.equals("node") && !Files.isDirectory(dir.resolve("node_modules/ws"))
                ? "node_modules/ws is missing in " + dir + " (npm install --no-package-lock)"
                : peer.equals("python") && !Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3 is missing" : null;
        if (missing != null) {
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(missing);
            }
            Assumptions.abort(missing);
        }
        Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return stdout.readLine();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(30, TimeUnit.SECONDS);
            if (line == null || !line.startsWith("LISTENING ")) {
                String why = peer + " peer did not start: " + line;
                if ("true".equals(System.getenv("CI"))) {
                    Assertions.fail(why);
                }
                Assumptions.abort(why);
            }
            URI uri = URI.create("ws://127.0.0.1:" + line.substring("LISTENING ".length()).trim() + "/echo");
            StreamWebSocket ws = WebSocketClient.create().connect(uri).block(Duration.ofSeconds(10));
            double mibPerSecond = StreamEcho.run(ws, SIXTY_FOUR_MIB, 60);
            System.out.printf("64 MiB echo through the blocking streams via %s: %.0f MiB/s%n", peer, mibPerSecond);
            ws.close().block(Duration.ofSeconds(10));
        } finally {
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
