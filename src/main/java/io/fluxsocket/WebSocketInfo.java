package io.fluxsocket;

import java.net.InetSocketAddress;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The Information of a connection: its addresses, the negotiated subprotocol, the byte counts and,
 * for {@code wss://}, the server's certificate, the errors ignored in it and the TLS parameters.
 * Safe to read from any thread; the counts are live.
 */
public interface WebSocketInfo {

    /** The client's address of the TCP connection. */
    InetSocketAddress localAddress();

    /**
     * The server's address of the TCP connection: of a host with several addresses, the one whose
     * connection won ({@link HostResolver}); through a proxy, the proxy's.
     */
    InetSocketAddress remoteAddress();

    /**
     * The URI the connection reached, without user information: the one connected to, or where the
     * redirects it followed led ({@link WebSocketClient.Builder#maxRedirects}).
     */
    URI uri();

    /**
     * The server's {@code 101 Switching Protocols} response: its headers (for example
     * {@code Set-Cookie}, {@code Server}, rate-limit headers). Its body is empty.
     */
    HandshakeResponse handshakeResponse();

    /** The subprotocol the server selected, if it selected one of those offered. */
    Optional<String> subprotocol();

    /**
     * The extensions the server agreed to, as its {@code Sec-WebSocket-Extensions} header said
     * (e.g. {@code permessage-deflate; server_no_context_takeover}); empty if none.
     */
    Optional<String> extensions();

    /**
     * Payload bytes of data frames written to the socket so far (frame headers not counted; with
     * permessage-deflate, the bytes of the messages before compression).
     */
    long bytesSent();

    /**
     * Payload bytes of data frames received so far (frame headers not counted; with
     * permessage-deflate, the bytes as inflated).
     */
    long bytesReceived();

    /**
     * The traffic now: bytes (payload and on the wire) and messages each way, the rates over the
     * last second, and how long reads were paused by backpressure ({@code BandwidthStatistics}).
     * A new snapshot each call.
     */
    BandwidthStatistics bandwidthStatistics();

    /**
     * The interval of the unsolicited Pongs this connection sends
     * ({@link WebSocketClient.Builder#unsolicitedPongInterval}; the original's
     * {@code ActualUnsolicitedPongInterval}); {@link Duration#ZERO} when it sends none.
     */
    Duration unsolicitedPongInterval();

    /** {@code wss://}: the server's certificate ({@code ServerCertificate}); empty for {@code ws://}. */
    Optional<X509Certificate> serverCertificate();

    /**
     * {@code wss://}: the other certificates the server sent, its issuer first
     * ({@code ServerIntermediateCertificates}); empty for {@code ws://}.
     */
    List<X509Certificate> serverIntermediateCertificates();

    /**
     * {@code wss://}: the errors found in the server's chain and ignored, as the client's
     * {@link WebSocketClient.Builder#ignorableServerCertificateErrors ignorable errors} allowed
     * ({@code ServerCertificateErrors}); empty if there were none, and for {@code ws://}.
     */
    Set<ChainValidationResult> serverCertificateErrors();

    /**
     * {@link ServerCertificateErrorSeverity#IGNORABLE} if {@link #serverCertificateErrors()} is not
     * empty, else {@link ServerCertificateErrorSeverity#NONE} ({@code ServerCertificateErrorSeverity}).
     */
    ServerCertificateErrorSeverity serverCertificateErrorSeverity();

    /** {@code wss://}: the negotiated TLS protocol, such as {@code TLSv1.3}; empty for {@code ws://}. */
    Optional<String> tlsProtocol();

    /** {@code wss://}: the negotiated cipher suite, such as {@code TLS_AES_128_GCM_SHA256}; empty for {@code ws://}. */
    Optional<String> cipherSuite();
}
