package io.fluxsocket.internal;

import io.fluxsocket.HandshakeResponse;

import java.net.URI;

/**
 * What the opening handshake established for one connection, fixed for its life: the subprotocol
 * and the permessage-deflate the server agreed to, its 101 response, the URI reached and what TLS
 * negotiated. {@link Handshake} makes it once the 101 passed its checks; the connection builds its
 * compression from it, and {@code info()} ({@link ConnectionInfo}) reports it. Immutable.
 */
final class Opening {

    /** The subprotocol the server selected; null for none. */
    private final String subprotocol;
    /** The permessage-deflate the server agreed to; null for none. */
    private final DeflateParameters deflate;
    /** The 101 response, compact until {@code info()} is asked for it ({@link ResponseHead}). */
    private final String responseHead;
    /**
     * The URI the connection reached (after redirects), as its string (that of the URI connected to,
     * not a copy, when it had no user information).
     */
    private final String uri;
    /** What TLS negotiated; {@link TlsSession.Result#NONE} for {@code ws://}. */
    private final TlsSession.Result tls;

    /**
     * @param subprotocol  the subprotocol the server selected; null for none
     * @param deflate      the permessage-deflate the server agreed to; null for none
     * @param responseHead the 101 response, as {@link ResponseHead#compact} keeps it
     * @param uri          the URI the connection reached (after redirects), without user information
     * @param tls          what TLS negotiated; {@link TlsSession.Result#NONE} for {@code ws://}
     */
    Opening(String subprotocol, DeflateParameters deflate, String responseHead, String uri, TlsSession.Result tls) {
        this.subprotocol = subprotocol;
        this.deflate = deflate;
        this.responseHead = responseHead;
        this.uri = uri;
        this.tls = tls;
    }

    /** The subprotocol the server selected; null for none. */
    String subprotocol() {
        return subprotocol;
    }

    /** The permessage-deflate the server agreed to; null for none. */
    DeflateParameters deflate() {
        return deflate;
    }

    /** The server's {@code Sec-WebSocket-Extensions} answer; null for none. */
    String extensions() {
        return deflate == null ? null : deflate.extension();
    }

    /** The URI the connection reached, without user information. */
    URI uri() {
        return URI.create(uri);
    }

    /** The 101 response this connection was opened with (a new value at each call). */
    HandshakeResponse handshakeResponse() {
        return ResponseHead.expand(101, responseHead, "");
    }

    /** What TLS negotiated; {@link TlsSession.Result#NONE} for {@code ws://}. */
    TlsSession.Result tls() {
        return tls;
    }
}
