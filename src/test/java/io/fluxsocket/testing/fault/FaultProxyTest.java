package io.fluxsocket.testing.fault;

import io.fluxsocket.testing.RawServer;
import io.fluxsocket.testing.fault.Fault.Direction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fault proxy on its own, between two plain sockets: what passes, and where it stops. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FaultProxyTest {

    private static final byte[] HEAD = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    @Test
    void latencyAndJitterDelayButKeepEveryByteInOrderBothWays() throws Exception {
        byte[] data = bytes(100_000);
        try (Pair pair = Pair.open(Fault.latency(Direction.UPSTREAM, Duration.ofMillis(20), Duration.ofMillis(10)),
                Fault.latency(Direction.DOWNSTREAM, Duration.ofMillis(20), Duration.ofMillis(10)))) {
            pair.client.getOutputStream().write(data);
            assertArrayEquals(data, pair.server.getInputStream().readNBytes(data.length));
            pair.server.getOutputStream().write(data);
            assertArrayEquals(data, pair.client.getInputStream().readNBytes(data.length));
            assertEquals(new Link.Counts(data.length, data.length, 0), pair.link.snapshot(Direction.UPSTREAM));
        }
    }

    @Test
    void throttleForwardsNoFasterThanItsRate() throws Exception {
        byte[] data = bytes(20_000);
        try (Pair pair = Pair.open(Fault.throttle(Direction.UPSTREAM, 50_000))) {
            long start = System.nanoTime();
            pair.client.getOutputStream().write(data);
            assertArrayEquals(data, pair.server.getInputStream().readNBytes(data.length));
            // 20,000 bytes at 50,000 B/s: the last piece (a twentieth of a second's) leaves after 0.35 s.
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.toMillis() >= 350, "20,000 bytes at 50,000 B/s in " + took.toMillis() + " ms");
        }
    }

    @Test
    void dripForwardsOneByteAtATimeAtItsPace() throws Exception {
        byte[] data = bytes(50);
        try (Pair pair = Pair.open(Fault.drip(Direction.DOWNSTREAM, Duration.ofMillis(4)))) {
            long start = System.nanoTime();
            pair.server.getOutputStream().write(data);
            InputStream in = pair.client.getInputStream();
            byte[] got = new byte[data.length];
            int reads = 0;
            for (int n = 0; n < data.length; reads++) {
                n += in.read(got, n, data.length - n);
            }
            assertArrayEquals(data, got);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.toMillis() >= 49 * 4, "50 bytes 4 ms apart in " + took.toMillis() + " ms");
            assertTrue(reads > 1, "the bytes came in one read");
        }
    }

    @Test
    void resetAtAnOffsetForwardsTheBytesBeforeItThenResetsBothSides() throws Exception {
        byte[] data = bytes(10_000);
        try (Pair pair = Pair.open(Fault.reset(Direction.UPSTREAM, Position.stream(1234)))) {
            pair.client.getOutputStream().write(data);
            InputStream in = pair.server.getInputStream();
            byte[] got = readUntilFailure(in, SocketException.class);
            assertArrayEquals(Arrays.copyOf(data, 1234), got);
            pair.link.awaitClosed(Duration.ofSeconds(5));
            assertThrows(SocketException.class, () -> pair.client.getInputStream().read());
            assertEquals(1234, pair.link.snapshot(Direction.UPSTREAM).forwarded());
        }
    }

    @Test
    void finAtAnOffsetForwardsTheBytesBeforeItThenEndsBothSides() throws Exception {
        byte[] data = bytes(10_000);
        try (Pair pair = Pair.open(Fault.fin(Direction.DOWNSTREAM, Position.stream(777)))) {
            pair.server.getOutputStream().write(data);
            assertArrayEquals(Arrays.copyOf(data, 777), pair.client.getInputStream().readAllBytes());
            assertEquals(-1, pair.server.getInputStream().read(), "the server's side got a FIN too");
        }
    }

    @Test
    void stallStopsForwardingWithoutClosingAnything() throws Exception {
        byte[] data = bytes(10_000);
        try (Pair pair = Pair.open(Fault.stall(Direction.UPSTREAM, Position.stream(500)))) {
            pair.client.getOutputStream().write(data);
            pair.server.setSoTimeout(500);
            byte[] got = readUntilFailure(pair.server.getInputStream(), SocketTimeoutException.class);
            assertArrayEquals(Arrays.copyOf(data, 500), got);
            // The other way still works: only the one direction stalled.
            pair.server.getOutputStream().write(data, 0, 10);
            assertArrayEquals(Arrays.copyOf(data, 10), pair.client.getInputStream().readNBytes(10));
            assertTrue(pair.link.faulted().isDone());
        }
    }

    @Test
    void framePositionsCountDataFramesAfterTheHeadAndSkipControlFrames() throws Exception {
        byte[] frame0 = RawServer.frame(false, 0, 0x2, false, bytes(300));
        byte[] ping = RawServer.frame(true, 0, 0x9, false, bytes(5));
        byte[] frame1 = RawServer.frame(true, 0, 0x0, false, bytes(70_000));
        byte[] stream = RawServer.concat(HEAD, frame0, ping, frame1);
        int frame1Start = HEAD.length + frame0.length + ping.length;

        try (Pair pair = Pair.open(Fault.fin(Direction.UPSTREAM, Position.frameHeader(1, 3)))) {
            pair.client.getOutputStream().write(stream);
            assertArrayEquals(Arrays.copyOf(stream, frame1Start + 3), pair.server.getInputStream().readAllBytes());
        }
        try (Pair pair = Pair.open(Fault.fin(Direction.UPSTREAM, Position.framePayload(1, 65_000)))) {
            pair.client.getOutputStream().write(stream);
            // A 64-bit length: a 10-byte header before the payload.
            assertArrayEquals(Arrays.copyOf(stream, frame1Start + 10 + 65_000), pair.server.getInputStream().readAllBytes());
        }
        try (Pair pair = Pair.open(Fault.reset(Direction.UPSTREAM, Position.afterHead(0)))) {
            pair.client.getOutputStream().write(stream);
            assertArrayEquals(HEAD, readUntilFailure(pair.server.getInputStream(), SocketException.class));
        }
    }

    // ---- helpers ----

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + (i >> 8));
        }
        return b;
    }

    /** Reads until the stream fails with {@code failure} (not an end of stream); what was read. */
    private static byte[] readUntilFailure(InputStream in, Class<? extends IOException> failure) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (true) {
            int n;
            try {
                n = in.read(buffer);
            } catch (IOException e) {
                assertTrue(failure.isInstance(e), "failed with " + e);
                return got.toByteArray();
            }
            if (n < 0) {
                throw new AssertionError("end of stream after " + got.size() + " bytes, expected " + failure.getSimpleName());
            }
            got.write(buffer, 0, n);
        }
    }

    /** A server socket, the proxy in front of it, a client through it and the server's end of that. */
    private record Pair(ServerSocket listener, FaultProxy proxy, Socket client, Socket server, Link link)
            implements AutoCloseable {

        static Pair open(Fault... faults) throws IOException {
            ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            listener.setSoTimeout(5000);
            FaultProxy proxy = FaultProxy.start(listener.getLocalPort(), faults);
            Socket client = new Socket();
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port()), 5000);
            client.setSoTimeout(5000);
            Socket server = listener.accept();
            server.setSoTimeout(5000);
            return new Pair(listener, proxy, client, server, proxy.awaitLink(Duration.ofSeconds(5)));
        }

        @Override
        public void close() throws IOException {
            client.close();
            server.close();
            proxy.close();
            listener.close();
        }
    }
}
