package io.fluxsocket.internal;

import io.fluxsocket.ServerCredential;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 9110 §11.6.1): its scheme and its
 * parameters; and the {@code Authorization} answers a {@link ServerCredential} gives: Basic (RFC 7617,
 * UTF-8) and Digest (RFC 7616: {@code SHA-256} and {@code MD5}, each also {@code -sess};
 * {@code qop=auth} or none; {@code opaque}; {@code userhash}). Does no I/O.
 *
 * @param scheme the scheme, as sent (compared without regard to case)
 * @param params the parameters by lower-case name, unquoted; a token68 (Basic has none) is dropped
 */
record Challenge(String scheme, Map<String, String> params) {

    /** Digest algorithms answered, weakest first: the strongest offered is chosen. */
    private static final List<String> DIGEST_ALGORITHMS = List.of("MD5", "MD5-SESS", "SHA-256", "SHA-256-SESS");
    private static final HexFormat HEX = HexFormat.of();

    /**
     * Every challenge of the header values, in order. Unparseable rest of a value is dropped: what
     * came before it stands.
     */
    static List<Challenge> parse(List<String> headerValues) {
        List<Challenge> challenges = new ArrayList<>();
        for (String value : headerValues) {
            new Parser(value, challenges).run();
        }
        return challenges;
    }

