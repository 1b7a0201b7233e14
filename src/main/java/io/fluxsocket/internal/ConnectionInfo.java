package io.fluxsocket.internal;

import io.fluxsocket.ChainValidationResult;
import io.fluxsocket.ServerCertificateErrorSeverity;
import io.fluxsocket.WebSocketInfo;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * What {@code info()} returns: a read-only view of a connection (its channel's addresses, the
 * subprotocol, what TLS negotiated, and the live byte counts), not the connection itself.
 */
final class ConnectionInfo implements WebSocketInfo {

    private final Channel channel;
    /** The subprotocol the server selected; null if none. */
    private final String subprotocol;
    private final TlsSession.Result tls;
    private final LongSupplier bytesSent;
    private final LongSupplier bytesReceived;

    ConnectionInfo(Channel channel, String subprotocol, TlsSession.Result tls, LongSupplier bytesSent,
            LongSupplier bytesReceived) {
        this.channel = channel;
        this.subprotocol = subprotocol;
        this.tls = tls;
        this.bytesSent = bytesSent;
        this.bytesReceived = bytesReceived;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) channel.remoteAddress();
    }

    @Override
    public Optional<String> subprotocol() {
        return Optional.ofNullable(subprotocol);
    }

    @Override
    public long bytesSent() {
        return bytesSent.getAsLong();
    }

    @Override
    public long bytesReceived() {
        return bytesReceived.getAsLong();
    }

    @Override
    public Optional<X509Certificate> serverCertificate() {
        return tls.serverCertificate();
    }

    @Override
    public List<X509Certificate> serverIntermediateCertificates() {
        return tls.intermediates();
    }

    @Override
    public Set<ChainValidationResult> serverCertificateErrors() {
        return tls.errors();
    }

    @Override
    public ServerCertificateErrorSeverity serverCertificateErrorSeverity() {
        return tls.severity();
    }

    @Override
    public Optional<String> tlsProtocol() {
        return Optional.ofNullable(tls.protocol());
    }

    @Override
    public Optional<String> cipherSuite() {
        return Optional.ofNullable(tls.cipherSuite());
    }

    @Override
    public String toString() {
        return "WebSocketInfo[" + localAddress() + " -> " + remoteAddress() + "]";
    }
}
