package io.fluxsocket.testing;

import io.fluxsocket.MessageWebSocket;
import io.fluxsocket.StreamWebSocket;
import io.fluxsocket.WebSocketClient;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;

/**
 * A scripted, hostile WebSocket server on plain {@code java.net} sockets: it does exactly what the
 * test says, byte for byte, and nothing else. It serves one connection at a time on
 * {@code 127.0.0.1} and an ephemeral port.
 *
 * <p>Everything blocks on the test's thread with a time limit: accepts and reads use
 * {@link #IO_TIMEOUT} (or the timeout given), so a broken client makes a test fail instead of
 * hang. {@link #trickle} and {@link #writeAsync} write on the server's own writer thread, in the
 * order they were called, so the test can wait on the client meanwhile.
 *
 * <p>Server frames are written unmasked unless a test asks otherwise; client frames read with
 * {@link #readFrame()} must be masked (RFC 6455 §5.1) or the read fails.
 */
public final class RawServer implements AutoCloseable {

    /** The limit of every blocking accept and read that is not given one of its own. */
    public static final Duration IO_TIMEOUT = Duration.ofSeconds(5);

    /** RFC 6455 §1.3: appended to the key to compute {@code Sec-WebSocket-Accept}. */
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    /** The masking key of masked server frames: the one of RFC 6455 §5.7's examples. */
    private static final byte[] MASK = {0x37, (byte) 0xfa, 0x21, 0x3d};
    /** Client frames larger than this are not read into memory: the read fails instead. */
    private static final int MAX_READ_PAYLOAD = 1 << 20;

    private final ServerSocket listener;
    /** Runs trickles and asynchronous writes, one at a time, in order. */
    private final ScheduledExecutorService writer;

    /** The accepted connection, or null before {@link #accept()} (test thread; closed by any). */
    private volatile Socket socket;
    private DataInputStream in;
    private OutputStream out;
    /** The handshake request read from the connection, or null before {@link #readRequest()}. */
    private Request request;

    private RawServer(ServerSocket listener) {
        this.listener = listener;
        this.writer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "raw-server-writer-" + listener.getLocalPort());
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts listening on {@code 127.0.0.1} and an ephemeral port. */
    public static RawServer start() {
        return start(0);
    }

