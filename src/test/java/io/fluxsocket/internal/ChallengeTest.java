package io.fluxsocket.internal;

import io.fluxsocket.ServerCredential;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code WWW-Authenticate} parsing and the answers, checked against the examples of the RFCs:
 * RFC 7616 §3.9.1 (Digest with SHA-256 and MD5), RFC 2617 §3.5 (MD5, {@code qop=auth}), RFC 9110
 * §11.6.1 (several challenges in one header).
 */
class ChallengeTest {

    /** RFC 7616 §3.9.1's challenge, with the algorithm to answer. */
    private static String rfc7616(String algorithm) {
        return "Digest\r\n realm=\"http-auth@example.org\",\r\n qop=\"auth, auth-int\",\r\n algorithm=" + algorithm
                + ",\r\n nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\r\n"
                + " opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
    }

    private static final ServerCredential MUFASA_7616 = ServerCredential.of("Mufasa", "Circle of Life");
    private static final String CNONCE_7616 = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

    @Test
    void theSha256ExampleOfRfc7616IsAnsweredAsTheRfcDoes() {
        Challenge c = Challenge.parse(List.of(rfc7616("SHA-256"))).get(0);
        assertEquals("Digest username=\"Mufasa\", realm=\"http-auth@example.org\", uri=\"/dir/index.html\","
                + " algorithm=SHA-256, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\","
                + " response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\","
                + " qop=auth, nc=00000001, cnonce=\"" + CNONCE_7616 + "\","
                + " opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"",
                c.digest(MUFASA_7616, "GET", "/dir/index.html", CNONCE_7616));
    }

    @Test
    void theMd5ExampleOfRfc7616IsAnsweredAsTheRfcDoes() {
        Challenge c = Challenge.parse(List.of(rfc7616("MD5"))).get(0);
        assertTrue(c.digest(MUFASA_7616, "GET", "/dir/index.html", CNONCE_7616)
                .contains(", response=\"8ca523f5e9506fed4657c9700eebdbec\","));
    }

    @Test
    void theExampleOfRfc2617IsAnsweredAsTheRfcDoes() {
        Challenge c = Challenge.parse(List.of("Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\","
                + " nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"")).get(0);
        String answer = c.digest(ServerCredential.of("Mufasa", "Circle Of Life"), "GET", "/dir/index.html", "0a4f113b");
        assertTrue(answer.contains(", algorithm=MD5, ") && answer.contains(", response=\"6629fae49393a05397450978507c4ef1\","),
                answer);
    }

    @Test
    void severalChallengesInOneHeaderAreSplitAndQuotedStringsUnescaped() {
        List<Challenge> challenges = Challenge.parse(List.of(
                "Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", Basic realm=\"simple\"",
                "Negotiate abc==, Bearer"));
        assertEquals(4, challenges.size(), challenges.toString());
        assertEquals(new Challenge("Newauth", Map.of("realm", "apps", "type", "1", "title", "Login to \"apps\"")),
                challenges.get(0));
        assertEquals(new Challenge("Basic", Map.of("realm", "simple")), challenges.get(1));
        assertEquals(new Challenge("Negotiate", Map.of()), challenges.get(2));
        assertEquals(new Challenge("Bearer", Map.of()), challenges.get(3));
    }

    @Test
    void theStrongestOfferedIsAnswered() {
        ServerCredential c = ServerCredential.of("u", "p");
        List<Challenge> all = Challenge.parse(List.of("Basic realm=\"r\"",
                "Digest realm=\"r\", nonce=\"1\", algorithm=MD5, qop=\"auth\"",
                "Digest realm=\"r\", nonce=\"2\", algorithm=SHA-256-sess, qop=\"auth\"",
                "Digest realm=\"r\", nonce=\"3\", algorithm=SHA-256, qop=\"auth\""));
        assertEquals("Digest SHA-256-sess", Challenge.answer(all, c, "/").what());
        assertEquals("Digest SHA-256", Challenge.answer(List.of(all.get(0), all.get(1), all.get(3)), c, "/").what());
        assertEquals("Digest MD5", Challenge.answer(all.subList(0, 2), c, "/").what());
        assertEquals("Basic", Challenge.answer(all.subList(0, 1), c, "/").what());
        assertEquals("Basic dTpw", Challenge.answer(all.subList(0, 1), c, "/").authorization());
    }

    @Test
    void challengesTheClientCannotAnswerGiveNoAnswer() {
        ServerCredential c = ServerCredential.of("u", "p");
        assertNull(Challenge.answer(Challenge.parse(List.of("Negotiate", "Bearer realm=\"x\"")), c, "/"));
        assertNull(Challenge.answer(Challenge.parse(List.of("Digest realm=\"r\", nonce=\"1\", qop=\"auth-int\"")), c, "/"),
                "auth-int only");
        assertNull(Challenge.answer(Challenge.parse(List.of("Digest realm=\"r\", nonce=\"1\", algorithm=SHA-512-256")),
                c, "/"), "an algorithm the client does not do");
        assertNull(Challenge.answer(Challenge.parse(List.of("Digest realm=\"r\"")), c, "/"), "no nonce");
    }

    @Test
    void withoutQopTheAnswerIsRfc2069s() {
        Challenge c = Challenge.parse(List.of("Digest realm=\"r\", nonce=\"n\"")).get(0);
        String answer = c.digest(ServerCredential.of("u", "p"), "GET", "/", "ignored");
        assertTrue(!answer.contains("qop=") && !answer.contains("cnonce=") && !answer.contains("nc="), answer);
    }

    @Test
    void userhashSendsTheHashOfUserAndRealm() {
        Challenge c = Challenge.parse(List.of("Digest realm=\"api@example.org\", nonce=\"n\", algorithm=SHA-256,"
                + " qop=\"auth\", userhash=true")).get(0);
        String answer = c.digest(ServerCredential.of("Mufasa", "x"), "GET", "/", "c");
        // SHA-256("Mufasa:api@example.org")
        assertTrue(answer.startsWith("Digest username=\"" + sha256Hex("Mufasa:api@example.org") + "\", "), answer);
        assertTrue(answer.endsWith(", userhash=true"), answer);
    }

    @Test
    void aUserNameAQuotedStringCannotCarryGoesAsAnExtValue() {
        Challenge c = Challenge.parse(List.of("Digest realm=\"r\", nonce=\"n\", qop=\"auth\"")).get(0);
        String answer = c.digest(ServerCredential.of("J\u00e4s\u00f8n Doe", "x"), "GET", "/", "c");
        // RFC 7616 §3.9.2's encoding of the same name.
        assertTrue(answer.startsWith("Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, "), answer);
    }

    private static String sha256Hex(String s) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
