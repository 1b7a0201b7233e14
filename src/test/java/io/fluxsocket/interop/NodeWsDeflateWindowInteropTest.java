package io.fluxsocket.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fluxsocket.PerMessageDeflate;
import io.fluxsocket.testing.DeflateDistances;
import io.fluxsocket.testing.Frame;
import io.fluxsocket.testing.RawServer;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * permessage-deflate against Node.js and the {@code ws} library ({@code src/test/peers/node/deflate-server.js}):
 * the LZ77 windows. {@code server_max_window_bits} 9 to 15 offered by this client (ws accepts the
 * value and compresses with it; 15 is the default offer, which has no such parameter), a smaller
 * server window the server chooses itself, {@code client_max_window_bits} asked by the server (ws
 * then inflates with that window, and zlib refuses a back-reference further than it: the echo of
 * {@link DeflateInteropContract} proves that this client keeps to it, as
 * {@link #theServerThatAskedForANineBitWindowRefusesReferencesFurtherBack} shows), and every
 * parameter at once. The 100 MiB transfers run in {@link NodeWsDeflateInteropTest} only.
 */
class NodeWsDeflateWindowInteropTest extends DeflateInteropContract {

    private static final PerMessageDeflate DEFAULTS = PerMessageDeflate.defaults();
    private static final Combination NINE_BIT_CLIENT_WINDOW = new Combination("client_max_window_bits=9 asked by the server",
            DEFAULTS, Map.of("DEFLATE_CLIENT_MAX_WINDOW_BITS", "9"), "permessage-deflate; client_max_window_bits=9");

    @Override
    List<Combination> combinations() {
        List<Combination> all = new ArrayList<>();
        for (int bits = 9; bits <= 15; bits++) {
            all.add(new Combination("server_max_window_bits=" + bits + " offered", DEFAULTS.serverMaxWindowBits(bits), Map.of(),
                    bits == 15 ? "permessage-deflate" : "permessage-deflate; server_max_window_bits=" + bits));
        }
        all.add(new Combination("server_max_window_bits=10 by the server", DEFAULTS,
                Map.of("DEFLATE_SERVER_MAX_WINDOW_BITS", "10"), "permessage-deflate; server_max_window_bits=10"));
        for (int bits : new int[]{8, 12}) {
            all.add(new Combination("client_max_window_bits=" + bits + " asked by the server", DEFAULTS,
                    Map.of("DEFLATE_CLIENT_MAX_WINDOW_BITS", String.valueOf(bits)), "permessage-deflate; client_max_window_bits=" + bits));
        }
        all.add(NINE_BIT_CLIENT_WINDOW);
        all.add(new Combination("every parameter offered",
                DEFAULTS.clientMaxWindowBits(9).serverMaxWindowBits(9).clientNoContextTakeover(true).serverNoContextTakeover(true),
                Map.of(), "permessage-deflate; client_max_window_bits=9; server_max_window_bits=9; "
                        + "client_no_context_takeover; server_no_context_takeover"));
        return all;
    }

    @Override
    List<Combination> volumeCombinations() {
        return List.of();
    }

    @Override
    InteropServer start(Combination combination) {
        return PeerServer.start(Peer.NODE_WS, "deflate-server.js", combination.server());
    }

    /**
     * Without fluxsocket: the message of 1000-byte blocks that share their first 300 bytes,
     * compressed with the JDK's 15-bit window (back-references of 1000 bytes and more) fails the connection
     * with 1007 on ws that asked for 9 bits; compressed with a full flush every 512 bytes, as this
     * client does, it is echoed.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void theServerThatAskedForANineBitWindowRefusesReferencesFurtherBack(boolean withinNineBits) throws Exception {
        byte[] data = blocksRepeatedFurtherThanNineBits(100);
        byte[] payload = deflate(data, withinNineBits ? 512 : 0);
        int longest = DeflateDistances.max(withTail(payload));
        assertTrue(withinNineBits == (longest <= 512), "longest back-reference " + longest);

        try (Socket socket = handshake(server(NINE_BIT_CLIENT_WINDOW).uri("/echo"))) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            socket.getOutputStream().write(RawServer.frame(true, 4, Frame.BINARY, true, payload));
            Frame answer = read(in);
            if (withinNineBits) {
                assertEquals(Frame.BINARY, answer.opcode(), "the echo: " + answer);
                assertArrayEquals(data, inflate(answer.payload()), "the echo inflated");
            } else {
                assertEquals(Frame.CLOSE, answer.opcode(), "the server's Close: " + answer);
                assertEquals(1007, answer.closeCode(), "ws fails the message it cannot inflate: " + answer.closeReason());
            }
        }
    }

    /** {@code data} compressed as one message (tail removed), with a full flush every {@code window} bytes (0: none). */
    private static byte[] deflate(byte[] data, int window) {
        Deflater deflater = new Deflater(6, true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        int step = window == 0 ? data.length : window;
        for (int at = 0; at < data.length; at += step) {
            deflater.setInput(data, at, Math.min(step, data.length - at));
            int mode = at + step < data.length ? Deflater.FULL_FLUSH : Deflater.SYNC_FLUSH;
            int n;
            do {
                n = deflater.deflate(buffer, 0, buffer.length, mode);
                out.write(buffer, 0, n);
            } while (n == buffer.length || !deflater.needsInput());
        }
        deflater.end();
        byte[] all = out.toByteArray();
        return Arrays.copyOf(all, all.length - 4);
    }

    private static byte[] withTail(byte[] payload) {
        byte[] withTail = Arrays.copyOf(payload, payload.length + 4);
        withTail[payload.length + 2] = (byte) 0xFF;
        withTail[payload.length + 3] = (byte) 0xFF;
        return withTail;
    }

    private static byte[] inflate(byte[] payload) throws DataFormatException {
        Inflater inflater = new Inflater(true);
        inflater.setInput(withTail(payload));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = inflater.inflate(buffer)) > 0 || !inflater.needsInput(); ) {
            out.write(buffer, 0, n);
        }
        inflater.end();
        return out.toByteArray();
    }

    /** A plain socket that completed a handshake offering permessage-deflate, and was asked for 9 bits. */
    private static Socket handshake(URI uri) throws IOException {
        Socket socket = new Socket(uri.getHost(), uri.getPort());
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        while (!response.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = socket.getInputStream().read();
            if (b < 0) {
                throw new IOException("the server closed during the handshake: " + response);
            }
            response.write(b);
        }
        String head = response.toString(StandardCharsets.US_ASCII);
        assertTrue(head.startsWith("HTTP/1.1 101 ") && head.contains("client_max_window_bits=9"), head);
        return socket;
    }

    /** Reads one frame of the server (unmasked). */
    private static Frame read(DataInputStream in) throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[Math.toIntExact(length)];
        in.readFully(payload);
        return new Frame(new byte[]{(byte) b0, (byte) b1}, (b0 & 0x80) != 0, (b0 >>> 4) & 7, b0 & 0x0F, false, new byte[0], payload);
    }
}
