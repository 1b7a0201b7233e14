package io.fluxsocket;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;

/**
 * What a custom server certificate validation is asked to decide, after the Windows Runtime's
 * {@code ServerCustomValidationRequested} event: the server certificate of a {@code wss://}
 * connection that passed the built-in checks (any errors found are in the client's ignorable set),
 * with the intermediate certificates the server sent and the errors that were found.
 *
 * @see WebSocketClient.Builder#serverCertificateValidation
 */
public interface ServerCertificateValidation {

    /** The host the client connects to, as in the URI. */
    String host();

    /** The server's certificate. */
    X509Certificate serverCertificate();

    /** The other certificates the server sent, in its order (the issuer of the server certificate first). */
    List<X509Certificate> intermediateCertificates();

    /** The errors the built-in checks found, all of them ignorable for this client; empty if none. */
    Set<ChainValidationResult> errors();

    /** {@link ServerCertificateErrorSeverity#NONE} or {@link ServerCertificateErrorSeverity#IGNORABLE}. */
    ServerCertificateErrorSeverity severity();

    /**
     * The server certificate's public-key pin, {@code sha256/} and the Base64 of the SHA-256 of its
     * {@code SubjectPublicKeyInfo}, the form of HPKP and OkHttp's {@code CertificatePinner}.
     */
    String publicKeyPin();
}
