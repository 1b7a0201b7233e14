package io.fluxsocket.cli;

import io.fluxsocket.CloseStatus;
import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketInfo;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Iterator;
import java.util.function.Consumer;
import java.util.stream.Stream;
import reactor.core.publisher.Mono;

/**
 * The main job with a URL, like websocat: stdin to the socket and the socket to stdout, at once.
 *
 * <p>Each read of stdin (up to {@value #READ_SIZE} bytes, whatever is available) is sent as one
 * binary message as soon as it is read, so interactive use works: a line typed on a terminal goes
 * out when Enter is pressed. Stdin is read on a thread of its own, and the next read waits until
 * the previous message was written to the socket, so a fast producer is held back by the network.
 * The bytes of the server's binary messages are written to stdout, and flushed, as they arrive;
 * message boundaries are not marked. Stdout is written on the caller's thread, and a slow reader
 * of stdout slows the server down (demand on {@code receive()} takes what was read; reads stop
 * while the receive buffer is full).
 *
 * <p>At the end of stdin the connection is closed with 1000 and the command ends once the server
 * answered; when the server closes first, the command ends at once. It succeeds when the server's
 * close code was 1000 or none (1005), and every byte received reached stdout: once closing, the
 * client drops inbound bytes that do not fit its receive buffer, and a slow stdout makes that
 * happen, which is reported as a failure rather than passed over.
 */
final class Pipe {

    /** The largest stdin read, and so the largest message sent. */
    static final int READ_SIZE = 64 * 1024;
    /** Buffers requested ahead of stdout. */
    private static final int PREFETCH = 16;

    private final InputStream in;
    private final PrintStream out;
    /** Told the connection's information once connected, before any data moves. */
    private final Consumer<WebSocketInfo> onConnected;
    /** Told the connection's information once it ended, however it ended. */
    private final Consumer<WebSocketInfo> onEnded;
    /** Why reading stdin failed, set by the stdin thread and read after the socket closed. */
    private volatile IOException stdinError;

    /**
     * @param onConnected told the connection's information once connected (on the caller's thread)
     * @param onEnded     told it once the connection ended, failed or not (on the caller's thread)
     */
    Pipe(InputStream in, PrintStream out, Consumer<WebSocketInfo> onConnected, Consumer<WebSocketInfo> onEnded) {
        this.in = in;
        this.out = out;
        this.onConnected = onConnected;
        this.onEnded = onEnded;
    }

    /**
     * Connects, pipes until the connection is closed, and returns once TCP is closed.
     *
     * @throws io.fluxsocket.WebSocketException when connecting fails or the connection fails
     * @throws CommandFailure with {@link Main#EXIT_CLOSE_CODE} when the server closed with a code
     *     other than 1000 or 1005, with {@link Main#EXIT_IO} when stdin or stdout failed
     */
    void run(WebSocketClient client, URI uri) {
        StreamWebSocket ws = client.connect(uri).block();
        onConnected.accept(ws.info());
        try {
            pipe(ws);
        } finally {
            onEnded.accept(ws.info());
        }
    }

    private void pipe(StreamWebSocket ws) {
        Thread reader = new Thread(() -> pumpStdin(ws), "fluxsocket-stdin");
        // Daemon: when the server closes first, a read of stdin may block forever.
        reader.setDaemon(true);
        reader.start();
        boolean stdoutOk = copyToStdout(ws);
        if (!stdoutOk) {
            ws.close(CloseStatus.GOING_AWAY, "stdout closed").block();
            throw new CommandFailure(Main.EXIT_IO, "writing stdout failed; closed the connection with "
                    + CloseStatus.GOING_AWAY);
        }
        CloseStatus status = ws.closeStatus().block();
        IOException readFailure = stdinError;
        if (readFailure != null) {
            throw new CommandFailure(Main.EXIT_IO, "reading stdin failed: " + readFailure.getMessage()
                    + "; closed the connection with " + CloseStatus.INTERNAL_ERROR, readFailure);
        }
        int code = status.code();
        if (code != CloseStatus.NORMAL_CLOSURE && code != CloseStatus.NO_STATUS_RECEIVED) {
            throw new CommandFailure(Main.EXIT_CLOSE_CODE, "the server closed the connection with code " + code
                    + (status.reason().isEmpty() ? "" : " (" + status.reason() + ")"));
        }
    }

    /**
     * Writes what the server sends to stdout until the server's Close arrived.
     *
     * @return false if writing stdout failed (the rest of the stream is not read)
     * @throws io.fluxsocket.WebSocketException when the connection failed
     */
    private boolean copyToStdout(StreamWebSocket ws) {
        try (Stream<ByteBuffer> inbound = ws.receive().toStream(PREFETCH)) {
            Iterator<ByteBuffer> buffers = inbound.iterator();
            while (buffers.hasNext()) {
                ByteBuffer buffer = buffers.next();
                if (buffer.hasArray()) {
                    out.write(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
                } else {
                    byte[] copy = new byte[buffer.remaining()];
                    buffer.get(copy);
                    out.write(copy, 0, copy.length);
                }
                out.flush();
                if (out.checkError()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Stdin thread: sends each read as a message; at the end of stdin, closes with 1000. */
    private void pumpStdin(StreamWebSocket ws) {
        byte[] buffer = new byte[READ_SIZE];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (n > 0) {
                    ws.send(Mono.just(ByteBuffer.wrap(Arrays.copyOf(buffer, n)))).block();
                }
            }
        } catch (IOException e) {
            stdinError = e;
            ws.close(CloseStatus.INTERNAL_ERROR, "reading stdin failed").block();
            return;
        } catch (RuntimeException e) {
            // The send failed: the connection is closing or gone, and receive() reports why.
            return;
        }
        ws.close(CloseStatus.NORMAL_CLOSURE, "").block();
    }
}
