package io.fluxsocket;

import java.util.Objects;
import java.util.Optional;

/**
 * The unchecked exception every failure of this library is signalled with. It carries a
 * {@link WebErrorStatus}; when the failure ended the connection with a close code of its own
 * (a protocol violation, a message too big), that code; and when the server refused the opening
 * handshake, its response ({@link #handshakeResponse()}: the numeric HTTP status, the headers and
 * the start of the body).
 */
public class WebSocketException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final WebErrorStatus status;
    private final int closeCode;
    /** The response the server refused the handshake with; null for other failures. */
    private final HandshakeResponse response;

    public WebSocketException(WebErrorStatus status, String message) {
        this(status, message, null, 0);
    }

    public WebSocketException(WebErrorStatus status, String message, Throwable cause) {
        this(status, message, cause, 0);
    }

    /**
     * @param closeCode the close code the connection was failed with, or {@code 0} if none
     */
    public WebSocketException(WebErrorStatus status, String message, Throwable cause, int closeCode) {
        this(status, message, cause, closeCode, null);
    }

    /**
     * A failed opening handshake.
     *
     * @param response the response the server answered the handshake with, or null if none came
     */
    public WebSocketException(WebErrorStatus status, String message, HandshakeResponse response) {
        this(status, message, null, 0, response);
    }

    private WebSocketException(WebErrorStatus status, String message, Throwable cause, int closeCode,
            HandshakeResponse response) {
        super(message, cause);
        this.status = Objects.requireNonNull(status, "status");
        this.closeCode = closeCode;
        this.response = response;
    }

    /** Why the operation failed. */
    public WebErrorStatus status() {
        return status;
    }

    /**
     * The close code this client sent when it failed the connection (1002, 1003, 1007, 1009, 1011),
     * or {@code 0} when the failure did not come with one.
     */
    public int closeCode() {
        return closeCode;
    }

    /**
     * The server's response to an opening handshake that failed on it: a status other than
     * {@code 101} (its numeric code is there even where {@link #status()} is {@code HTTP_ERROR}),
     * or a {@code 101} that was not a valid upgrade. Empty for every other failure.
     */
    public Optional<HandshakeResponse> handshakeResponse() {
        return Optional.ofNullable(response);
    }

    /**
     * The HTTP status of the response the opening handshake failed on (e.g. {@code 401}, {@code 429},
     * {@code 418}), or {@code 0} if the failure did not come with one.
     */
    public int httpStatus() {
        return response == null ? 0 : response.status();
    }

    @Override
    public String toString() {
        return getClass().getName() + " [" + status + "]: " + getMessage();
    }
}
