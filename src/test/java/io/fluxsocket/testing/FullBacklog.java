package io.fluxsocket.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * An address on this machine that never answers a SYN: a listening socket with an accept backlog of
 * one that never accepts, its accept queue filled by connections made here. Linux then drops further
 * SYNs (they are not refused: the connecting socket stays in {@code SYN_SENT} and retransmits), which
 * is what a host that is down or filtered looks like, on loopback only. The constructor checks that
 * it is so on this machine (a connect with a short timeout times out rather than being refused).
 */
public final class FullBacklog implements AutoCloseable {

    private final ServerSocket listener;
    private final List<Socket> fillers = new ArrayList<>();

    /**
     * Listens on {@code address:port} (port 0 for any) and fills the accept queue.
     *
     * @throws IllegalStateException if a further connect is refused or answered: this machine does
     *     not drop SYNs to a full queue
     */
    public FullBacklog(InetAddress address, int port) throws IOException {
        this.listener = new ServerSocket();
        try {
            listener.bind(new InetSocketAddress(address, port), 1);
            // Linux queues backlog + 1 connections; the first that times out shows the queue is full.
            for (int i = 0; ; i++) {
                Socket s = new Socket();
                try {
                    s.connect(listener.getLocalSocketAddress(), 300);
                    fillers.add(s);
                } catch (SocketTimeoutException e) {
                    s.close();
                    break;
                } catch (ConnectException e) {
                    s.close();
                    throw new IllegalStateException("a connect to a full accept queue was refused, not dropped: " + e);
                }
                if (i == 16) {
                    throw new IllegalStateException("the accept queue of " + listener + " did not fill up");
                }
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The address that does not answer. */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** The connections waiting in its accept queue, which the kernel accepted for it. */
    public int queued() {
        return fillers.size();
    }

    public int port() {
        return listener.getLocalPort();
    }

    @Override
    public void close() {
        try {
            for (Socket s : fillers) {
                s.close();
            }
            listener.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
