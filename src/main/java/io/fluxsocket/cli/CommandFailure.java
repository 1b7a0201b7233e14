package io.fluxsocket.cli;

/**
 * A failure of the command that is not a failure of the connection: the echoed data differed, the
 * server closed with an unexpected code, stdin or stdout failed. Carries the process exit code;
 * the message is printed as {@code fluxsocket: <message>}.
 */
final class CommandFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int exitCode;

    CommandFailure(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    CommandFailure(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** The exit code of the process, one of {@link Main}'s {@code EXIT_*} constants. */
    int exitCode() {
        return exitCode;
    }
}
