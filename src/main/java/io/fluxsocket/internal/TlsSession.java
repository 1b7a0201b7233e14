package io.fluxsocket.internal;

import io.fluxsocket.ChainValidationResult;
import io.fluxsocket.ServerCertificateErrorSeverity;
import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketException;
import java.security.cert.X509Certificate;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The TLS side of one {@code wss://} connection: what the certificate check found while the
 * handshake ran (on the engine's thread), read by the connect once the handshake ended; then, as a
 * {@link Result}, what {@code info()} reports.
 */
final class TlsSession {

    /** Certificate errors in the order that picks the status of a refusal: the gravest first. */
    private static final List<ChainValidationResult> GRAVITY = List.of(ChainValidationResult.REVOKED,
            ChainValidationResult.INVALID_SIGNATURE, ChainValidationResult.UNTRUSTED, ChainValidationResult.INCOMPLETE_CHAIN,
            ChainValidationResult.BASIC_CONSTRAINTS_ERROR, ChainValidationResult.WRONG_USAGE, ChainValidationResult.EXPIRED,
            ChainValidationResult.INVALID_NAME, ChainValidationResult.REVOCATION_FAILURE,
            ChainValidationResult.REVOCATION_INFORMATION_MISSING, ChainValidationResult.OTHER_ERRORS);

    /** The host of the URI: the name the certificate must carry. */
    final String host;
    /** The errors found in the server's chain, all ignorable (set once by the check). */
    volatile Set<ChainValidationResult> errors = Set.of();
    /** Why the check refused the chain; null if it did not (set once by the check). */
    volatile WebSocketException refusal;
    /** The server asked for a client certificate (set by the key manager). */
    volatile boolean certificateRequested;
    /** ... and the client had none to give it. */
    volatile boolean certificateMissing;
    /** The custom validation was asked and has not answered yet. */
    volatile boolean validating;

    TlsSession(String host) {
        this.host = host;
    }

    /** Records the errors of {@code chain}: refused if one is not in {@code ignorable}. */
    void checked(X509Certificate[] chain, EnumSet<ChainValidationResult> found, Set<ChainValidationResult> ignorable) {
        EnumSet<ChainValidationResult> fatal = EnumSet.copyOf(found);
        fatal.removeAll(ignorable);
        if (fatal.isEmpty()) {
            errors = Set.copyOf(found);
            return;
        }
        ChainValidationResult gravest = GRAVITY.stream().filter(fatal::contains).findFirst().orElseThrow();
        X509Certificate server = chain[0];
        refusal = new WebSocketException(status(gravest), "the certificate of " + host + " was refused: " + fatal
                + (found.size() > fatal.size() ? " (and ignorable: " + ignorable + ")" : "")
                + "; its subject is " + server.getSubjectX500Principal().getName()
                + ", its issuer " + server.getIssuerX500Principal().getName()
                + ", valid from " + server.getNotBefore().toInstant() + " to " + server.getNotAfter().toInstant());
    }

    /** The status a refusal for {@code error} fails the connect with. */
    static WebErrorStatus status(ChainValidationResult error) {
        return switch (error) {
            case REVOKED -> WebErrorStatus.CERTIFICATE_REVOKED;
            case EXPIRED -> WebErrorStatus.CERTIFICATE_EXPIRED;
            case INVALID_NAME -> WebErrorStatus.CERTIFICATE_COMMON_NAME_IS_INCORRECT;
            case UNTRUSTED, INCOMPLETE_CHAIN, INVALID_SIGNATURE, WRONG_USAGE, BASIC_CONSTRAINTS_ERROR ->
                    WebErrorStatus.CERTIFICATE_IS_INVALID;
            case REVOCATION_FAILURE, REVOCATION_INFORMATION_MISSING, OTHER_ERRORS -> WebErrorStatus.CERTIFICATE_CONTAINS_ERRORS;
        };
    }

    /**
     * What {@code info()} reports of TLS.
     *
     * @param server the server's certificate; null for {@code ws://}
     */
    record Result(String protocol, String cipherSuite, X509Certificate server, List<X509Certificate> intermediates,
            Set<ChainValidationResult> errors) {

        /** {@code ws://}: no TLS. */
        static final Result NONE = new Result(null, null, null, List.of(), Set.of());

        Optional<X509Certificate> serverCertificate() {
            return Optional.ofNullable(server);
        }

        ServerCertificateErrorSeverity severity() {
            return errors.isEmpty() ? ServerCertificateErrorSeverity.NONE : ServerCertificateErrorSeverity.IGNORABLE;
        }
    }
}
