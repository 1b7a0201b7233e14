package io.fluxsocket.benchmarks;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.SplittableRandom;

/**
 * The transport's limit: a blocking {@code java.nio} socket speaking just enough RFC 6455 — the
 * opening handshake (the 101 status is checked, not the accept hash), a frame parser that counts
 * payload bytes without copying them, and masked frames out (a random mask per frame, applied eight
 * bytes at a time; as many frames per {@code write} as fit in 1 MiB) — on the caller's thread. It
 * blocks a thread per connection, so it has no part in the concurrency scenario.
 */
final class RawSocketTransfer implements Transfer {
    private static final int READ_BUFFER = 256 * 1024;
    private final SplittableRandom random = new SplittableRandom();
    private final ByteBuffer in = ByteBuffer.allocateDirect(READ_BUFFER);
    private final ByteBuffer out = ByteBuffer.allocateDirect(14 + (1 << 20));

    @Override
    public long download(URI uri) throws IOException {
        try (SocketChannel ch = open(uri)) {
            Frames frames = readUntilClose(ch);
            sendClose(ch);
            return frames.data;
        }
    }

    @Override
    public long upload(URI uri, ByteBuffer[] chunks, long bytes) throws IOException {
        try (SocketChannel ch = open(uri)) {
            long n = bytes / chunks[0].remaining();
            int frameMax = 14 + chunks[0].remaining();
            out.clear();
            for (long i = 0; i < n; i++) {
                ByteBuffer chunk = chunks[(int) (i % chunks.length)];
                if (out.remaining() < frameMax) {
                    out.flip();
                    writeFully(ch, out);
                    out.clear();
                }
                mask(out, 0x82, chunk.duplicate(), random.nextInt());
            }
            out.flip();
            writeFully(ch, out);
            Frames frames = readUntilClose(ch);
            sendClose(ch);
            return Transfer.uploadCount(frames.closeCode, frames.closeReason);
        }
    }

