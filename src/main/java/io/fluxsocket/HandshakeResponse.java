package io.fluxsocket;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The server's answer to the opening handshake: its HTTP status, its headers and, for a failed
 * handshake, the start of its body. A connection has the {@code 101 Switching Protocols} it was
 * opened with ({@link WebSocketInfo#handshakeResponse()}); a handshake the server refused has the
 * response it refused with ({@link WebSocketException#handshakeResponse()}), so that a
 * {@code WWW-Authenticate}, {@code Retry-After} or {@code Location} header, or the server's own
 * words in the body, can be read.
 *
 * <p>Header names are matched without regard to case, and kept in lower case (as HTTP/2 writes
 * them); the values of a name keep the order the server sent them in. Immutable.
 *
 * @param status  the HTTP status code, e.g. {@code 101} or {@code 401}
 * @param reason  the reason phrase the server sent (may be empty)
 * @param headers every header of the response, by lower-case name (looked up without regard to
 *                case), each with its values in the order they came; unmodifiable
 * @param body    at most the first {@value #MAX_BODY_BYTES} bytes of the body that came with the
 *                response, decoded as UTF-8 (malformed bytes replaced); empty for a {@code 101} and
 *                for a response without a body
 */
public record HandshakeResponse(int status, String reason, Map<String, List<String>> headers, String body)
        implements Serializable {

    /** How much of a refusal's body is kept. */
    public static final int MAX_BODY_BYTES = 1024;

    /**
     * @throws NullPointerException if {@code reason}, {@code headers}, a name or a value in them, or
     *     {@code body} is null
     */
    public HandshakeResponse {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(body, "body");
        TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            Objects.requireNonNull(e.getKey(), "header name");
            List<String> values = copy.computeIfAbsent(e.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>());
            for (String value : e.getValue()) {
                values.add(Objects.requireNonNull(value, "header value"));
            }
        }
        copy.replaceAll((name, values) -> List.copyOf(values));
        headers = Collections.unmodifiableMap(copy);
    }

    /** The first value of a header, if the response has it. */
    public Optional<String> firstValue(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** Every value of a header, in the order they came; empty if the response does not have it. */
    public List<String> allValues(String name) {
        return headers.getOrDefault(name, List.of());
    }

    /** The status line, e.g. {@code HTTP/1.1 401 Unauthorized}. */
    @Override
    public String toString() {
        return "HTTP/1.1 " + status + (reason.isEmpty() ? "" : " " + reason);
    }
}
