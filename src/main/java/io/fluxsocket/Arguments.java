package io.fluxsocket;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import reactor.core.publisher.Mono;

/** The checks of the builder's arguments: each failure an {@code INVALID_ARGUMENT} naming the argument. */
final class Arguments {

    /** Request headers the opening handshake sets itself, lower case. */
    private static final Set<String> RESERVED_HEADERS = Set.of("host", "upgrade", "connection",
            "content-length", "transfer-encoding");

    private Arguments() {
    }

    /** An {@code INVALID_ARGUMENT} exception whose message starts with the argument's name. */
    static WebSocketException invalid(String argument, String problem) {
        return new WebSocketException(WebErrorStatus.INVALID_ARGUMENT, argument + ": " + problem);
    }

    /** A handshake request header: an HTTP token name, not reserved, a value without CR/LF/NUL. */
    static void checkHeader(String name, String value) {
        checkToken(name, "header name");
        String lower = name.toLowerCase(Locale.ROOT);
        if (RESERVED_HEADERS.contains(lower) || lower.startsWith("sec-websocket-")) {
            throw invalid("header name", "'" + name + "' is set by the opening handshake and may not be given");
        }
        if (value == null) {
            throw invalid("header value", "must not be null (header '" + name + "')");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0 || c > 0xFF) {
                throw invalid("header value", "of '" + name + "' contains a forbidden character (CR, LF, NUL or non-Latin-1) at index " + i);
            }
        }
    }

    /** An HTTP token (RFC 9110 §5.6.2), as header names and subprotocols must be. */
    static void checkToken(String token, String argument) {
        if (token == null || token.isEmpty()) {
            throw invalid(argument, "must not be null or empty");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            boolean tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                throw invalid(argument, "'" + token.replace("\r", "\\r").replace("\n", "\\n")
                        + "' is not an HTTP token (bad character at index " + i + ")");
            }
        }
    }

    /** Sets a checked header in a builder's map, replacing one of the same name whatever its case. */
    static void putHeader(Map<String, Mono<String>> headers, String name, String value) {
        checkHeader(name, value);
        replace(headers, name, Mono.just(value));
    }

    /** Sets a checked computed header in a builder's map, replacing one of the same name whatever its case. */
    static void putHeader(Map<String, Mono<String>> headers, String name, Mono<String> value) {
        checkHeader(name, "");
        if (value == null) {
            throw invalid("header value", "must not be null (header '" + name + "')");
        }
        replace(headers, name, computedHeader(name, value));
    }

    private static void replace(Map<String, Mono<String>> headers, String name, Mono<String> value) {
        headers.keySet().removeIf(name::equalsIgnoreCase);
        headers.put(name, value);
    }

    /**
     * A header value computed at each connect: checked as it comes; an error that is not a
     * {@link WebSocketException} becomes {@code INVALID_ARGUMENT} naming the header.
     */
    static Mono<String> computedHeader(String name, Mono<String> value) {
        return value.map(v -> {
            checkHeader(name, v);
            return v;
        }).onErrorMap(e -> !(e instanceof WebSocketException), e -> new WebSocketException(
                WebErrorStatus.INVALID_ARGUMENT, "header value: '" + name + "' could not be computed: " + e, e));
    }

    /** Subprotocols to offer: HTTP tokens, no two the same without regard to case. */
    static List<String> subprotocols(String... protocols) {
        if (protocols == null) {
            throw invalid("subprotocols", "must not be null");
        }
        List<String> list = new ArrayList<>();
        for (String p : protocols) {
            checkToken(p, "subprotocols");
            if (list.stream().anyMatch(q -> q.equalsIgnoreCase(p))) {
                throw invalid("subprotocols", "duplicate subprotocol '" + p + "'");
            }
            list.add(p);
        }
        return List.copyOf(list);
    }

    static Duration positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw invalid(name, "must be a positive duration, was " + d);
        }
        return d;
    }

    static int range(int value, int min, int max, String name) {
        if (value < min || value > max) {
            throw invalid(name, "must be between " + min + " and " + max + ", was " + value);
        }
        return value;
    }
}
