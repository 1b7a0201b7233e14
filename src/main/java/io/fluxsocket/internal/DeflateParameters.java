package io.fluxsocket.internal;

import io.fluxsocket.PerMessageDeflate;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What permessage-deflate the server agreed to (RFC 7692 §7.1): the window and context takeover of
 * each direction, and the compression settings of the offer.
 *
 * @param clientMaxWindowBits     the window this client compresses with (8–15)
 * @param clientNoContextTakeover this client resets its compressor after each message
 * @param serverNoContextTakeover the server resets its compressor after each message
 * @param extension               the server's answer, as {@code info().extensions()} reports it
 */
record DeflateParameters(int clientMaxWindowBits, boolean clientNoContextTakeover, boolean serverNoContextTakeover,
        int compressionLevel, int minMessageSize, String extension) {

    /**
     * Checks the server's {@code Sec-WebSocket-Extensions} answer against the offer.
     *
     * @param headers the header's values (none: the server declined, and null is returned)
     * @param offer   what was offered; null if nothing was
     * @throws IllegalArgumentException what is wrong with the answer (the handshake fails with it)
     */
    static DeflateParameters negotiate(List<String> headers, PerMessageDeflate offer) {
        String answer = String.join(", ", headers).trim();
        if (answer.isEmpty()) {
            return null;
        }
        if (offer == null) {
            throw new IllegalArgumentException("the server selected extensions that were not offered: " + answer);
        }
        if (splitOutsideQuotes(answer, ',').size() > 1) {
            throw new IllegalArgumentException("the server selected more than one extension: " + answer);
        }
        List<String> parts = splitOutsideQuotes(answer, ';');
        String name = parts.get(0).trim();
        if (!name.equalsIgnoreCase("permessage-deflate")) {
            throw new IllegalArgumentException("the server selected extension '" + name + "', which was not offered");
        }
        int clientBits = offer.clientMaxWindowBits();
        boolean clientNoTakeover = offer.clientNoContextTakeover();
        boolean serverNoTakeover = false;
        boolean serverBitsSeen = false;
        Set<String> seen = new HashSet<>();
        for (String part : parts.subList(1, parts.size())) {
            int eq = part.indexOf('=');
            String param = (eq < 0 ? part : part.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? null : unquote(part.substring(eq + 1).trim());
            if (!seen.add(param)) {
                throw new IllegalArgumentException("permessage-deflate parameter '" + param + "' given twice: " + answer);
            }
            switch (param) {
                case "server_no_context_takeover":
                    noValue(param, value);
                    serverNoTakeover = true;
                    break;
                case "client_no_context_takeover":
                    noValue(param, value);
                    clientNoTakeover = true;
                    break;
                case "server_max_window_bits":
                    int serverBits = windowBits(param, value);
                    if (serverBits > offer.serverMaxWindowBits()) {
                        throw new IllegalArgumentException("server_max_window_bits=" + serverBits
                                + " is more than the " + offer.serverMaxWindowBits() + " offered");
                    }
                    serverBitsSeen = true;
                    break;
                case "client_max_window_bits":
                    int bits = windowBits(param, value);
                    if (bits > offer.clientMaxWindowBits()) {
                        throw new IllegalArgumentException("client_max_window_bits=" + bits
                                + " is more than the " + offer.clientMaxWindowBits() + " offered");
                    }
                    clientBits = bits;
                    break;
                default:
                    throw new IllegalArgumentException("permessage-deflate parameter '" + param
                            + "' is not one a server may answer with: " + answer);
            }
        }
        if (offer.serverMaxWindowBits() < 15 && !serverBitsSeen) {
            // RFC 7692 §7.1.2.1: a server that accepts the offer answers with the parameter.
            throw new IllegalArgumentException("server_max_window_bits=" + offer.serverMaxWindowBits()
                    + " was offered and the server did not accept it: " + answer);
        }
        return new DeflateParameters(clientBits, clientNoTakeover, serverNoTakeover, offer.compressionLevel(),
                offer.minMessageSize(), answer);
    }

    private static void noValue(String param, String value) {
        if (value != null) {
            throw new IllegalArgumentException("permessage-deflate parameter '" + param + "' takes no value, was '" + value + "'");
        }
    }

    private static int windowBits(String param, String value) {
        if (value == null || value.length() > 2 || !value.chars().allMatch(Character::isDigit)
                || Integer.parseInt(value) < 8 || Integer.parseInt(value) > 15) {
            throw new IllegalArgumentException("permessage-deflate parameter '" + param
                    + "' must be a number of bits from 8 to 15, was " + (value == null ? "missing" : "'" + value + "'"));
        }
        return Integer.parseInt(value);
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }

    /** {@code s} split at each {@code separator} not inside a quoted string. */
    private static List<String> splitOutsideQuotes(String s, char separator) {
        List<String> parts = new java.util.ArrayList<>();
        boolean quoted = false;
        int from = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == separator && !quoted) {
                parts.add(s.substring(from, i));
                from = i + 1;
            }
        }
        parts.add(s.substring(from));
        return parts;
    }
}
