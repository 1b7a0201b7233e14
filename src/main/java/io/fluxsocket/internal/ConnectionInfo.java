package io.fluxsocket.internal;

import io.fluxsocket.BandwidthStatistics;
import io.fluxsocket.ChainValidationResult;
import io.fluxsocket.HandshakeResponse;
import io.fluxsocket.ServerCertificateErrorSeverity;
import io.fluxsocket.WebSocketInfo;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code info()} returns: a read-only view of a connection (its channel's addresses, the
 * subprotocol, what TLS negotiated, and the live byte counts), not the connection itself.
 */
final class ConnectionInfo implements WebSocketInfo {

    /** What it describes; one field, as idle connections are counted in bytes. */
    private final WebSocketConnection connection;

    ConnectionInfo(WebSocketConnection connection) {
        this.connection = connection;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) connection.channel().localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) connection.channel().remoteAddress();
    }

    @Override
    public URI uri() {
        return connection.opening().uri();
    }

    @Override
    public HandshakeResponse handshakeResponse() {
        return connection.opening().handshakeResponse();
    }

    @Override
    public Optional<String> subprotocol() {
        return Optional.ofNullable(connection.opening().subprotocol());
    }

    @Override
    public Optional<String> extensions() {
        return Optional.ofNullable(connection.opening().extensions());
    }

    @Override
    public long bytesSent() {
        return connection.bytesSent();
    }

    @Override
    public long bytesReceived() {
        return connection.bytesReceived();
    }

    @Override
    public BandwidthStatistics bandwidthStatistics() {
        return connection.traffic().snapshot(connection.bytesSent(), connection.bytesReceived());
    }

    @Override
    public Duration unsolicitedPongInterval() {
        Duration interval = connection.unsolicitedPongInterval();
        return interval == null ? Duration.ZERO : interval;
    }

    @Override
    public Optional<X509Certificate> serverCertificate() {
        return connection.opening().tls().serverCertificate();
    }

    @Override
    public List<X509Certificate> serverIntermediateCertificates() {
        return connection.opening().tls().intermediates();
    }

    @Override
    public Set<ChainValidationResult> serverCertificateErrors() {
        return connection.opening().tls().errors();
    }

    @Override
    public ServerCertificateErrorSeverity serverCertificateErrorSeverity() {
        return connection.opening().tls().severity();
    }

    @Override
    public Optional<String> tlsProtocol() {
        return Optional.ofNullable(connection.opening().tls().protocol());
    }

    @Override
    public Optional<String> cipherSuite() {
        return Optional.ofNullable(connection.opening().tls().cipherSuite());
    }

    @Override
    public String toString() {
        return "WebSocketInfo[" + localAddress() + " -> " + remoteAddress() + "]";
    }
}
