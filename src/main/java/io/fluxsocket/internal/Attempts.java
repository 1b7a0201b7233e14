package io.fluxsocket.internal;

import io.fluxsocket.HandshakeResponse;
import io.fluxsocket.ServerCredential;
import io.fluxsocket.WebSocketException;
import io.netty.handler.codec.http.HttpHeaderNames;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;

/**
 * The handshake attempts of one connect, each on a new connection: the first; once more with an
 * {@code Authorization} answer when the server answers {@code 401} with a challenge the credential
 * can answer ({@link Challenge}); and, when redirects are allowed, one attempt (and its answer to a
 * {@code 401}) per {@code 301/302/307/308} followed, up to {@code maxRedirects}. So a connect makes
 * at most {@code 2 × (maxRedirects + 1)} attempts, and never loops. The caller's timeout bounds them
 * all.
 *
 * <p>The credential goes only to the origin it was given for: a redirect to another origin is
 * followed without it (and without an {@code Authorization} header the application set), as
 * browsers and OkHttp do. A redirect from {@code wss} to {@code ws} or {@code http} is refused.
 */
final class Attempts {

    private static final String AUTHORIZATION = HttpHeaderNames.AUTHORIZATION.toString();
    private static final String WWW_AUTHENTICATE = HttpHeaderNames.WWW_AUTHENTICATE.toString();

    /** One attempt: a new connection, TLS if need be, and the handshake with this request. */
    private final Function<HandshakeRequest, Mono<WebSocketConnection>> attempt;
    /** The credential; null for none. */
    private final ServerCredential credential;
    /** The origin the credential is for: the first target's. */
    private final String origin;
    private final int maxRedirects;

    Attempts(Function<HandshakeRequest, Mono<WebSocketConnection>> attempt, ServerCredential credential, Target first,
            int maxRedirects) {
        this.attempt = attempt;
        this.credential = credential;
        this.origin = first.origin();
        this.maxRedirects = maxRedirects;
    }

    /**
     * Performs the attempts. Nothing happens until subscription.
     *
     * @return a {@link Mono} of the open connection; errors with the last attempt's failure
     */
    Mono<WebSocketConnection> run(HandshakeRequest first) {
        return hop(first, 0);
    }

    /** The credential for a target: the connect's, if the target is of its origin. */
    private ServerCredential credentialFor(Target target) {
        return credential != null && target.origin().equals(origin) ? credential : null;
    }

    private Mono<WebSocketConnection> hop(HandshakeRequest request, int redirects) {
        ServerCredential c = credentialFor(request.target());
        HandshakeRequest first = c != null && c.isPreemptive()
                ? request.withHeader(AUTHORIZATION, Challenge.basic(c)) : request;
        return attempt.apply(first).onErrorResume(Attempts::refused, e -> {
            WebSocketException refused = (WebSocketException) e;
            return refused.httpStatus() == 401 ? challenged(request, refused, c, redirects)
                    : redirected(request, refused, redirects);
        });
    }

    /** A 401: answered once, with the strongest challenge the credential can answer. */
    private Mono<WebSocketConnection> challenged(HandshakeRequest request, WebSocketException refused,
            ServerCredential c, int redirects) {
        List<Challenge> challenges = Challenge.parse(response(refused).allValues(WWW_AUTHENTICATE));
        if (c == null) {
            return Mono.error(amended(refused, "; it asks for a credential" + offered(challenges) + ", and "
                    + (credential == null ? "the client has none" : "the client's is for " + origin + " only")));
        }
        Challenge.Answer answer = Challenge.answer(challenges, c, request.target().requestTarget());
        if (answer == null) {
            return Mono.error(amended(refused, "; it asks for a credential" + offered(challenges)
                    + " by no scheme the client answers (Basic; Digest with SHA-256 or MD5, qop=auth or none)"));
        }
        if (c.isPreemptive() && answer.what().equals("Basic")) {
            // The Basic answer was sent already: sending it again would be refused again.
            return Mono.error(refusedCredential(refused, c, "Basic"));
        }
        return attempt.apply(request.withHeader(AUTHORIZATION, answer.authorization()))
                .onErrorResume(Attempts::refused, e -> {
                    WebSocketException again = (WebSocketException) e;
                    return again.httpStatus() == 401 ? Mono.error(refusedCredential(again, c, answer.what()))
                            : redirected(request, again, redirects);
                });
    }

