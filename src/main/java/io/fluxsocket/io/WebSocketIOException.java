package io.fluxsocket.io;

import io.fluxsocket.WebErrorStatus;
import io.fluxsocket.WebSocketError;
import io.fluxsocket.WebSocketException;

import java.io.IOException;
import java.util.Objects;

/**
 * The {@link IOException} the blocking adapters throw for a failure of the connection or a use
 * after close. Its cause is always a {@link WebSocketException} with the same {@link #status()}, so
 * {@link WebSocketError#status(Throwable)} maps it too.
 */
public class WebSocketIOException extends IOException {

    private static final long serialVersionUID = 1L;

    private final WebErrorStatus status;

    public WebSocketIOException(WebSocketException cause) {
        super(Objects.requireNonNull(cause, "cause").status() + ": " + cause.getMessage(), cause);
        this.status = cause.status();
    }

    /** Why the operation failed, e.g. {@link WebErrorStatus#CLOSED} for a use after close. */
    public WebErrorStatus status() {
        return status;
    }

    @Override
    public synchronized WebSocketException getCause() {
        return (WebSocketException) super.getCause();
    }

    /** The exception for any failure: a {@link WebSocketException} in its chain keeps its status. */
    static WebSocketIOException of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof WebSocketException) {
                return new WebSocketIOException((WebSocketException) t);
            }
        }
        return new WebSocketIOException(new WebSocketException(WebSocketError.status(failure),
                String.valueOf(failure.getMessage()), failure));
    }

    /** A use after close: status {@link WebErrorStatus#CLOSED}. */
    static WebSocketIOException closed(String message) {
        return new WebSocketIOException(new WebSocketException(WebErrorStatus.CLOSED, message));
    }
}
