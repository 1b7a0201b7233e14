package io.fluxsocket;

/**
 * Why a WebSocket operation failed: the status every {@link WebSocketException} carries, after the
 * Windows Runtime {@code WebErrorStatus}. {@link WebSocketError#status(Throwable)} maps any
 * throwable (this library's, Netty's, the JDK's) to one of these.
 *
 * <p>Statuses that stand for an HTTP status of the opening handshake return that code from
 * {@link #httpStatus()}; all others return {@code 0}.
 */
public enum WebErrorStatus {
    /** The cause is not known. */
    UNKNOWN(0),
    /** An argument was rejected before any network I/O. */
    INVALID_ARGUMENT(0),
    /** The connection is closed, or closing: use after close. */
    CLOSED(0),
    /** The TCP connection could not be opened (refused, unreachable). */
    CANNOT_CONNECT(0),
    /** The host name could not be resolved. */
    HOST_NAME_NOT_RESOLVED(0),
    /** An operation did not complete within its configured time. */
    TIMEOUT(0),
    /** The peer reset the connection. */
    CONNECTION_RESET(0),
    /** The connection ended without a closing handshake (TCP closed without a Close frame). */
    CONNECTION_ABORTED(0),
    /** The peer violated RFC 6455, or its handshake response was not a valid WebSocket upgrade. */
    PROTOCOL_ERROR(0),
    /** A frame or message exceeded the configured limit (close code 1009). */
    MESSAGE_TOO_BIG(0),
    /** The peer sent a message of a type this endpoint does not accept (close code 1003). */
    UNSUPPORTED_DATA(0),
    /** A text message was not valid UTF-8 (close code 1007). */
    INVALID_PAYLOAD(0),
    /** The server's TLS certificate is not trusted or not valid. */
    CERTIFICATE_IS_INVALID(0),
    /** The server's TLS certificate has expired or is not yet valid. */
    CERTIFICATE_EXPIRED(0),
    /** The server's TLS certificate does not name the host connected to. */
    CERTIFICATE_COMMON_NAME_IS_INCORRECT(0),
    /** A certificate of the server's chain was revoked. */
    CERTIFICATE_REVOKED(0),
    /**
     * The server's certificate chain has errors that no other certificate status names (revocation
     * could not be checked, for one), or the TLS handshake failed for another reason.
     */
    CERTIFICATE_CONTAINS_ERRORS(0),
    /** The server asked for a client certificate and the client has none it accepts, and it refused the connection. */
    CLIENT_CERTIFICATE_REQUIRED(0),

    MULTIPLE_CHOICES(300),
    MOVED_PERMANENTLY(301),
    FOUND(302),
    SEE_OTHER(303),
    NOT_MODIFIED(304),
    TEMPORARY_REDIRECT(307),
    PERMANENT_REDIRECT(308),
    BAD_REQUEST(400),
    UNAUTHORIZED(401),
    PAYMENT_REQUIRED(402),
    FORBIDDEN(403),
    NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    NOT_ACCEPTABLE(406),
    PROXY_AUTHENTICATION_REQUIRED(407),
    REQUEST_TIMEOUT(408),
    CONFLICT(409),
    GONE(410),
    UPGRADE_REQUIRED(426),
    TOO_MANY_REQUESTS(429),
    INTERNAL_SERVER_ERROR(500),
    NOT_IMPLEMENTED(501),
    BAD_GATEWAY(502),
    SERVICE_UNAVAILABLE(503),
    GATEWAY_TIMEOUT(504),
    /** The handshake response had an HTTP status that has no status of its own here. */
    HTTP_ERROR(0);

    private final int httpStatus;

    WebErrorStatus(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    /** The HTTP status code this status stands for, or {@code 0} if it is not an HTTP status. */
    public int httpStatus() {
        return httpStatus;
    }

    /**
     * The status for an HTTP status code of a failed opening handshake.
     *
     * @return the matching status, or {@link #HTTP_ERROR} for a code without one of its own
     */
    public static WebErrorStatus fromHttpStatus(int code) {
        for (WebErrorStatus s : values()) {
            if (s.httpStatus == code && code != 0) {
                return s;
            }
        }
        return HTTP_ERROR;
    }
}
