package io.fluxsocket.interop;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import reactor.core.publisher.Flux;

/**
 * The compressible data of the permessage-deflate interop tests: ASCII JSON lines, as live feeds
 * send them. {@link #fragment} is byte for byte what the peer programs' {@code /fragments} route
 * sends, so that a test can check each message; the {@link #lines} of the bulk transfers are only
 * hashed, and each side makes its own.
 */
final class JsonLines {

    private JsonLines() {
    }

    /**
     * Frame {@code j} of message {@code i} of the peers' {@code /fragments} route: the line
     * {@code {"message":i,"fragment":j,"sensor":"temp-<(i+j)%7>"}\n} repeated and cut to
     * {@code size} bytes.
     */
    static byte[] fragment(int i, int j, int size) {
        byte[] line = ("{\"message\":" + i + ",\"fragment\":" + j + ",\"sensor\":\"temp-" + (i + j) % 7 + "\"}\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[size];
        for (int at = 0; at < size; at += line.length) {
            System.arraycopy(line, 0, out, at, Math.min(line.length, size - at));
        }
        return out;
    }

    /** Message {@code i} of the {@code /fragments} route: its frames of {@code sizes} bytes, joined. */
    static byte[] message(int i, int[] sizes) {
        int total = 0;
        for (int size : sizes) {
            total += size;
        }
        byte[] out = new byte[total];
        int at = 0;
        for (int j = 0; j < sizes.length; j++) {
            System.arraycopy(fragment(i, j, sizes[j]), 0, out, at, sizes[j]);
            at += sizes[j];
        }
        return out;
    }

    /** JSON lines from sequence number {@code seq} on, exactly {@code size} bytes (the last line cut). */
    static byte[] lines(long seq, int size) {
        StringBuilder sb = new StringBuilder(size + 100);
        for (long k = seq; sb.length() < size; k++) {
            sb.append("{\"seq\":").append(k).append(",\"sensor\":\"temp-").append(k % 7).append("\",\"value\":")
                    .append(20 + (k * 37 % 100) / 10.0).append(",\"unit\":\"C\"}\n");
        }
        return sb.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * {@code total} bytes of JSON lines in buffers of {@code chunk} bytes, each made when it is
     * requested and hashed into {@code hash} as it is emitted, so the whole is never in memory.
     * Subscribe once: every subscription adds to {@code hash}.
     */
    static Flux<ByteBuffer> stream(long total, int chunk, Sha256 hash) {
        long chunks = (total + chunk - 1) / chunk;
        return Flux.range(0, Math.toIntExact(chunks)).map(i -> {
            ByteBuffer buffer = ByteBuffer.wrap(lines((long) i * chunk / 64, (int) Math.min(chunk, total - (long) i * chunk)));
            hash.update(buffer);
            return buffer;
        });
    }
}
