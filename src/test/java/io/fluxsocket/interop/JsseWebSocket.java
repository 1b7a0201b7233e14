package io.fluxsocket.interop;

import io.fluxsocket.testing.Frame;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A minimal blocking {@code wss://} client on the JDK's own TLS (a JSSE {@link SSLSocket}, host
 * name checked as HTTPS does), with no fluxsocket and no Netty in the way: it proves the peers'
 * TLS setups by themselves. It sends and reads whole unfragmented frames, and nothing more.
 *
 * <p>Not {@code java.net.http}'s WebSocket: the tests compile as part of the {@code io.fluxsocket}
 * module, which does not read {@code java.net.http}.
 */
final class JsseWebSocket implements AutoCloseable {

    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SSLSocket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private JsseWebSocket(SSLSocket socket, DataInputStream in, OutputStream out) {
        this.socket = socket;
        this.in = in;
        this.out = out;
    }

    /**
     * Connects to a {@code wss://} URI over {@code context}'s TLS and completes the opening handshake.
     *
     * @throws IOException if TLS fails (an untrusted server, a refused client certificate: with
     *     TLS 1.3 the server's refusal may come only as the handshake response is read) or the
     *     server does not switch protocols
     */
    static JsseWebSocket connect(SSLContext context, URI uri, Duration timeout) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(uri.getHost(), uri.getPort());
        try {
            socket.setSoTimeout((int) timeout.toMillis());
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();

            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            OutputStream out = socket.getOutputStream();
            byte[] nonce = new byte[16];
            RANDOM.nextBytes(nonce);
            String key = Base64.getEncoder().encodeToString(nonce);
            String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            out.write(("GET " + path + " HTTP/1.1\r\n"
                    + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + key + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();

            String status = readLine(in);
            String accept = null;
            for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-accept:")) {
                    accept = line.substring(line.indexOf(':') + 1).trim();
                }
            }
            if (!status.startsWith("HTTP/1.1 101 ") || !expectedAccept(key).equals(accept)) {
                throw new IOException("no WebSocket handshake: " + status + ", Sec-WebSocket-Accept " + accept);
            }
            return new JsseWebSocket(socket, in, out);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends one masked frame, FIN set, with {@code opcode} and {@code payload}. */
    void send(int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x80 | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** Sends a Close frame with {@code code} and no reason. */
    void sendClose(int code) throws IOException {
        send(Frame.CLOSE, new byte[] {(byte) (code >>> 8), (byte) code});
    }

    /** Reads the next frame, waiting for it up to the connect timeout. */
    Frame read() throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        header.write(first);
        header.write(second);
        long length = second & 0x7F;
        if (length >= 126) {
            int bytes = length == 126 ? 2 : 8;
            length = 0;
            for (int i = 0; i < bytes; i++) {
                int b = in.readUnsignedByte();
                header.write(b);
                length = (length << 8) | b;
            }
        }
        if (length > Integer.MAX_VALUE - 8) {
            throw new IOException("a frame of " + length + " bytes is more than this client reads");
        }
        boolean masked = (second & 0x80) != 0;
        byte[] mask = new byte[masked ? 4 : 0];
        in.readFully(mask);
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        for (int i = 0; masked && i < payload.length; i++) {
            payload[i] ^= mask[i & 3];
        }
        return new Frame(header.toByteArray(), (first & 0x80) != 0, (first >>> 4) & 7, first & 0x0F, masked, mask, payload);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static String readLine(DataInputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the connection ended in the handshake response, after '" + line + "'");
            }
            if (b == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            line.append((char) b);
        }
    }

    private static String expectedAccept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-1", e);
        }
    }
}