    /** The {@code Authorization} value of Basic, sent without a challenge (preemptive) or on one. */
    static String basic(ServerCredential credential) {
        String pair = credential.username() + ":" + credential.password();
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The answer to the strongest challenge the client can answer: Digest with the strongest
     * algorithm offered, then Basic; null if none of them is Basic or a Digest the client does.
     *
     * @param requestTarget the request line's target, the Digest {@code uri}
     */
    static Answer answer(List<Challenge> challenges, ServerCredential credential, String requestTarget) {
        Challenge best = null;
        int bestRank = -1;
        for (Challenge c : challenges) {
            int rank = c.rank();
            if (rank > bestRank) {
                best = c;
                bestRank = rank;
            }
        }
        if (best == null) {
            return null;
        }
        if (bestRank == 0) {
            return new Answer("Basic", basic(credential));
        }
        String algorithm = best.params.getOrDefault("algorithm", "MD5");
        return new Answer("Digest " + algorithm, best.digest(credential, "GET", requestTarget, cnonce()));
    }

    /** The value of an {@code Authorization} header and what it is, for messages: {@code Digest SHA-256}. */
    record Answer(String what, String authorization) {
    }

    /** -1: not answered; 0: Basic; 1 + the index of the algorithm: Digest. */
    private int rank() {
        if (scheme.equalsIgnoreCase("Basic")) {
            return 0;
        }
        if (!scheme.equalsIgnoreCase("Digest") || !params.containsKey("nonce") || !params.containsKey("realm")) {
            return -1;
        }
        String qop = params.getOrDefault("qop", "");
        if (!qop.isBlank() && !qops(qop).contains("auth")) {
            // auth-int only: the client does not protect bodies (a handshake has none, but no server needs it).
            return -1;
        }
        int algorithm = DIGEST_ALGORITHMS.indexOf(params.getOrDefault("algorithm", "MD5").toUpperCase(Locale.ROOT));
        return algorithm < 0 ? -1 : 1 + algorithm;
    }

    private static List<String> qops(String qop) {
        List<String> list = new ArrayList<>();
        for (String q : qop.split(",")) {
            list.add(q.trim().toLowerCase(Locale.ROOT));
        }
        return list;
    }

    /**
     * The Digest answer (RFC 7616 §3.4) to this challenge.
     *
     * @param cnonce the client nonce (random for a real answer; fixed in tests of RFC 7616's examples)
     */
    String digest(ServerCredential credential, String method, String uri, String cnonce) {
        String algorithm = params.getOrDefault("algorithm", "MD5");
        String upper = algorithm.toUpperCase(Locale.ROOT);
        boolean session = upper.endsWith("-SESS");
        String hash = upper.startsWith("SHA-256") ? "SHA-256" : "MD5";
        String realm = params.get("realm");
        String nonce = params.get("nonce");
        // An empty qop (as some servers send for none) is none: RFC 2069's answer.
        boolean qopAuth = !params.getOrDefault("qop", "").isBlank();
        String nc = "00000001";
        String ha1 = h(hash, credential.username() + ":" + realm + ":" + credential.password());
        if (session) {
            ha1 = h(hash, ha1 + ":" + nonce + ":" + cnonce);
        }
        String ha2 = h(hash, method + ":" + uri);
        String response = qopAuth ? h(hash, ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2)
                : h(hash, ha1 + ":" + nonce + ":" + ha2);
        boolean userhash = "true".equalsIgnoreCase(params.get("userhash"));
        StringBuilder a = new StringBuilder("Digest ");
        if (userhash) {
            a.append("username=").append(quoted(h(hash, credential.username() + ":" + realm)));
        } else if (isQuotable(credential.username())) {
            a.append("username=").append(quoted(credential.username()));
        } else {
            // RFC 7616 §3.4.4: a user name that a quoted string cannot carry goes as an ext-value.
            a.append("username*=UTF-8''").append(percentEncoded(credential.username()));
        }
        a.append(", realm=").append(quoted(realm))
                .append(", uri=").append(quoted(uri))
                .append(", algorithm=").append(algorithm)
                .append(", nonce=").append(quoted(nonce))
                .append(", response=").append(quoted(response));
        if (qopAuth) {
            a.append(", qop=auth, nc=").append(nc).append(", cnonce=").append(quoted(cnonce));
        }
        if (params.containsKey("opaque")) {
            a.append(", opaque=").append(quoted(params.get("opaque")));
        }
        if (userhash) {
            a.append(", userhash=true");
        }
        return a.toString();
    }

    private static String cnonce() {
        byte[] bytes = new byte[16];
        io.netty.util.internal.PlatformDependent.threadLocalRandom().nextBytes(bytes);
        return HEX.formatHex(bytes);
    }

    private static String h(String algorithm, String data) {
        try {
            return HEX.formatHex(MessageDigest.getInstance(algorithm).digest(data.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            // Every JVM has MD5 and SHA-256.
            throw new IllegalStateException(e);
        }
    }

    private static boolean isQuotable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String percentEncoded(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            boolean attrChar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$&+-.^_`|~".indexOf(c) >= 0;
            if (attrChar) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return scheme + (params.containsKey("realm") ? " realm=\"" + params.get("realm") + "\"" : "");
    }

    /**
     * The grammar: {@code challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]}, challenges and
     * parameters alike separated by commas; a parameter is {@code token BWS "=" BWS ( token /
     * quoted-string )}. A token that no {@code =} follows starts the next challenge.
     */
    private static final class Parser {

        private final String s;
        private final List<Challenge> out;
        /** The position in {@link #s}. */
        private int i;

        Parser(String s, List<Challenge> out) {
            this.s = s;
            this.out = out;
        }

        void run() {
            String scheme = null;
            Map<String, String> params = null;
            while (true) {
                skip(" \t\r\n,");
                String token = token();
                if (token == null) {
                    break;
                }
                int mark = i;
                skip(" \t\r\n");
                if (scheme != null && i < s.length() && s.charAt(i) == '=' && !token68Follows()) {
                    i++;
                    skip(" \t\r\n");
                    String value = i < s.length() && s.charAt(i) == '"' ? quotedString() : token();
                    if (value == null) {
                        break;
                    }
                    params.put(token.toLowerCase(Locale.ROOT), value);
                    continue;
                }
                i = mark;
                if (scheme != null) {
                    out.add(new Challenge(scheme, params));
                }
                scheme = token;
                params = new TreeMap<>();
                skip(" \t\r\n");
                // A token68 (e.g. "Negotiate abc=="): kept out of the parameters.
                int start = i;
                String t68 = token68();
                if (t68 == null || (i < s.length() && s.charAt(i) != ',')) {
                    i = start;
                }
            }
            if (scheme != null) {
                out.add(new Challenge(scheme, params));
            }
        }

        /** Whether what follows the '=' at {@link #i} is more '=' padding of a token68. */
        private boolean token68Follows() {
            int j = i;
            while (j < s.length() && s.charAt(j) == '=') {
                j++;
            }
            return j > i + 1 || (j < s.length() && j == i + 1 && s.charAt(j) == ',');
        }

        private String token68() {
            int start = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || "-._~+/".indexOf(s.charAt(i)) >= 0)) {
                i++;
            }
            if (i == start) {
                return null;
            }
            while (i < s.length() && s.charAt(i) == '=') {
                i++;
            }
            return s.substring(start, i);
        }

        private void skip(String chars) {
            while (i < s.length() && chars.indexOf(s.charAt(i)) >= 0) {
                i++;
            }
        }

        private String token() {
            int start = i;
            while (i < s.length()) {
                char c = s.charAt(i);
                boolean tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
                if (!tchar) {
                    break;
                }
                i++;
            }
            return i == start ? null : s.substring(start, i);
        }

        private String quotedString() {
            StringBuilder v = new StringBuilder();
            i++;
            while (i < s.length()) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return v.toString();
                }
                if (c == '\\' && i < s.length()) {
                    c = s.charAt(i++);
                }
                v.append(c);
            }
            return null;
        }
    }
}
