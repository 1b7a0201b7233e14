package io.fluxsocket.benchmarks;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link BenchServer} in a JVM of its own, started from a benchmark's trial setup with the same
 * class path, so that the server's CPU time, GC and allocations stay out of the client's numbers.
 */
final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final int port;

    ServerProcess() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        process = new ProcessBuilder(List.of(java, "-Xms256m", "-Xmx256m", "-XX:+UseParallelGC",
                "-Dio.netty.leakDetection.level=disabled",
                "-cp", System.getProperty("java.class.path"), BenchServer.class.getName()))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        String line = out.readLine();
        if (line == null || !line.startsWith("PORT ")) {
            process.destroyForcibly();
            throw new IllegalStateException("bench server did not start: " + line);
        }
        port = Integer.parseInt(line.substring(5).trim());
    }

    URI uri(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + port + pathAndQuery);
    }

    @Override
    public void close() throws Exception {
        process.getOutputStream().close();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
