package io.fluxsocket.interop;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a flat JSON object of string values, such as {@code {"host": "127.0.0.1:8080"}}: the shape
 * the peers' {@code /headers} route sends. Anything else fails with {@link IllegalArgumentException}.
 */
final class FlatJson {

    private final String text;
    /** Index of the next character to read. */
    private int at;

    private FlatJson(String text) {
        this.text = text;
    }

    /** The object's members in order; a repeated name keeps its last value. */
    static Map<String, String> parse(String text) {
        FlatJson json = new FlatJson(text);
        Map<String, String> members = new LinkedHashMap<>();
        json.expect('{');
        if (json.peek() == '}') {
            json.at++;
        } else {
            do {
                String name = json.string();
                json.expect(':');
                members.put(name, json.string());
            } while (json.next() == ',');
            json.at--;
            json.expect('}');
        }
        if (json.skipSpace() < text.length()) {
            throw json.error("text after the object");
        }
        return members;
    }

    private String string() {
        expect('"');
        StringBuilder out = new StringBuilder();
        while (true) {
            if (at >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(at++);
            if (c == '"') {
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = text.charAt(at++);
            switch (e) {
                case 'b': out.append('\b'); break;
                case 'f': out.append('\f'); break;
                case 'n': out.append('\n'); break;
                case 'r': out.append('\r'); break;
                case 't': out.append('\t'); break;
                case 'u':
                    out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                    at += 4;
                    break;
                default: out.append(e);
            }
        }
    }

    private void expect(char c) {
        if (next() != c) {
            throw error("expected '" + c + "'");
        }
    }

    private char next() {
        char c = peek();
        at++;
        return c;
    }

    private char peek() {
        skipSpace();
        if (at >= text.length()) {
            throw error("unexpected end");
        }
        return text.charAt(at);
    }

    private int skipSpace() {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
        return at;
    }

    private IllegalArgumentException error(String problem) {
        return new IllegalArgumentException(problem + " at index " + at + " of " + text);
    }
}
