package io.fluxsocket.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the tests of unanswered addresses rest on: on this machine, a full accept queue drops SYNs. */
@Timeout(30)
class FullBacklogTest {

    @Test
    void aConnectToAFullBacklogIsNeitherAnsweredNorRefused() throws IOException {
        try (FullBacklog silent = new FullBacklog(InetAddress.getByName("127.0.0.2"), 0); Socket s = new Socket()) {
            assertThrows(SocketTimeoutException.class, () -> s.connect(silent.address(), 500));
        }
    }

    @Test
    void anUnansweredConnectIsSynSentUntilItsSocketIsClosed() throws IOException {
        assumeTrue(TcpTable.available(), "no /proc/net/tcp: not Linux");
        try (FullBacklog silent = new FullBacklog(InetAddress.getByName("127.0.0.2"), 0)) {
            // The fillers' connections were made by the kernel, never accepted.
            assertTrue(silent.queued() >= 1);
            assertEquals(silent.queued(), TcpTable.count(silent.address(), TcpTable.State.ESTABLISHED));
            SocketChannel waiting = SocketChannel.open();
            waiting.configureBlocking(false);
            waiting.connect(silent.address());
            assertEquals(1, TcpTable.count(silent.address(), TcpTable.State.SYN_SENT));
            waiting.close();
            Await.until(() -> TcpTable.count(silent.address(), TcpTable.State.SYN_SENT) == 0, Duration.ofSeconds(5),
                    "the closed socket is gone");
        }
    }

    @Test
    void anIpv6FullBacklogDropsSynsToo() throws IOException {
        InetAddress v6 = InetAddress.getByName("::1");
        assumeTrue(hasAddress(v6), "this machine has no ::1");
        try (FullBacklog silent = new FullBacklog(v6, 0); Socket s = new Socket()) {
            assertThrows(SocketTimeoutException.class, () -> s.connect(silent.address(), 500));
        }
    }

    private static boolean hasAddress(InetAddress address) {
        try (var s = new java.net.ServerSocket()) {
            s.bind(new InetSocketAddress(address, 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
