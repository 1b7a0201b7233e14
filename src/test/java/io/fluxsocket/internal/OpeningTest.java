package io.fluxsocket.internal;

import io.fluxsocket.HandshakeResponse;
import io.fluxsocket.PerMessageDeflate;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** {@link Opening}: what a connection reports of its opening handshake, made from what it keeps. */
class OpeningTest {

    @Test
    void theResponseIsMadeFromItsCompactHeadAnewAtEachCall() {
        DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
        response.headers().add("Upgrade", "websocket").add("X-Trace", "a").add("X-Trace", "b");
        Opening opening = new Opening("chat", null, ResponseHead.compact(response), "ws://127.0.0.1:1/feed",
                TlsSession.Result.NONE);
        HandshakeResponse first = opening.handshakeResponse();
        assertEquals(101, first.status());
        assertEquals("Switching Protocols", first.reason());
        assertEquals(List.of("a", "b"), first.allValues("X-Trace"));
        assertEquals(Optional.of("websocket"), first.firstValue("upgrade"));
        assertEquals("", first.body());
        HandshakeResponse second = opening.handshakeResponse();
        assertNotSame(first, second);
        assertEquals(first, second);
    }

    @Test
    void theExtensionsAreTheServersAnswerToThePermessageDeflateOffered() {
        DeflateParameters agreed = DeflateParameters.negotiate(List.of("permessage-deflate; client_max_window_bits=10"),
                PerMessageDeflate.defaults().clientMaxWindowBits(10));
        Opening opening = new Opening(null, agreed, ResponseHead.compact(
                new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS)),
                "ws://127.0.0.1:1/", TlsSession.Result.NONE);
        assertSame(agreed, opening.deflate());
        assertEquals(agreed.extension(), opening.extensions());
        assertEquals("permessage-deflate; client_max_window_bits=10", opening.extensions());
    }

    @Test
    void withoutPermessageDeflateThereAreNoExtensionsAndWithoutTlsNoTlsResult() {
        Opening opening = new Opening(null, null, ResponseHead.compact(
                new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS)),
                "ws://127.0.0.1:1/", TlsSession.Result.NONE);
        assertNull(opening.subprotocol());
        assertNull(opening.deflate());
        assertNull(opening.extensions());
        assertSame(TlsSession.Result.NONE, opening.tls());
    }

    @Test
    void theUriIsTheOneReachedWithItsQuery() {
        Opening opening = new Opening("chat", null, ResponseHead.compact(
                new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS)),
                "wss://example.org:8443/feed?room=1", TlsSession.Result.NONE);
        assertEquals(URI.create("wss://example.org:8443/feed?room=1"), opening.uri());
        assertEquals("chat", opening.subprotocol());
    }
}