    /** Each round trip writes one masked frame and reads (blocking) until its bytes came back. */
    @Override
    public Echo echo(URI uri, ByteBuffer message) throws IOException {
        SocketChannel ch = open(uri);
        Frames frames = new Frames();
        return new Echo() {
            private long expected;

            @Override
            public void roundTrip() throws IOException {
                expected += message.remaining();
                out.clear();
                mask(out, 0x82, message.duplicate(), random.nextInt());
                out.flip();
                writeFully(ch, out);
                while (true) {
                    frames.parse(in);
                    if (frames.data >= expected || frames.closed) {
                        Transfer.check(expected, frames.data, "echo");
                        return;
                    }
                    in.compact();
                    if (ch.read(in) < 0) {
                        throw new EOFException("TCP ended during an echo");
                    }
                    in.flip();
                }
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    @Override
    public AutoCloseable openIdle(URI uri) throws IOException {
        return open(uri);
    }

    /** Reads (blocking) only while the application consumes; its 256 KiB read buffer is all it holds. */
    @Override
    public SlowReader slowRead(URI uri) throws IOException {
        SocketChannel ch = open(uri);
        Frames frames = new Frames();
        return new SlowReader() {
            @Override
            public void consume(long bytes) throws IOException {
                long target = frames.data + bytes;
                while (true) {
                    frames.parse(in);
                    if (frames.data >= target) {
                        return;
                    }
                    if (frames.closed) {
                        throw new EOFException("download ended after " + frames.data + " bytes");
                    }
                    in.compact();
                    if (ch.read(in) < 0) {
                        throw new EOFException("TCP ended after " + frames.data + " bytes");
                    }
                    in.flip();
                }
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    /** Reads and parses frames until the server's Close arrived. */
    private Frames readUntilClose(SocketChannel ch) throws IOException {
        Frames frames = new Frames();
        while (true) {
            frames.parse(in);
            if (frames.closed) {
                return frames;
            }
            in.compact();
            if (ch.read(in) < 0) {
                throw new EOFException("TCP ended without a Close after " + frames.data + " data bytes");
            }
            in.flip();
        }
    }

    private SocketChannel open(URI uri) throws IOException {
        SocketChannel ch = SocketChannel.open(new InetSocketAddress(uri.getHost(), uri.getPort()));
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        byte[] key = new byte[16];
        random.nextBytes(key);
        String request = "GET " + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
                + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        writeFully(ch, ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
        in.clear();
        StringBuilder head = new StringBuilder();
        while (true) {
            if (ch.read(in) < 0) {
                throw new EOFException("TCP ended during the handshake");
            }
            in.flip();
            while (in.hasRemaining()) {
                head.append((char) in.get());
                if (head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4) {
                    if (!head.toString().startsWith("HTTP/1.1 101")) {
                        throw new IOException("handshake failed: " + head);
                    }
                    return ch; // 'in' is in read mode with any frame bytes after the response.
                }
            }
            in.clear();
        }
    }

    private void sendClose(SocketChannel ch) throws IOException {
        out.clear();
        mask(out, 0x88, ByteBuffer.wrap(new byte[] {0x03, (byte) 0xe8}), random.nextInt());
        out.flip();
        writeFully(ch, out);
    }

    /**
     * Appends one final frame with {@code opcode}, masking {@code payload} with {@code mask} into
     * {@code dst} (also what {@link MaskingBenchmark} measures).
     */
    static void mask(ByteBuffer dst, int opcode, ByteBuffer payload, int mask) {
        int len = payload.remaining();
        dst.put((byte) opcode);
        if (len < 126) {
            dst.put((byte) (0x80 | len));
        } else if (len < 65536) {
            dst.put((byte) (0x80 | 126)).putShort((short) len);
        } else {
            dst.put((byte) (0x80 | 127)).putLong(len);
        }
        dst.putInt(mask);
        long mask8 = ((long) mask << 32) | (mask & 0xffffffffL);
        while (payload.remaining() >= 8) {
            dst.putLong(payload.getLong() ^ mask8);
        }
        int shift = 24;
        while (payload.hasRemaining()) {
            dst.put((byte) (payload.get() ^ (mask >>> shift)));
            shift -= 8;
        }
    }

    private static void writeFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Server frames (unmasked): counts data payload bytes, keeps the Close's code and reason. */
    private static final class Frames {
        long data;
        boolean closed;
        int closeCode = 1005;
        String closeReason = "";
        private long payloadLeft;
        private int opcode;

        /** Consumes what it can of {@code b}, leaving an incomplete header in it. */
        void parse(ByteBuffer b) {
            while (!closed) {
                if (payloadLeft > 0) {
                    int n = (int) Math.min(payloadLeft, b.remaining());
                    if (n == 0) {
                        return;
                    }
                    b.position(b.position() + n);
                    payloadLeft -= n;
                    if (opcode <= 2) {
                        data += n;
                    }
                    continue;
                }
                if (b.remaining() < 2) {
                    return;
                }
                int p = b.position();
                int len7 = b.get(p + 1) & 0x7f;
                int headerLength = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0);
                if (b.remaining() < headerLength) {
                    return;
                }
                int op = b.get(p) & 0x0f;
                long len = len7 == 126 ? b.getShort(p + 2) & 0xffff : len7 == 127 ? b.getLong(p + 2) : len7;
                if (op == 8) {
                    if (b.remaining() < headerLength + len) {
                        return;
                    }
                    b.position(p + headerLength);
                    if (len >= 2) {
                        closeCode = b.getShort() & 0xffff;
                        byte[] reason = new byte[(int) len - 2];
                        b.get(reason);
                        closeReason = new String(reason, StandardCharsets.UTF_8);
                    }
                    closed = true;
                    return;
                }
                b.position(p + headerLength);
                opcode = op;
                payloadLeft = len;
            }
        }
    }
}
