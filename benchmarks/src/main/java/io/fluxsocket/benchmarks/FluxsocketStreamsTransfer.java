package io.fluxsocket.benchmarks;

import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebSocketClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * fluxsocket's blocking adapters, default options: downloads read {@code inputStream()} into an
 * 8 KiB array; the upload is one message written to {@code outputStream()} 8 KiB at a time and
 * finished by {@code close()}. The same connection and wire as {@link FluxsocketTransfer}, so the
 * difference is the cost of the adapters.
 */
final class FluxsocketStreamsTransfer implements Transfer {
    static final int IO_BYTES = 8192;
    private final WebSocketClient client;

    FluxsocketStreamsTransfer(Path trusted) {
        this(trusted, false);
    }

    /** With {@code keepAlive}, the client has {@link FluxsocketTransfer#KEEP_ALIVE}. */
    FluxsocketStreamsTransfer(Path trusted, boolean keepAlive) {
        client = FluxsocketTransfer.client(trusted, false, keepAlive);
    }
    /** The upload chunks as arrays (copied once per set of chunks; the chunks are read-only). */
    private ByteBuffer[] arraysOf;
    private byte[][] arrays;

    @Override
    public long download(URI uri) throws Exception {
        StreamWebSocket ws = client.connect(uri).block();
        byte[] buf = new byte[IO_BYTES];
        long count = 0;
        try (InputStream in = ws.inputStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                count += n;
            }
        }
        return count;
    }

    @Override
    public long upload(URI uri, ByteBuffer[] chunks, long bytes) throws Exception {
        byte[][] data = arrays(chunks);
        StreamWebSocket ws = client.connect(uri).block();
        int chunk = data[0].length;
        long n = bytes / chunk;
        try (OutputStream out = ws.outputStream()) {
            for (long i = 0; i < n; i++) {
                byte[] a = data[(int) (i % data.length)];
                for (int off = 0; off < chunk; off += IO_BYTES) {
                    out.write(a, off, Math.min(IO_BYTES, chunk - off));
                }
            }
        }
        // The server's Close is read (and answered) only with demand on receive().
        ws.receive().then().block();
        return FluxsocketTransfer.closeCount(ws);
    }

    /** Reads into an 8 KiB array until the allowance is used up; stops reading while paused. */
    @Override
    public SlowReader slowRead(URI uri) {
        StreamWebSocket ws = client.connect(uri).block();
        InputStream in = ws.inputStream();
        byte[] buf = new byte[IO_BYTES];
        return new SlowReader() {
            private long consumed;

            @Override
            public void consume(long bytes) throws Exception {
                long target = consumed + bytes;
                while (consumed < target) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, target - consumed));
                    if (n < 0) {
                        throw new IllegalStateException("download ended after " + consumed + " bytes");
                    }
                    consumed += n;
                }
            }

            @Override
            public long buffered() {
                return ws.info().bytesReceived() - consumed;
            }

            @Override
            public void close() throws Exception {
                in.close();
                ws.close().block();
            }
        };
    }

    private byte[][] arrays(ByteBuffer[] chunks) {
        if (arraysOf != chunks) {
            arrays = new byte[chunks.length][];
            for (int i = 0; i < chunks.length; i++) {
                arrays[i] = new byte[chunks[i].remaining()];
                chunks[i].duplicate().get(arrays[i]);
            }
            arraysOf = chunks;
        }
        return arrays;
    }
}
