package io.fluxsocket;

import java.util.Objects;

/**
 * The Closed event of a connection: the close code and reason, and which side ended it.
 *
 * <p>{@code code} is the code of the Close frame that ended the connection: the server's when the
 * server sent one (also when it answered a Close of this client's), {@link #NO_STATUS_RECEIVED}
 * when the server's Close frame was empty, {@link #ABNORMAL_CLOSURE} when TCP ended without a
 * Close frame, or the code this client sent when it failed the connection.
 *
 * @param code   the close code, as defined by RFC 6455 §7.4
 * @param reason the reason text, possibly empty, never {@code null}
 * @param remote {@code true} if the code is the server's, {@code false} if this client chose it
 *               (it failed the connection, or the connection was lost and 1006 stands in)
 */
public record CloseStatus(int code, String reason, boolean remote) {

    /** 1000: the purpose of the connection was fulfilled. */
    public static final int NORMAL_CLOSURE = 1000;
    /** 1001: an endpoint is going away. */
    public static final int GOING_AWAY = 1001;
    /** 1002: a protocol error. */
    public static final int PROTOCOL_ERROR = 1002;
    /** 1003: a type of data the endpoint cannot accept. */
    public static final int UNSUPPORTED_DATA = 1003;
    /** 1005: the Close frame had no code (never sent on the wire). */
    public static final int NO_STATUS_RECEIVED = 1005;
    /** 1006: the connection was closed without a Close frame (never sent on the wire). */
    public static final int ABNORMAL_CLOSURE = 1006;
    /** 1007: a text message was not valid UTF-8. */
    public static final int INVALID_PAYLOAD = 1007;
    /** 1008: a message violated the endpoint's policy. */
    public static final int POLICY_VIOLATION = 1008;
    /** 1009: a message was too big to process. */
    public static final int MESSAGE_TOO_BIG = 1009;
    /** 1011: the server met an unexpected condition. */
    public static final int INTERNAL_ERROR = 1011;

    public CloseStatus {
        Objects.requireNonNull(reason, "reason");
    }
}
