package io.fluxsocket;

import java.util.StringJoiner;

/**
 * The permessage-deflate extension (RFC 7692) as this client offers it: immutable, each
 * {@code with}-method returns a copy. Opt in with
 * {@link WebSocketClient.Builder#perMessageDeflate(PerMessageDeflate)}:
 *
 * <pre>{@code
 * WebSocketClient client = WebSocketClient.builder()
 *         .perMessageDeflate(PerMessageDeflate.defaults().clientNoContextTakeover(true))
 *         .build();
 * }</pre>
 *
 * <p>The offer carries the parameters set here; a server that answers with a parameter it may not
 * send, or a value that was not offered, fails the handshake with {@code PROTOCOL_ERROR}. A server
 * that does not answer with the extension gets uncompressed frames, as without this option;
 * {@link WebSocketInfo#extensions()} says what was agreed.
 *
 * <p>Messages are compressed as they stream: a streamed message stays streamed, each of its frames
 * compressed on its own as it goes out. A whole message (every frame of it at hand) shorter than
 * {@link #minMessageSize()} is sent uncompressed, as compressing it would save next to nothing.
 * Received messages are inflated in pieces of at most 16 KiB, and only while the receiving side has
 * room: the inflated bytes count against {@code receiveBufferBytes} (and against
 * {@code maxMessageSize} for whole messages, 1009 as soon as a message inflates past it), so that a
 * small compressed message that inflates to gigabytes is held as any other data.
 */
public final class PerMessageDeflate {

    private static final PerMessageDeflate DEFAULTS = new PerMessageDeflate(15, 15, false, false, 6, 64);

    private final int clientMaxWindowBits;
    private final int serverMaxWindowBits;
    private final boolean clientNoContextTakeover;
    private final boolean serverNoContextTakeover;
    private final int compressionLevel;
    private final int minMessageSize;

    private PerMessageDeflate(int clientMaxWindowBits, int serverMaxWindowBits, boolean clientNoContextTakeover,
            boolean serverNoContextTakeover, int compressionLevel, int minMessageSize) {
        this.clientMaxWindowBits = clientMaxWindowBits;
        this.serverMaxWindowBits = serverMaxWindowBits;
        this.clientNoContextTakeover = clientNoContextTakeover;
        this.serverNoContextTakeover = serverNoContextTakeover;
        this.compressionLevel = compressionLevel;
        this.minMessageSize = minMessageSize;
    }

    /**
     * Windows of 15 bits each way, context takeover both ways, compression level 6, messages of at
     * least 64 bytes compressed: the offer is {@code permessage-deflate; client_max_window_bits}.
     */
    public static PerMessageDeflate defaults() {
        return DEFAULTS;
    }

    /**
     * The largest LZ77 window this client compresses with, 8 to 15 bits; offered as
     * {@code client_max_window_bits} (with no value at 15: the server may then ask for less). A
     * server that asks for less than 15 is obeyed.
     *
     * @throws WebSocketException with {@code INVALID_ARGUMENT} naming {@code clientMaxWindowBits} outside 8–15
     */
    public PerMessageDeflate clientMaxWindowBits(int bits) {
        return new PerMessageDeflate(Arguments.range(bits, 8, 15, "clientMaxWindowBits"), serverMaxWindowBits,
                clientNoContextTakeover, serverNoContextTakeover, compressionLevel, minMessageSize);
    }

    /**
     * The largest window the server may compress with, 8 to 15 bits; below 15 it is offered as
     * {@code server_max_window_bits}, and a server that does not accept it fails the handshake.
     *
     * @throws WebSocketException with {@code INVALID_ARGUMENT} naming {@code serverMaxWindowBits} outside 8–15
     */
    public PerMessageDeflate serverMaxWindowBits(int bits) {
        return new PerMessageDeflate(clientMaxWindowBits, Arguments.range(bits, 8, 15, "serverMaxWindowBits"),
                clientNoContextTakeover, serverNoContextTakeover, compressionLevel, minMessageSize);
    }

