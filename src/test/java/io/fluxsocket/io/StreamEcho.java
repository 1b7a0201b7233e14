package io.fluxsocket.io;

import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.testing.BytePattern;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One message of {@code total} pattern bytes written through a connection's output stream while
 * a second thread reads the echo from its input stream; both sides' SHA-256 are compared.
 */
final class StreamEcho {

    private static final int CHUNK = 64 * 1024;

    private StreamEcho() {
    }

    /** Runs the echo and returns its throughput in MiB/s (first write to last byte read). */
    static double run(StreamWebSocket ws, long total, long timeoutSeconds) throws Exception {
        InputStream in = ws.inputStream();
        CompletableFuture<String> echoed = CompletableFuture.supplyAsync(() -> {
            MessageDigest sha = sha256();
            byte[] buffer = new byte[CHUNK];
            long read = 0;
            try {
                while (read < total) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, total - read));
                    if (n < 0) {
                        throw new AssertionError("the echo ended after " + read + " bytes");
                    }
                    sha.update(buffer, 0, n);
                    read += n;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return HexFormat.of().formatHex(sha.digest());
        });
        long start = System.nanoTime();
        MessageDigest sha = sha256();
        try (OutputStream out = ws.outputStream()) {
            for (long offset = 0; offset < total; offset += CHUNK) {
                byte[] chunk = BytePattern.chunk(offset, (int) Math.min(CHUNK, total - offset)).array();
                sha.update(chunk);
                out.write(chunk);
            }
        }
        String received = echoed.get(timeoutSeconds, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(HexFormat.of().formatHex(sha.digest()), received, "SHA-256 of the echo");
        return total / (1024.0 * 1024.0) / seconds;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
