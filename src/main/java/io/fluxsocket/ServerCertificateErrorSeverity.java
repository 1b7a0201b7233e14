package io.fluxsocket;

/**
 * How bad the errors found in the server's certificate chain are, after the Windows Runtime's
 * {@code SocketSslErrorSeverity}.
 */
public enum ServerCertificateErrorSeverity {
    /** No error: the chain is trusted and names the host (also for {@code ws://}: no certificate, no error). */
    NONE,
    /** Errors were found, and every one of them is in the client's ignorable set. */
    IGNORABLE,
    /** An error outside the ignorable set was found: the connection fails. */
    FATAL
}
