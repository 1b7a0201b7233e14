package io.fluxsocket.internal;

import io.fluxsocket.HandshakeResponse;
import io.netty.handler.codec.http.HttpResponse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A response's head kept compact: the reason phrase, then each header's name and value in turn, in
 * one array of the strings the HTTP decoder made. An open connection keeps its 101 response this
 * way (a few references, where a map of lists would cost a few hundred bytes per idle connection),
 * and makes a {@link HandshakeResponse} of it only when {@code info()} is asked.
 */
final class ResponseHead {

    /** No response (connections made without a handshake, in tests). */
    static final String[] NONE = {""};

    private ResponseHead() {
    }

    /** The reason phrase and the headers of a response, in the order they came. */
    static String[] compact(HttpResponse response) {
        List<String> head = new ArrayList<>();
        head.add(response.status().reasonPhrase());
        for (Map.Entry<String, String> header : response.headers()) {
            head.add(header.getKey());
            head.add(header.getValue());
        }
        return head.toArray(String[]::new);
    }

    /** The response a compact head describes. */
    static HandshakeResponse expand(int status, String[] head, String body) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i + 1 < head.length; i += 2) {
            // Names that differ only in case become one header in the response.
            headers.computeIfAbsent(head[i], k -> new ArrayList<>()).add(head[i + 1]);
        }
        return new HandshakeResponse(status, head[0], headers, body);
    }
}
