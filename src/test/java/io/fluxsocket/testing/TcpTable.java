package io.fluxsocket.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernel's table of this machine's TCP sockets ({@code /proc/net/tcp} and {@code /proc/net/tcp6},
 * Linux): which sockets connect to an address, and in which state. A socket still trying to connect
 * (its SYN unanswered) is {@code SYN_SENT} until it is closed; a closed one is gone at once.
 */
public final class TcpTable {

    /** The states of {@code include/net/tcp_states.h} that tests look for. */
    public enum State {
        ESTABLISHED(0x01), SYN_SENT(0x02);

        final int code;

        State(int code) {
            this.code = code;
        }
    }

    private TcpTable() {
    }

    /** Whether this machine has the table (Linux). */
    public static boolean available() {
        return Files.isReadable(Path.of("/proc/net/tcp"));
    }

    /** How many sockets of this machine connect to {@code remote} in {@code state} (IPv4 ones through IPv6 sockets too). */
    public static int count(InetSocketAddress remote, State state) {
        int n = 0;
        for (String file : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            Path path = Path.of(file);
            if (!Files.isReadable(path)) {
                continue;
            }
            List<String> lines;
            try {
                lines = Files.readAllLines(path);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (String line : lines.subList(1, lines.size())) {
                // sl local_address rem_address st ...
                String[] f = line.trim().split("\\s+");
                if (Integer.parseInt(f[3], 16) == state.code && remote.equals(address(f[2]))) {
                    n++;
                }
            }
        }
        return n;
    }

    /** {@code 0200007F:A209}: the address in 32-bit words of the kernel's byte order, the port in hex. */
    private static InetSocketAddress address(String field) {
        String[] parts = field.split(":");
        String hex = parts[0];
        byte[] bytes = new byte[hex.length() / 2];
        boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int b = 0; b < 4; b++) {
                int from = word * 4 + (little ? 3 - b : b);
                bytes[word * 4 + b] = (byte) Integer.parseInt(hex.substring(from * 2, from * 2 + 2), 16);
            }
        }
        try {
            // An IPv4-mapped IPv6 address comes back as the IPv4 address.
            return new InetSocketAddress(InetAddress.getByAddress(bytes), Integer.parseInt(parts[1], 16));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
