package io.fluxsocket;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Maps any throwable to a {@link WebErrorStatus}, as the Windows Runtime's
 * {@code WebSocketError.GetStatus} does.
 */
public final class WebSocketError {

    private WebSocketError() {
    }

    /**
     * The status of a failure: the status of the first {@link WebSocketException} in the cause
     * chain, else the status its first recognised cause stands for (a DNS failure, a refused or
     * timed-out connect, a reset, a certificate error, a protocol violation, a bad argument).
     *
     * @param error any throwable, or {@code null}
     * @return the status; {@link WebErrorStatus#UNKNOWN} when nothing in the chain is recognised
     */
    public static WebErrorStatus status(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof WebSocketException) {
                return ((WebSocketException) t).status();
            }
        }
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            WebErrorStatus s = statusOf(t);
            if (s != null) {
                return s;
            }
        }
        return WebErrorStatus.UNKNOWN;
    }

    private static WebErrorStatus statusOf(Throwable t) {
        if (t instanceof UnknownHostException) {
            return WebErrorStatus.HOST_NAME_NOT_RESOLVED;
        }
        if (t instanceof ConnectTimeoutException || t instanceof SocketTimeoutException
                || t instanceof TimeoutException) {
            return WebErrorStatus.TIMEOUT;
        }
        if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
            return WebErrorStatus.CANNOT_CONNECT;
        }
        if (t instanceof CorruptedWebSocketFrameException) {
            int code = ((CorruptedWebSocketFrameException) t).closeStatus().code();
            if (code == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()) {
                return WebErrorStatus.MESSAGE_TOO_BIG;
            }
            if (code == WebSocketCloseStatus.INVALID_PAYLOAD_DATA.code()) {
                return WebErrorStatus.INVALID_PAYLOAD;
            }
            if (code == WebSocketCloseStatus.INVALID_MESSAGE_TYPE.code()) {
                return WebErrorStatus.UNSUPPORTED_DATA;
            }
            return WebErrorStatus.PROTOCOL_ERROR;
        }
        if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException) {
            return WebErrorStatus.CERTIFICATE_EXPIRED;
        }
        if (t instanceof CertPathValidatorException v) {
            CertPathValidatorException.Reason r = v.getReason();
            if (r == CertPathValidatorException.BasicReason.REVOKED) {
                return WebErrorStatus.CERTIFICATE_REVOKED;
            }
            if (r == CertPathValidatorException.BasicReason.EXPIRED || r == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
                return WebErrorStatus.CERTIFICATE_EXPIRED;
            }
            if (r == CertPathValidatorException.BasicReason.UNDETERMINED_REVOCATION_STATUS) {
                return WebErrorStatus.CERTIFICATE_CONTAINS_ERRORS;
            }
            if (r != CertPathValidatorException.BasicReason.UNSPECIFIED) {
                return WebErrorStatus.CERTIFICATE_IS_INVALID;
            }
        }
        if (t instanceof SSLException) {
            String m = message(t);
            if (m.contains("not an ssl/tls record")) {
                // wss:// to a port that does not speak TLS.
                return WebErrorStatus.PROTOCOL_ERROR;
            }
            if (m.contains("subject alternative") || m.contains("no name matching")) {
                return WebErrorStatus.CERTIFICATE_COMMON_NAME_IS_INCORRECT;
            }
            if (m.contains("certification path") || m.contains("certificate")) {
                return WebErrorStatus.CERTIFICATE_IS_INVALID;
            }
            return WebErrorStatus.CERTIFICATE_CONTAINS_ERRORS;
        }
        if (t instanceof ClosedChannelException) {
            return WebErrorStatus.CLOSED;
        }
        if (t instanceof IllegalArgumentException) {
            return WebErrorStatus.INVALID_ARGUMENT;
        }
        if (t instanceof IOException) {
            String m = message(t);
            if (m.contains("reset") || m.contains("broken pipe")) {
                return WebErrorStatus.CONNECTION_RESET;
            }
            if (m.contains("abort")) {
                return WebErrorStatus.CONNECTION_ABORTED;
            }
        }
        return null;
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        return m == null ? "" : m.toLowerCase(Locale.ROOT);
    }
}
