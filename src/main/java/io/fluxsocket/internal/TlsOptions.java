package io.fluxsocket.internal;

import io.fluxsocket.ChainValidationResult;
import io.fluxsocket.ServerCertificateValidation;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.reactivestreams.Publisher;

/**
 * The validated TLS options of a client, as the public builder set them. Public only for
 * {@link io.fluxsocket.WebSocketClient.Builder} to build it: the module does not export this package.
 *
 * @param trust what decides whether the server's chain is trusted; null for the JVM's default trust
 * @param keys the client certificates offered when the server asks for one; null for none
 * @param sslContext a context of the user's, whose own trust and key managers then decide; null if none
 * @param ignorable the certificate errors tolerated
 * @param validation the custom validation, run after the built-in checks; null for none
 * @param protocols the TLS protocol versions enabled; empty for the JVM's default
 * @param cipherSuites the cipher suites enabled; empty for the JVM's default
 */
public record TlsOptions(
        TrustManagerFactory trust,
        KeyManagerFactory keys,
        SSLContext sslContext,
        Set<ChainValidationResult> ignorable,
        Function<ServerCertificateValidation, ? extends Publisher<Boolean>> validation,
        List<String> protocols,
        List<String> cipherSuites) {

    /** The JVM's default trust, no client certificate, no error ignored. */
    public static final TlsOptions DEFAULT = new TlsOptions(null, null, null, Set.of(), null, List.of(), List.of());
}
