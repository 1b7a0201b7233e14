package io.fluxsocket.benchmarks;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@link BenchServer} in a JVM of its own, started from a benchmark's trial setup with the same
 * class path, so that the server's CPU time, GC and allocations stay out of the client's numbers.
 * In TLS mode ({@code wss://}) the server makes a self-signed certificate and says where its PEM
 * file is ({@link #certificate()}); its URIs then name {@code localhost}, the certificate's name,
 * so that the clients' host name checks have a name to check. What the server prints on stdout
 * after its port (the deflate routes' reports) is read by a daemon thread as it comes, so that the
 * pipe never fills, and handed out by {@link #report}.
 */
final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    /** The server certificate's PEM file, or null for plain {@code ws://}. */
    private final Path certificate;
    /** Lines the server printed after its port, not taken yet (filled by the reader thread). */
    private final BlockingQueue<String> reports = new LinkedBlockingQueue<>();

    /** A plain {@code ws://} server. */
    ServerProcess() throws Exception {
        this(false);
    }

    /** A {@code wss://} server (TLS 1.3, see {@link BenchServer}) if {@code tls}, else a plain one. */
    ServerProcess(boolean tls) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        // The server's heap: 256 MiB unless -Dbench.server.heap says otherwise (ScaleRun's thousands of connections).
        String heap = System.getProperty("bench.server.heap", "256m");
        List<String> command = new ArrayList<>(List.of(java, "-Xms" + heap, "-Xmx" + heap, "-XX:+UseParallelGC",
                "-Dio.netty.leakDetection.level=disabled",
                "-cp", System.getProperty("java.class.path"), BenchServer.class.getName()));
        if (tls) {
            command.add("--tls");
        }
        process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        String line = out.readLine();
        Path pem = null;
        if (tls && line != null && line.startsWith("CERT ")) {
            pem = Path.of(line.substring(5).trim());
            line = out.readLine();
        }
        if (line == null || !line.startsWith("PORT ") || tls && pem == null) {
            process.destroyForcibly();
            throw new IllegalStateException("bench server did not start: " + line);
        }
        port = Integer.parseInt(line.substring(5).trim());
        certificate = pem;
        Thread reader = new Thread(() -> {
            try {
                for (String l; (l = out.readLine()) != null; ) {
                    reports.add(l);
                }
            } catch (java.io.IOException e) {
                // The server is gone; report() times out.
            }
        }, "bench-server-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * The next line the server printed that starts with {@code prefix} (a deflate route's report,
     * printed before its Close is sent, so it is there once the transfer ended); fails after 30 s.
     */
    String report(String prefix) throws Exception {
        String line = reports.poll(30, TimeUnit.SECONDS);
        if (line == null || !line.startsWith(prefix)) {
            throw new IllegalStateException("expected a '" + prefix + "' line from the bench server, got " + line);
        }
        return line;
    }

    /** The server process's CPU time so far (all its threads; clock-tick resolution), or -1 if unknown. */
    long cpuNanos() {
        return process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
    }

    /** Forgets the reports not taken yet (those of connections the caller did not measure). */
    void clearReports() {
        reports.clear();
    }

    URI uri(String pathAndQuery) {
        return URI.create((certificate == null ? "ws://127.0.0.1:" : "wss://localhost:") + port + pathAndQuery);
    }

    /** The PEM file of the server's self-signed certificate for the clients to trust; null without TLS. */
    Path certificate() {
        return certificate;
    }

    @Override
    public void close() throws Exception {
        process.getOutputStream().close();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
