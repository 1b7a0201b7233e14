package io.fluxsocket.cli;

import io.fluxsocket.BandwidthStatistics;
import io.fluxsocket.ChainValidationResult;
import io.fluxsocket.WebSocketInfo;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The line {@code --verbose} prints on stderr once connected, from the connection's
 * {@link WebSocketInfo}: the addresses, the subprotocol and the extensions agreed (if any), and for {@code wss://} the TLS protocol
 * and cipher suite, the server certificate's subject and expiry and the certificate errors ignored:
 *
 * <pre>
 * connected 127.0.0.1:50312 -&gt; 127.0.0.1:8443, subprotocol chat; TLSv1.3, TLS_AES_128_GCM_SHA256;
 *     server certificate CN=example.org, expires 2026-01-31T12:00:00Z; certificate errors ignored: none
 * </pre>
 *
 * (one line, without the break).
 */
final class ConnectionLine {

    private ConnectionLine() {
    }

    /** The line for this connection, without the {@code fluxsocket: } prefix. */
    static String describe(WebSocketInfo info) {
        StringBuilder line = new StringBuilder("connected ")
                .append(address(info.localAddress())).append(" -> ").append(address(info.remoteAddress()))
                .append(", subprotocol ").append(info.subprotocol().orElse("none"));
        info.extensions().ifPresent(e -> line.append(", extensions ").append(e));
        if (info.serverCertificate().isPresent()) {
            X509Certificate certificate = info.serverCertificate().get();
            line.append("; ").append(info.tlsProtocol().orElse("TLS")).append(", ")
                    .append(info.cipherSuite().orElse("unknown cipher suite"))
                    .append("; server certificate ").append(certificate.getSubjectX500Principal().getName())
                    .append(", expires ").append(certificate.getNotAfter().toInstant())
                    .append("; certificate errors ignored: ")
                    .append(info.serverCertificateErrors().isEmpty() ? "none" : info.serverCertificateErrors()
                            .stream().map(ChainValidationResult::name).collect(Collectors.joining(", ")));
        }
        return line.toString();
    }

    /**
     * The line {@code --stats} prints when the connection ended, without the {@code fluxsocket: }
     * prefix:
     *
     * <pre>
     * sent 1048576 bytes (1050624 on the wire) in 16 messages; received 1048576 bytes (1048832 on the wire)
     *     in 16 messages; reads paused 0.000 s
     * </pre>
     *
     * (one line, without the break).
     */
    static String statistics(BandwidthStatistics s) {
        return "sent " + s.bytesSent() + " bytes (" + s.wireBytesSent() + " on the wire) in " + s.messagesSent()
                + " messages; received " + s.bytesReceived() + " bytes (" + s.wireBytesReceived()
                + " on the wire) in " + s.messagesReceived() + " messages; reads paused "
                + String.format(Locale.ROOT, "%.3f s", s.inboundPaused().toNanos() / 1e9);
    }

    /** {@code host:port}, an IPv6 address in brackets. */
    private static String address(InetSocketAddress address) {
        String host = address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
