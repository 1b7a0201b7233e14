package io.fluxsocket.testing;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/** Lower-case hex strings of bytes, the form byte-exact fixtures are written in. */
public final class Hex {

    private static final HexFormat HEX = HexFormat.of();

    private Hex() {
    }

    /** The hex string of {@code bytes}, e.g. {@code "888203e8"}. */
    public static String of(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /** The hex string of the remaining bytes of {@code buffer}; its position is left unchanged. */
    public static String of(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return of(bytes);
    }

    /** The bytes of a hex string; spaces are ignored, so fixtures may group bytes. */
    public static byte[] bytes(String hex) {
        return HEX.parseHex(hex.replace(" ", ""));
    }
}