    /**
     * Whether this client compresses each message on its own (less memory kept between messages,
     * less compression); offered as {@code client_no_context_takeover}. A server may ask for it
     * too, and is then obeyed.
     */
    public PerMessageDeflate clientNoContextTakeover(boolean noContextTakeover) {
        return new PerMessageDeflate(clientMaxWindowBits, serverMaxWindowBits, noContextTakeover,
                serverNoContextTakeover, compressionLevel, minMessageSize);
    }

    /** Asks the server to compress each message on its own ({@code server_no_context_takeover}). */
    public PerMessageDeflate serverNoContextTakeover(boolean noContextTakeover) {
        return new PerMessageDeflate(clientMaxWindowBits, serverMaxWindowBits, clientNoContextTakeover,
                noContextTakeover, compressionLevel, minMessageSize);
    }

    /**
     * The deflate level, 1 (fastest) to 9 (smallest), as {@link java.util.zip.Deflater} takes it.
     *
     * @throws WebSocketException with {@code INVALID_ARGUMENT} naming {@code compressionLevel} outside 1–9
     */
    public PerMessageDeflate compressionLevel(int level) {
        return new PerMessageDeflate(clientMaxWindowBits, serverMaxWindowBits, clientNoContextTakeover,
                serverNoContextTakeover, Arguments.range(level, 1, 9, "compressionLevel"), minMessageSize);
    }

    /**
     * Whole messages shorter than this many bytes are sent uncompressed (0: every message is
     * compressed). A message that streams, whose size is not known when its first frame goes, is
     * always compressed.
     *
     * @throws WebSocketException with {@code INVALID_ARGUMENT} naming {@code minMessageSize} if negative
     */
    public PerMessageDeflate minMessageSize(int bytes) {
        return new PerMessageDeflate(clientMaxWindowBits, serverMaxWindowBits, clientNoContextTakeover,
                serverNoContextTakeover, compressionLevel, Arguments.range(bytes, 0, Integer.MAX_VALUE, "minMessageSize"));
    }

    public int clientMaxWindowBits() {
        return clientMaxWindowBits;
    }

    public int serverMaxWindowBits() {
        return serverMaxWindowBits;
    }

    public boolean clientNoContextTakeover() {
        return clientNoContextTakeover;
    }

    public boolean serverNoContextTakeover() {
        return serverNoContextTakeover;
    }

    public int compressionLevel() {
        return compressionLevel;
    }

    public int minMessageSize() {
        return minMessageSize;
    }

    /** The offer, as it goes in the {@code Sec-WebSocket-Extensions} request header. */
    public String offer() {
        StringJoiner offer = new StringJoiner("; ").add("permessage-deflate");
        offer.add(clientMaxWindowBits == 15 ? "client_max_window_bits" : "client_max_window_bits=" + clientMaxWindowBits);
        if (serverMaxWindowBits < 15) {
            offer.add("server_max_window_bits=" + serverMaxWindowBits);
        }
        if (clientNoContextTakeover) {
            offer.add("client_no_context_takeover");
        }
        if (serverNoContextTakeover) {
            offer.add("server_no_context_takeover");
        }
        return offer.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PerMessageDeflate p && p.clientMaxWindowBits == clientMaxWindowBits
                && p.serverMaxWindowBits == serverMaxWindowBits && p.clientNoContextTakeover == clientNoContextTakeover
                && p.serverNoContextTakeover == serverNoContextTakeover && p.compressionLevel == compressionLevel
                && p.minMessageSize == minMessageSize;
    }

    @Override
    public int hashCode() {
        int h = clientMaxWindowBits;
        h = 31 * h + serverMaxWindowBits;
        h = 31 * h + (clientNoContextTakeover ? 1 : 0);
        h = 31 * h + (serverNoContextTakeover ? 1 : 0);
        h = 31 * h + compressionLevel;
        return 31 * h + minMessageSize;
    }

    @Override
    public String toString() {
        return offer() + " (level " + compressionLevel + ", messages of " + minMessageSize + " bytes or more)";
    }
}