    /**
     * Starts listening; accepted sockets get {@code SO_RCVBUF = receiveBufferSize} (0: the system's
     * default), so that a test can make the server's receive window small.
     */
    public static RawServer start(int receiveBufferSize) {
        try {
            ServerSocket listener = new ServerSocket();
            if (receiveBufferSize > 0) {
                // Set before bind so that accepted sockets inherit it with the window it implies.
                listener.setReceiveBufferSize(receiveBufferSize);
            }
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            listener.setSoTimeout((int) IO_TIMEOUT.toMillis());
            return new RawServer(listener);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** {@code ws://127.0.0.1:<port>/}. */
    public URI uri() {
        return uri("/");
    }

    /** {@code ws://127.0.0.1:<port><pathAndQuery>}. */
    public URI uri(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + port() + pathAndQuery);
    }

    // ---- the connection ----

    /**
     * Accepts the next connection within {@link #IO_TIMEOUT}.
     *
     * @throws AssertionError if no client connected in time
     */
    public RawServer accept() {
        if (socket != null) {
            throw new IllegalStateException("a connection was already accepted");
        }
        try {
            Socket s = listener.accept();
            s.setSoTimeout((int) IO_TIMEOUT.toMillis());
            s.setTcpNoDelay(true);
            socket = s;
            in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            out = s.getOutputStream();
            return this;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no client connected within " + IO_TIMEOUT.toMillis() + " ms", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads the HTTP request head, up to and including the empty line, and nothing after it.
     *
     * @throws AssertionError if the head did not arrive within {@link #IO_TIMEOUT} or is malformed
     */
    public Request readRequest() {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        try {
            int matched = 0;
            byte[] end = {'\r', '\n', '\r', '\n'};
            while (matched < 4) {
                int b = in.read();
                if (b == -1) {
                    throw new AssertionError("the client closed the connection in the request head: "
                            + head.toString(StandardCharsets.ISO_8859_1));
                }
                head.write(b);
                matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
                if (head.size() > 64 * 1024) {
                    throw new AssertionError("request head longer than 64 KiB");
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no complete request head within the read timeout; got: "
                    + head.toString(StandardCharsets.ISO_8859_1), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        request = Request.parse(head.toString(StandardCharsets.ISO_8859_1));
        return request;
    }

    /** Connects {@code client} in stream mode: accepts its handshake and answers 101. */
    public StreamWebSocket connect(WebSocketClient client) {
        return open(client.connect(uri()));
    }

    /** Connects {@code client} in message mode: accepts its handshake and answers 101. */
    public MessageWebSocket connectMessages(WebSocketClient client) {
        return open(client.connectMessages(uri()));
    }

    private <T> T open(Mono<T> connecting) {
        CompletableFuture<T> connected = connecting.toFuture();
        acceptHandshake();
        respond101();
        return connected.orTimeout(5, TimeUnit.SECONDS).join();
    }

    /** {@link #accept()} then {@link #readRequest()}. */
    public Request acceptHandshake() {
        return accept().readRequest();
    }

    /** The request read by {@link #readRequest()}. */
    public Request request() {
        if (request == null) {
            throw new IllegalStateException("no request was read yet");
        }
        return request;
    }

    // ---- handshake responses ----

    /** {@code Sec-WebSocket-Accept} for a key: base64(SHA-1(key + GUID)). */
    public static String acceptFor(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The bytes of a valid 101 response to the request read, with extra header lines
     * ({@code "Name: value"}) before the empty line.
     */
    public byte[] response101(String... extraHeaders) {
        StringBuilder sb = new StringBuilder()
                .append("HTTP/1.1 101 Switching Protocols\r\n")
                .append("Upgrade: websocket\r\n")
                .append("Connection: Upgrade\r\n")
                .append("Sec-WebSocket-Accept: ").append(acceptFor(request().key())).append("\r\n");
        for (String h : extraHeaders) {
            sb.append(h).append("\r\n");
        }
        return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Writes a valid 101 response to the request read. */
    public void respond101(String... extraHeaders) {
        write(response101(extraHeaders));
    }

    /** Writes a response exactly as given (ISO-8859-1 bytes of the string). */
    public void respondRaw(String response) {
        write(response.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Writes bytes exactly as given. */
    public void respondRaw(byte[] response) {
        write(response);
    }

    // ---- writing ----

    /** Writes the bytes in one {@code write} call and flushes. */
    public void write(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        try {
            out.write(all.toByteArray());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the bytes on the server's writer thread, after earlier asynchronous writes; for writes
     * that may block because the client does not read.
     *
     * @return completes when the bytes were written, exceptionally if the write failed
     */
    public CompletableFuture<Void> writeAsync(byte[] bytes) {
        return CompletableFuture.runAsync(() -> write(bytes), writer);
    }

    /** Writes a frame: see {@link #frame}. */
    public void sendFrame(boolean fin, int rsv, int opcode, boolean masked, byte[] payload) {
        write(frame(fin, rsv, opcode, masked, payload));
    }

    /** Writes an unmasked, final binary frame. */
    public void sendBinary(byte[] payload) {
        sendFrame(true, 0, Frame.BINARY, false, payload);
    }

    /**
     * Writes only the header of a frame that claims {@code claimedLength} payload bytes (in the
     * shortest length encoding); the payload is not sent.
     */
    public void sendFrameHeader(boolean fin, int rsv, int opcode, boolean masked, long claimedLength) {
        write(header(fin, rsv, opcode, masked, claimedLength));
    }

    /** Writes an unmasked Close frame with a code and a reason. */
    public void sendClose(int code, String reason) {
        write(frame(true, 0, Frame.CLOSE, false, closePayload(code, reason)));
    }

    /** Writes an unmasked Close frame with an empty payload (no code). */
    public void sendClose() {
        write(frame(true, 0, Frame.CLOSE, false, new byte[0]));
    }

    /**
     * Writes {@code bytes} one byte at a time, one every {@code delay}, on the writer thread: a slow
     * server. No sleep on the test's thread: the writes are scheduled.
     *
     * @return completes after the last byte, exceptionally when a write fails (the client left)
     */
    public CompletableFuture<Void> trickle(byte[] bytes, Duration delay) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        AtomicInteger next = new AtomicInteger();
        ScheduledFuture<?> task = writer.scheduleWithFixedDelay(() -> {
            if (done.isDone()) {
                return;
            }
            int i = next.getAndIncrement();
            try {
                if (i < bytes.length) {
                    out.write(bytes[i]);
                    out.flush();
                }
                if (i >= bytes.length - 1) {
                    done.complete(null);
                }
            } catch (IOException e) {
                done.completeExceptionally(e);
            }
        }, 0, delay.toNanos(), TimeUnit.NANOSECONDS);
        // Runs at once if the trickle is already over: the repetition stops either way.
        done.whenComplete((v, e) -> task.cancel(false));
        return done;
    }

    // ---- frames ----

    /** The parts one after the other, as one write: frames that must arrive in one read. */
    public static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        return all.toByteArray();
    }

    /**
     * The bytes of a frame with the shortest length encoding: 7-bit up to 125, 16-bit up to 65535,
     * 64-bit beyond. A masked frame gets a fixed masking key and a masked payload.
     */
    public static byte[] frame(boolean fin, int rsv, int opcode, boolean masked, byte[] payload) {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.writeBytes(header(fin, rsv, opcode, masked, payload.length));
        if (masked) {
            byte[] p = payload.clone();
            for (int i = 0; i < p.length; i++) {
                p[i] ^= MASK[i & 3];
            }
            f.writeBytes(p);
        } else {
            f.writeBytes(payload);
        }
        return f.toByteArray();
    }

    /** The header of a frame claiming {@code length} payload bytes, masking key included if masked. */
    public static byte[] header(boolean fin, int rsv, int opcode, boolean masked, long length) {
        if (rsv < 0 || rsv > 7 || opcode < 0 || opcode > 15 || length < 0) {
            throw new IllegalArgumentException("rsv " + rsv + ", opcode " + opcode + ", length " + length);
        }
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        h.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
        int maskBit = masked ? 0x80 : 0;
        if (length <= 125) {
            h.write(maskBit | (int) length);
        } else if (length <= 0xFFFF) {
            h.write(maskBit | 126);
            h.write((int) (length >>> 8));
            h.write((int) length);
        } else {
            h.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                h.write((int) (length >>> shift));
            }
        }
        if (masked) {
            h.writeBytes(MASK);
        }
        return h.toByteArray();
    }

    /** A Close payload: the 2-byte code, then the reason as UTF-8. */
    public static byte[] closePayload(int code, String reason) {
        return closePayload(code, reason.getBytes(StandardCharsets.UTF_8));
    }

    /** A Close payload: the 2-byte code, then the reason bytes as given (valid UTF-8 or not). */
    public static byte[] closePayload(int code, byte[] reason) {
        byte[] p = new byte[2 + reason.length];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(reason, 0, p, 2, reason.length);
        return p;
    }

    /**
     * Grows the accepted socket's receive buffer, e.g. once a test no longer needs the client's
     * sends held back. (With the window scale fixed at connect time by a small buffer, the window
     * still reaches 64 KiB, enough to leave the persist-timer trickle that a tiny window causes.)
     */
    public void growReceiveBuffer(int bytes) {
        try {
            socket.setReceiveBufferSize(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- reading ----

    /**
     * Reads one frame of the client within {@link #IO_TIMEOUT}.
     *
     * @throws AssertionError if no whole frame arrived in time, the client closed TCP first, or the
     *     frame was not masked
     */
    public Frame readFrame() {
        return readFrame(IO_TIMEOUT);
    }

    /** Reads one frame of the client within {@code timeout}; see {@link #readFrame()}. */
    public Frame readFrame(Duration timeout) {
        try {
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            ByteArrayOutputStream header = new ByteArrayOutputStream();
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            header.write(b0);
            header.write(b1);
            long length = b1 & 0x7F;
            if (length == 126) {
                int l = in.readUnsignedShort();
                header.write(l >>> 8);
                header.write(l);
                length = l;
            } else if (length == 127) {
                length = in.readLong();
                for (int shift = 56; shift >= 0; shift -= 8) {
                    header.write((int) (length >>> shift));
                }
            }
            boolean masked = (b1 & 0x80) != 0;
            if (!masked) {
                throw new AssertionError("a client frame must be masked (RFC 6455 §5.1), header "
                        + Hex.of(header.toByteArray()));
            }
            if (length < 0 || length > MAX_READ_PAYLOAD) {
                throw new AssertionError("client frame claims " + length + " payload bytes");
            }
            byte[] key = new byte[4];
            in.readFully(key);
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= key[i & 3];
            }
            return new Frame(header.toByteArray(), (b0 & 0x80) != 0, (b0 >>> 4) & 7, b0 & 0x0F, true, key, payload);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no whole frame from the client within " + timeout.toMillis() + " ms", e);
        } catch (EOFException e) {
            throw new AssertionError("the client closed TCP where a frame was expected", e);
        } catch (IOException e) {
            throw new AssertionError("reading a frame failed: " + e, e);
        } finally {
            restoreTimeout();
        }
    }

    /**
     * Waits for the client to close TCP: a read returns end of stream or the connection is reset.
     *
     * @return how long it took
     * @throws AssertionError if a byte arrives instead, or nothing within {@code timeout}
     */
    public Duration expectEof(Duration timeout) {
        long start = System.nanoTime();
        try {
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            int b = in.read();
            if (b != -1) {
                throw new AssertionError("expected the client to close TCP, but read byte 0x"
                        + Integer.toHexString(b) + " first");
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the client did not close TCP within " + timeout.toMillis() + " ms", e);
        } catch (SocketException e) {
            // A reset is a closed socket too.
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            restoreTimeout();
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Half-closes: sends a FIN (shutdownOutput), whatever unread data the socket holds. */
    public void closeTcp() {
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Resets the connection: {@code SO_LINGER} 0, then close, so an RST is sent instead of a FIN. */
    public void reset() {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Closes the connection accepted before and accepts the next one, within {@link #IO_TIMEOUT}
     * (a client that makes one connection after another: an authentication retry, a redirect).
     */
    public RawServer acceptNext() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
        socket = null;
        request = null;
        return accept();
    }

    /** Closes the connection, the listener and the writer thread. */
    @Override
    public void close() {
        writer.shutdownNow();
        try {
            Socket s = socket;
            if (s != null) {
                s.close();
            }
        } catch (IOException ignored) {
            // Closing anyway.
        }
        try {
            listener.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
    }

    private void restoreTimeout() {
        try {
            if (!socket.isClosed()) {
                socket.setSoTimeout((int) IO_TIMEOUT.toMillis());
            }
        } catch (SocketException ignored) {
            // The socket is gone: no timeout to restore.
        }
    }

    /**
     * An HTTP request head.
     *
     * @param method  the method, e.g. {@code GET}
     * @param target  the request target, e.g. {@code /chat?room=1}
     * @param version the HTTP version, e.g. {@code HTTP/1.1}
     * @param headers the header fields in order, names as sent
     * @param raw     the head as received, up to and including the empty line
     */
    public record Request(String method, String target, String version, List<Map.Entry<String, String>> headers,
                          String raw) {

        static Request parse(String head) {
            String[] lines = head.split("\r\n");
            String[] requestLine = lines[0].split(" ", -1);
            if (requestLine.length != 3) {
                throw new AssertionError("malformed request line: '" + lines[0] + "'");
            }
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon <= 0) {
                    throw new AssertionError("malformed header line: '" + lines[i] + "'");
                }
                headers.add(Map.entry(lines[i].substring(0, colon), lines[i].substring(colon + 1).trim()));
            }
            return new Request(requestLine[0], requestLine[1], requestLine[2], List.copyOf(headers), head);
        }

        /** The values of a header, names compared case-insensitively. */
        public List<String> headers(String name) {
            List<String> values = new ArrayList<>();
            for (Map.Entry<String, String> e : headers) {
                if (e.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                    values.add(e.getValue());
                }
            }
            return values;
        }

        /** The only value of a header, or null if absent; fails if it appears more than once. */
        public String header(String name) {
            List<String> values = headers(name);
            if (values.size() > 1) {
                throw new AssertionError("header '" + name + "' appears " + values.size() + " times: " + values);
            }
            return values.isEmpty() ? null : values.get(0);
        }

        /** {@code Sec-WebSocket-Key}. */
        public String key() {
            String key = header("Sec-WebSocket-Key");
            if (key == null) {
                throw new AssertionError("the request has no Sec-WebSocket-Key:\n" + raw);
            }
            return key;
        }
    }
}
