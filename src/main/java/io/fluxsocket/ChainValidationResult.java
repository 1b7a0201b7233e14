package io.fluxsocket;

/**
 * An error found in the server's certificate chain during a {@code wss://} handshake, after the
 * Windows Runtime's {@code ChainValidationResult} (without its {@code Trusted}: an empty set of
 * errors says that). Builders may make some of them ignorable
 * ({@link WebSocketClient.Builder#ignorableServerCertificateErrors}); {@link #REVOKED} and
 * {@link #INVALID_SIGNATURE} never are.
 */
public enum ChainValidationResult {
    /** The chain does not lead to a trusted root: self-signed, or issued by an unknown CA. */
    UNTRUSTED(true),
    /** A certificate of the chain has expired, or is not yet valid. */
    EXPIRED(true),
    /** The server certificate does not name the host connected to. */
    INVALID_NAME(true),
    /** The chain lacks an intermediate certificate between the server certificate and a trusted root. */
    INCOMPLETE_CHAIN(true),
    /** The server certificate may not be used for TLS server authentication (key usage). */
    WRONG_USAGE(true),
    /** Whether a certificate was revoked could not be determined. */
    REVOCATION_INFORMATION_MISSING(true),
    /** The revocation check failed (a revocation source could not be read or was invalid). */
    REVOCATION_FAILURE(true),
    /** A certificate of the chain is not a CA but issued another, or a path length was exceeded. */
    BASIC_CONSTRAINTS_ERROR(true),
    /** A certificate was revoked. Never ignorable. */
    REVOKED(false),
    /** A signature in the chain does not verify, or uses an algorithm that is not allowed. Never ignorable. */
    INVALID_SIGNATURE(false),
    /** The chain was refused for a reason that has no value of its own. */
    OTHER_ERRORS(true);

    private final boolean ignorable;

    ChainValidationResult(boolean ignorable) {
        this.ignorable = ignorable;
    }

    /** Whether a builder may make this error ignorable. */
    public boolean isIgnorable() {
        return ignorable;
    }
}
