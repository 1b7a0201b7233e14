package io.fluxsocket.internal;

import io.fluxsocket.WebSocketRequest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One attempt's opening handshake request, with every value known: where it goes, the headers (the
 * client's, then the connection's own, which replace the client's of the same name; computed
 * values resolved) and the subprotocols offered.
 *
 * @param target       where the request goes
 * @param headers      name and value of each header beyond those the handshake sets itself, in order
 * @param subprotocols the subprotocols offered, most preferred first
 */
record HandshakeRequest(Target target, List<Map.Entry<String, String>> headers, List<String> subprotocols) {

    HandshakeRequest {
        headers = List.copyOf(headers);
        subprotocols = List.copyOf(subprotocols);
    }

    /**
     * The request of one connect: the connection's own headers and subprotocols on top of the
     * client's. Computed header values are subscribed one after the other, in order; one that
     * completes empty leaves its header out.
     *
     * @param request the connection's own request; null for none
     */
    static Mono<HandshakeRequest> resolve(Target target, ClientConfig config, WebSocketRequest request) {
        Map<String, Mono<String>> merged = new LinkedHashMap<>(config.headers());
        List<String> subprotocols = config.subprotocols();
        if (request != null) {
            for (Map.Entry<String, Mono<String>> header : request.headers().entrySet()) {
                merged.keySet().removeIf(header.getKey()::equalsIgnoreCase);
                merged.put(header.getKey(), header.getValue());
            }
            subprotocols = request.subprotocols().orElse(subprotocols);
        }
        List<String> offered = subprotocols;
        return Flux.fromIterable(merged.entrySet())
                .concatMap(header -> header.getValue().map(value -> Map.entry(header.getKey(), value)))
                .collectList()
                .map(headers -> new HandshakeRequest(target, headers, offered));
    }

    /** This request with a header set: replacing those of the same name (without regard to case). */
    HandshakeRequest withHeader(String name, String value) {
        List<Map.Entry<String, String>> changed = new ArrayList<>(without(name).headers);
        changed.add(Map.entry(name, value));
        return new HandshakeRequest(target, changed, subprotocols);
    }

    /** This request without the headers of a name (without regard to case). */
    HandshakeRequest without(String name) {
        List<Map.Entry<String, String>> changed = new ArrayList<>(headers);
        changed.removeIf(header -> header.getKey().equalsIgnoreCase(name));
        return new HandshakeRequest(target, changed, subprotocols);
    }

    /** The same request to another target (a redirect's). */
    HandshakeRequest to(Target other) {
        return new HandshakeRequest(other, headers, subprotocols);
    }
}
