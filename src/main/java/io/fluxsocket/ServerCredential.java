package io.fluxsocket;

import java.util.Objects;

/**
 * A user name and password for a server that asks for HTTP authentication in the opening handshake
 * (the original's {@code ServerCredential}). Give it to a client
 * ({@link WebSocketClient.Builder#serverCredential(ServerCredential)}), to one connection
 * ({@link WebSocketRequest.Builder#serverCredential(ServerCredential)}), or in the URI
 * ({@code ws://alice:s3cret@example.org/feed}, percent-encoded).
 *
 * <pre>{@code
 * WebSocketClient client = WebSocketClient.builder()
 *         .serverCredential(ServerCredential.of("alice", "s3cret"))
 *         .build();
 * }</pre>
 *
 * <p><b>When it is sent.</b> By default only when the server answers the handshake with
 * {@code 401 Unauthorized} and a {@code WWW-Authenticate} header offering Basic (RFC 7617) or
 * Digest (RFC 7616: {@code SHA-256} or {@code MD5}, {@code qop=auth} or none, {@code userhash}):
 * the strongest offered is answered on a new connection, once. A server that refuses that answer too
 * fails the connect with {@link WebErrorStatus#UNAUTHORIZED} and its second response; there is no
 * further attempt. With {@link #preemptive(boolean) preemptive(true)} Basic is sent with the first
 * request (no second connection; the password goes to the server whether it asks or not). The
 * credential is only ever sent to the origin (scheme, host and port) it was given for: never to
 * another one a redirect leads to.
 *
 * <p>Immutable. No message and no {@link #toString()} shows the password. Every argument is
 * checked when given, before any I/O: a failure is a {@link WebSocketException} with
 * {@link WebErrorStatus#INVALID_ARGUMENT} whose message starts with {@code serverCredential}.
 */
public final class ServerCredential {

    private final String username;
    private final String password;
    private final boolean preemptive;

    private ServerCredential(String username, String password, boolean preemptive) {
        this.username = username;
        this.password = password;
        this.preemptive = preemptive;
    }

    /**
     * A credential, sent when the server asks for one.
     *
     * @param username not null or empty; no colon (Basic cannot carry one), CR, LF or NUL
     * @param password not null, possibly empty; no CR, LF or NUL
     * @throws WebSocketException with {@code INVALID_ARGUMENT} naming {@code serverCredential}
     */
    public static ServerCredential of(String username, String password) {
        String argument = "serverCredential";
        if (username == null || username.isEmpty()) {
            throw Arguments.invalid(argument, "the user name must not be null or empty");
        }
        if (password == null) {
            throw Arguments.invalid(argument, "the password must not be null (give \"\" for none)");
        }
        if (username.indexOf(':') >= 0) {
            throw Arguments.invalid(argument, "the user name contains a colon (at index " + username.indexOf(':')
                    + "), which Basic authentication cannot carry (RFC 7617)");
        }
        checkCharacters(username, "user name", argument);
        checkCharacters(password, "password", argument);
        return new ServerCredential(username, password, false);
    }

    /**
     * Whether Basic is sent with the first request ({@code true}), or only when the server answers
     * {@code 401} ({@code false}, the default: that costs a second connection, and keeps the password
     * from a server that does not ask for it, and lets a server choose Digest).
     *
     * @return a copy with this setting
     */
    public ServerCredential preemptive(boolean preemptive) {
        return new ServerCredential(username, password, preemptive);
    }

    /** The user name. */
    public String username() {
        return username;
    }

    /** The password. */
    public String password() {
        return password;
    }

    /** Whether Basic is sent with the first request. */
    public boolean isPreemptive() {
        return preemptive;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServerCredential c && c.username.equals(username) && c.password.equals(password)
                && c.preemptive == preemptive;
    }

    @Override
    public int hashCode() {
        return Objects.hash(username, password, preemptive);
    }

    /** The user name, never the password. */
    @Override
    public String toString() {
        return "ServerCredential[" + username + (preemptive ? ", preemptive" : "") + "]";
    }

    private static void checkCharacters(String value, String what, String argument) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw Arguments.invalid(argument, "the " + what + " contains a forbidden character (CR, LF or NUL)"
                        + " at index " + i);
            }
        }
    }
}
