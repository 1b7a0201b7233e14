package io.fluxsocket;

import java.util.Objects;

/**
 * The unchecked exception every failure of this library is signalled with. It carries a
 * {@link WebErrorStatus} and, when the failure ended the connection with a close code of its own
 * (a protocol violation, a message too big), that code.
 */
public class WebSocketException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final WebErrorStatus status;
    private final int closeCode;

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
        super(message, cause);
        this.status = Objects.requireNonNull(status, "status");
        this.closeCode = closeCode;
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

    @Override
    public String toString() {
        return getClass().getName() + " [" + status + "]: " + getMessage();
    }
}