    /** A 301/302/307/308, followed when allowed; any other refusal fails as it is. */
    private Mono<WebSocketConnection> redirected(HandshakeRequest request, WebSocketException refused, int redirects) {
        int code = refused.httpStatus();
        if (maxRedirects == 0 || (code != 301 && code != 302 && code != 307 && code != 308)) {
            return Mono.error(refused);
        }
        Optional<String> location = response(refused).firstValue(HttpHeaderNames.LOCATION.toString());
        if (location.isEmpty()) {
            return Mono.error(amended(refused, "; the redirect has no Location header"));
        }
        if (redirects == maxRedirects) {
            return Mono.error(amended(refused, "; " + redirects + " redirect" + (redirects == 1 ? " was" : "s were")
                    + " followed already (maxRedirects " + maxRedirects + ")"));
        }
        Target from = request.target();
        Target next;
        try {
            next = next(from, location.get());
        } catch (WebSocketException | URISyntaxException e) {
            String why = e instanceof URISyntaxException u ? "is not a URI (" + u.getReason() + ")" : e.getMessage();
            return Mono.error(amended(refused, "; the redirect is not followed: its Location " + why));
        }
        if (from.secure() && !next.secure()) {
            return Mono.error(amended(refused, "; the redirect to " + next.uri() + " is not followed: it would leave"
                    + " wss for an unencrypted connection"));
        }
        HandshakeRequest again = request.to(next);
        if (!next.origin().equals(from.origin())) {
            // A header that may carry a credential stays with the origin it was set for.
            again = again.without(AUTHORIZATION);
        }
        return hop(again, redirects + 1);
    }

    /**
     * The target a {@code Location} leads to: resolved against the request's URI, {@code http}
     * as {@code ws} and {@code https} as {@code wss}; its user information, if any, dropped.
     */
    private static Target next(Target from, String location) throws URISyntaxException {
        URI resolved = from.uri().resolve(new URI(location.trim()));
        String scheme = resolved.getScheme() == null ? "" : resolved.getScheme().toLowerCase(Locale.ROOT);
        String as = switch (scheme) {
            case "ws", "http" -> "ws";
            case "wss", "https" -> "wss";
            default -> null;
        };
        if (as == null) {
            throw new WebSocketException(io.fluxsocket.WebErrorStatus.INVALID_ARGUMENT, "'"
                    + Target.withoutUserInfo(resolved) + "' is not a ws, wss, http or https URI");
        }
        URI shown = Target.withoutUserInfo(resolved);
        return Target.of(new URI(as + shown.toString().substring(scheme.length())));
    }

    private static boolean refused(Throwable e) {
        return e instanceof WebSocketException w && w.handshakeResponse().isPresent() && w.httpStatus() != 101;
    }

    private static HandshakeResponse response(WebSocketException refused) {
        return refused.handshakeResponse().orElseThrow();
    }

    private static WebSocketException amended(WebSocketException refused, String more) {
        return new WebSocketException(refused.status(), refused.getMessage() + more, response(refused));
    }

    private static WebSocketException refusedCredential(WebSocketException refused, ServerCredential c, String what) {
        return amended(refused, "; it refused the credential of user '" + c.username() + "' (" + what + ")");
    }

    /** The challenges, as {@code " (WWW-Authenticate: Digest realm="x", Basic realm="x")"}, or "". */
    private static String offered(List<Challenge> challenges) {
        return challenges.isEmpty() ? " (without a WWW-Authenticate challenge)" : " (WWW-Authenticate: "
                + challenges.stream().map(Challenge::toString).collect(Collectors.joining(", ")) + ")";
    }
}
