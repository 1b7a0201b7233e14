package io.fluxsocket.internal;

import io.fluxsocket.HandshakeResponse;
import io.netty.handler.codec.http.HttpResponse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A response's head kept compact, as one string: the reason phrase, then each header as
 * {@code name:value}, each ended by a line feed (which neither can hold: the HTTP decoder splits
 * lines on it, and a name has no colon). An open connection keeps its 101 response this way (about
 * 150 bytes, where the decoder's strings and a map of lists would cost several hundred per idle
 * connection), and makes a {@link HandshakeResponse} of it only when {@code info()} is asked.
 */
final class ResponseHead {

    private ResponseHead() {
    }

    /** The reason phrase and the headers of a response, in the order they came. */
    static String compact(HttpResponse response) {
        StringBuilder head = new StringBuilder(256).append(response.status().reasonPhrase()).append('\n');
        for (Map.Entry<String, String> header : response.headers()) {
            head.append(header.getKey()).append(':').append(header.getValue()).append('\n');
        }
        return head.toString();
    }

    /** The response a compact head describes. */
    static HandshakeResponse expand(int status, String head, String body) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        int end = head.indexOf('\n');
        String reason = head.substring(0, end);
        for (int start = end + 1; start < head.length(); start = end + 1) {
            end = head.indexOf('\n', start);
            int colon = head.indexOf(':', start);
            // Names that differ only in case become one header in the response.
            headers.computeIfAbsent(head.substring(start, colon), k -> new ArrayList<>()).add(head.substring(colon + 1, end));
        }
        return new HandshakeResponse(status, reason, headers, body);
    }
}
