package io.fluxsocket;

import io.fluxsocket.testing.TestPki;
import io.fluxsocket.testing.TestPki.Identity;
import io.fluxsocket.testing.TestServer;
import io.netty.handler.ssl.SslHandler;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertStore;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.X509CRL;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import javax.net.ssl.CertPathTrustManagerParameters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code wss://} against an in-process Reactor Netty TLS server with certificates made by
 * {@link TestPki}: trust, each certificate error with its status and as an ignorable error, what
 * {@code info()} reports, client certificates, custom validation, a user's {@link SSLContext}.
 * The server counts the WebSocket upgrades it accepts: a refused certificate opens none.
 */
@Timeout(60)
class TlsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final TestPki PKI = TestPki.get();

    private final AtomicInteger upgrades = new AtomicInteger();
    /** The subject of the client certificate of the last upgrade, or "none". */
    private final AtomicReference<String> clientSubject = new AtomicReference<>();
    private TestServer server;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private URI start(Identity identity, String host) {
        return start(identity, false, host);
    }

    private URI start(Identity identity, boolean clientCertificates, String host) {
        server = new TestServer(identity, clientCertificates, (in, out) -> {
            upgrades.incrementAndGet();
            in.withConnection(c -> clientSubject.set(subjectOf(c.channel().pipeline().get(SslHandler.class).engine().getSession())));
            return TestServer.echo(in, out);
        });
        return URI.create(server.uri("wss", host) + "echo");
    }

    private static String subjectOf(SSLSession session) {
        try {
            return ((X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName();
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return "none";
        }
    }

    private static WebSocketClient.Builder trusting() {
        return WebSocketClient.builder().connectTimeout(Duration.ofSeconds(10)).trustStore(PKI.trustStore());
    }

    /** Connects, echoes a message, and returns the connection's information. */
    private static WebSocketInfo echo(WebSocketClient client, URI uri) {
        StreamWebSocket ws = client.connect(uri).block(WAIT);
        try {
            byte[] payload = "over TLS".getBytes(StandardCharsets.UTF_8);
            ByteBuffer back = ws.send(Mono.just(ByteBuffer.wrap(payload))).thenMany(ws.receive()).next().block(WAIT);
            assertEquals(ByteBuffer.wrap(payload), back);
            return ws.info();
        } finally {
            ws.close().block(WAIT);
        }
    }

    private static WebSocketException connectError(WebSocketClient client, URI uri) {
        return assertThrows(WebSocketException.class, () -> client.connect(uri).block(WAIT));
    }

    @Test
    void aChainThatLeadsToATrustedCaCarriesTheConnectionAndInfoDescribesIt() {
        URI uri = start(PKI.valid(), "localhost");
        WebSocketInfo info = echo(trusting().build(), uri);
        assertEquals(PKI.valid().certificate(), info.serverCertificate().orElseThrow());
        assertEquals(List.of(PKI.intermediate()), info.serverIntermediateCertificates());
        assertEquals(Set.of(), info.serverCertificateErrors());
        assertEquals(ServerCertificateErrorSeverity.NONE, info.serverCertificateErrorSeverity());
        assertEquals("TLSv1.3", info.tlsProtocol().orElseThrow());
        assertTrue(info.cipherSuite().orElseThrow().startsWith("TLS_"), info.cipherSuite().toString());
    }

    @Test
    void anIpAddressIsCheckedAgainstTheCertificatesIpAddresses() {
        URI uri = start(PKI.valid(), "127.0.0.1");
        assertEquals(Set.of(), echo(trusting().build(), uri).serverCertificateErrors());
    }

    @Test
    void theTrustedCertificatesMayComeFromAPemFile() {
        URI uri = start(PKI.valid(), "localhost");
        WebSocketClient client = WebSocketClient.builder().trustedCertificates(PKI.writeCaPem(dir)).build();
        assertEquals(ServerCertificateErrorSeverity.NONE, echo(client, uri).serverCertificateErrorSeverity());
        WebSocketClient direct = WebSocketClient.builder().trustedCertificates(PKI.ca()).build();
        assertEquals(ServerCertificateErrorSeverity.NONE, echo(direct, uri).serverCertificateErrorSeverity());
    }

    @Test
    void theJvmsDefaultTrustRefusesTheTestCa() {
        URI uri = start(PKI.valid(), "localhost");
        WebSocketException e = connectError(WebSocketClient.create(), uri);
        assertEquals(WebErrorStatus.CERTIFICATE_IS_INVALID, e.status(), e.toString());
        assertTrue(e.getMessage().contains("UNTRUSTED"), e.getMessage());
        assertEquals(0, upgrades.get(), "no WebSocket was opened");
    }

    static Stream<Arguments> certificateErrors() {
        return Stream.of(
                Arguments.of("wrong host", PKI.wrongHost(), ChainValidationResult.INVALID_NAME, WebErrorStatus.CERTIFICATE_COMMON_NAME_IS_INCORRECT),
                Arguments.of("expired", PKI.expired(), ChainValidationResult.EXPIRED, WebErrorStatus.CERTIFICATE_EXPIRED),
                Arguments.of("not yet valid", PKI.notYetValid(), ChainValidationResult.EXPIRED, WebErrorStatus.CERTIFICATE_EXPIRED),
                Arguments.of("self-signed", PKI.selfSigned(), ChainValidationResult.UNTRUSTED, WebErrorStatus.CERTIFICATE_IS_INVALID),
                Arguments.of("missing intermediate", PKI.validLeafOnly(), ChainValidationResult.INCOMPLETE_CHAIN, WebErrorStatus.CERTIFICATE_IS_INVALID),
                Arguments.of("client-only usage", PKI.wrongUsage(), ChainValidationResult.WRONG_USAGE, WebErrorStatus.CERTIFICATE_IS_INVALID));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("certificateErrors")
    void eachCertificateErrorFailsWithItsStatusAndOpensNoWebSocket(String name, Identity identity, ChainValidationResult error,
            WebErrorStatus status) {
        URI uri = start(identity, "localhost");
        WebSocketException e = connectError(trusting().build(), uri);
        assertEquals(status, e.status(), e.toString());
        assertTrue(e.getMessage().contains("[" + error + "]"), e.getMessage());
        assertEquals(0, upgrades.get(), "no WebSocket was opened");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("certificateErrors")
    void eachCertificateErrorIsAcceptedWhenIgnorableAndInfoReportsIt(String name, Identity identity, ChainValidationResult error,
            WebErrorStatus status) {
        URI uri = start(identity, "localhost");
        WebSocketInfo info = echo(trusting().ignorableServerCertificateErrors(error).build(), uri);
        assertEquals(Set.of(error), info.serverCertificateErrors());
        assertEquals(ServerCertificateErrorSeverity.IGNORABLE, info.serverCertificateErrorSeverity());
        assertEquals(identity.certificate(), info.serverCertificate().orElseThrow());
    }

    @Test
    void anErrorOutsideTheIgnorableSetStillFailsAndNamesBoth() {
        URI uri = start(PKI.expired(), "localhost");
        WebSocketException e = connectError(trusting().ignorableServerCertificateErrors(ChainValidationResult.INVALID_NAME).build(), uri);
        assertEquals(WebErrorStatus.CERTIFICATE_EXPIRED, e.status(), e.toString());
    }

    @Test
    void severalErrorsAreAllReportedAndAllMustBeIgnorable() {
        // Issued for another host by the test CA: INVALID_NAME, and UNTRUSTED where the CA is not trusted.
        URI uri = start(PKI.wrongHost(), "localhost");
        WebSocketClient both = trusting().ignorableServerCertificateErrors(ChainValidationResult.INVALID_NAME,
                ChainValidationResult.UNTRUSTED).build();
        assertEquals(Set.of(ChainValidationResult.INVALID_NAME), echo(both, uri).serverCertificateErrors());
        WebSocketClient untrusting = WebSocketClient.builder().ignorableServerCertificateErrors(ChainValidationResult.INVALID_NAME).build();
        WebSocketException e = connectError(untrusting, uri);
        assertTrue(e.getMessage().contains("UNTRUSTED"), e.getMessage());
        assertTrue(e.getMessage().contains("INVALID_NAME"), "ignorable errors are named too: " + e.getMessage());
        WebSocketClient all = WebSocketClient.builder().ignorableServerCertificateErrors(ChainValidationResult.INVALID_NAME,
                ChainValidationResult.UNTRUSTED).build();
        assertEquals(Set.of(ChainValidationResult.INVALID_NAME, ChainValidationResult.UNTRUSTED),
                echo(all, uri).serverCertificateErrors());
    }

    /** A trust manager that checks revocation against {@code crls} only (no OCSP, no distribution points). */
    private static TrustManagerFactory checkingRevocation(List<X509CRL> crls) throws Exception {
        PKIXBuilderParameters parameters = new PKIXBuilderParameters(PKI.trustStore(), new X509CertSelector());
        parameters.setRevocationEnabled(true);
        parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls)));
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(new CertPathTrustManagerParameters(parameters));
        return factory;
    }

    @Test
    void aRevokedCertificateFailsWithCertificateRevoked() throws Exception {
        URI uri = start(PKI.valid(), "localhost");
        TrustManagerFactory revoking = checkingRevocation(PKI.crls(PKI.valid().certificate()));
        WebSocketException e = connectError(WebSocketClient.builder().trustManagerFactory(revoking)
                .ignorableServerCertificateErrors(ChainValidationResult.UNTRUSTED, ChainValidationResult.EXPIRED).build(), uri);
        assertEquals(WebErrorStatus.CERTIFICATE_REVOKED, e.status(), e.toString());
        assertTrue(e.getMessage().contains("[REVOKED]"), e.getMessage());
        assertEquals(0, upgrades.get());
        TrustManagerFactory current = checkingRevocation(PKI.crls());
        assertEquals(Set.of(), echo(WebSocketClient.builder().trustManagerFactory(current).build(), uri).serverCertificateErrors());
    }

    @Test
    void revocationThatCannotBeCheckedIsAnErrorThatMayBeIgnored() throws Exception {
        URI uri = start(PKI.valid(), "localhost");
        TrustManagerFactory noCrls = checkingRevocation(List.of());
        WebSocketException e = connectError(WebSocketClient.builder().trustManagerFactory(noCrls).build(), uri);
        assertEquals(WebErrorStatus.CERTIFICATE_CONTAINS_ERRORS, e.status(), e.toString());
        assertTrue(e.getMessage().contains("[REVOCATION_INFORMATION_MISSING]"), e.getMessage());
        WebSocketInfo info = echo(WebSocketClient.builder().trustManagerFactory(noCrls)
                .ignorableServerCertificateErrors(ChainValidationResult.REVOCATION_INFORMATION_MISSING).build(), uri);
        assertEquals(Set.of(ChainValidationResult.REVOCATION_INFORMATION_MISSING), info.serverCertificateErrors());
    }

    @Test
    void aClientCertificateFromPemFilesPassesMutualTls() {
        URI uri = start(PKI.valid(), true, "localhost");
        Identity client = PKI.client();
        echo(trusting().clientCertificate(client.writeChainPem(dir, "client.pem"), client.writeKeyPem(dir, "client.key")).build(), uri);
        assertEquals(client.certificate().getSubjectX500Principal().getName(), clientSubject.get());
    }

    @Test
    void aClientCertificateFromPkcs12OrAKeyPassesMutualTls() {
        URI uri = start(PKI.valid(), true, "localhost");
        Identity client = PKI.client();
        char[] password = "secret".toCharArray();
        echo(trusting().clientCertificate(client.writePkcs12(dir, "client.p12", password), password).build(), uri);
        echo(trusting().clientCertificate(client.key(), client.chain().toArray(new X509Certificate[0])).build(), uri);
        assertEquals(2, upgrades.get());
    }

    @Test
    void withoutAClientCertificateMutualTlsFailsWithClientCertificateRequired() {
        URI uri = start(PKI.valid(), true, "localhost");
        WebSocketException e = connectError(trusting().build(), uri);
        assertEquals(WebErrorStatus.CLIENT_CERTIFICATE_REQUIRED, e.status(), e.toString());
        assertEquals(0, upgrades.get());
    }

    @Test
    void customValidationSeesTheCertificateAndCanAccept() {
        URI uri = start(PKI.expired(), "localhost");
        AtomicReference<ServerCertificateValidation> asked = new AtomicReference<>();
        WebSocketClient client = trusting().ignorableServerCertificateErrors(ChainValidationResult.EXPIRED)
                .serverCertificateValidation(v -> {
                    asked.set(v);
                    return Mono.just(true);
                }).build();
        echo(client, uri);
        ServerCertificateValidation v = asked.get();
        assertEquals("localhost", v.host());
        assertEquals(PKI.expired().certificate(), v.serverCertificate());
        assertEquals(List.of(PKI.intermediate()), v.intermediateCertificates());
        assertEquals(Set.of(ChainValidationResult.EXPIRED), v.errors());
        assertEquals(ServerCertificateErrorSeverity.IGNORABLE, v.severity());
    }

    @Test
    void customValidationThatRejectsErrsOrAnswersNothingFailsTheConnectWithoutAWebSocket() {
        URI uri = start(PKI.valid(), "localhost");
        WebSocketException rejected = connectError(trusting().serverCertificateValidation(v -> Mono.just(false)).build(), uri);
        assertEquals(WebErrorStatus.CERTIFICATE_IS_INVALID, rejected.status());
        assertTrue(rejected.getMessage().contains("rejected"), rejected.getMessage());
        WebSocketException failed = connectError(trusting()
                .serverCertificateValidation(v -> Mono.error(new IllegalStateException("pin store unavailable"))).build(), uri);
        assertEquals(WebErrorStatus.CERTIFICATE_IS_INVALID, failed.status());
        assertTrue(failed.getMessage().contains("pin store unavailable"), failed.getMessage());
        WebSocketException empty = connectError(trusting().serverCertificateValidation(v -> Mono.empty()).build(), uri);
        assertTrue(empty.getMessage().contains("answered nothing"), empty.getMessage());
        WebSocketException thrown = connectError(trusting().serverCertificateValidation(v -> {
            throw new IllegalArgumentException("bad validator");
        }).build(), uri);
        assertEquals(WebErrorStatus.CERTIFICATE_IS_INVALID, thrown.status());
        assertEquals(0, upgrades.get(), "no WebSocket was opened");
    }

    @Test
    void customValidationThatDoesNotAnswerWithinTheConnectTimeoutRejects() {
        URI uri = start(PKI.valid(), "localhost");
        WebSocketException e = connectError(trusting().connectTimeout(Duration.ofMillis(1500))
                .serverCertificateValidation(v -> Mono.never()).build(), uri);
        assertEquals(WebErrorStatus.CERTIFICATE_IS_INVALID, e.status(), e.toString());
        assertTrue(e.getMessage().contains("did not answer within 1500 ms"), e.getMessage());
        assertEquals(0, upgrades.get());
    }

    @Test
    void customValidationWaitsWithoutBlockingOtherConnectionsOfTheClient() {
        URI uri = start(PKI.valid(), "localhost");
        Sinks.One<Boolean> answer = Sinks.one();
        AtomicInteger asked = new AtomicInteger();
        WebSocketClient gated = trusting().connectTimeout(Duration.ofSeconds(55)).serverCertificateValidation(v -> {
            asked.incrementAndGet();
            return answer.asMono();
        }).build();
        Mono<StreamWebSocket> waiting = gated.connect(uri).cache();
        waiting.subscribe(ws -> { }, e -> { });
        // All clients share their event loops: connections of another stream while the first waits for its answer.
        WebSocketClient client = trusting().build();
        int streams = 4;
        int bytes = 1 << 20;
        List<Mono<Long>> transfers = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            transfers.add(client.connect(uri).flatMap(ws -> Flux.merge(
                            ws.send(Flux.range(0, bytes / 65536).map(n -> ByteBuffer.allocate(65536))).then(Mono.<Long>empty()),
                            ws.receive().map(b -> (long) b.remaining()))
                    .scan(0L, Long::sum).takeUntil(n -> n >= bytes).last()
                    .flatMap(n -> ws.close().thenReturn(n))));
        }
        List<Long> done = Flux.merge(transfers).collectList().block(Duration.ofSeconds(40));
        assertEquals(List.of((long) bytes, (long) bytes, (long) bytes, (long) bytes), done);
        assertEquals(1, asked.get(), "the first connection was asked for its answer");
        assertEquals(streams, upgrades.get(), "the first connection is still waiting for its answer");
        answer.tryEmitValue(true);
        StreamWebSocket first = waiting.block(WAIT);
        first.close().block(WAIT);
        assertEquals(streams + 1, upgrades.get());
    }

    @Test
    void pinningAcceptsTheRightKeyAndRejectsAnother() {
        URI uri = start(PKI.valid(), "localhost");
        AtomicReference<String> pin = new AtomicReference<>();
        echo(trusting().serverCertificateValidation(v -> {
            pin.set(v.publicKeyPin());
            return Mono.just(true);
        }).build(), uri);
        String right = pin.get();
        assertTrue(right.startsWith("sha256/") && right.length() == "sha256/".length() + 44, right);
        echo(trusting().serverCertificateValidation(v -> Mono.just(v.publicKeyPin().equals(right))).build(), uri);
        String other = "sha256/" + "A".repeat(43) + "=";
        WebSocketException e = connectError(trusting().serverCertificateValidation(v -> Mono.just(v.publicKeyPin().equals(other))).build(), uri);
        assertEquals(WebErrorStatus.CERTIFICATE_IS_INVALID, e.status());
    }

    @Test
    void aUsersSslContextDecidesTrustAndTheHostNameIsStillChecked() throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(PKI.trustStore());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        URI uri = start(PKI.wrongHost(), "localhost");
        WebSocketException e = connectError(WebSocketClient.builder().sslContext(context).build(), uri);
        assertEquals(WebErrorStatus.CERTIFICATE_COMMON_NAME_IS_INCORRECT, e.status(), e.toString());
        server.close();
        uri = start(PKI.valid(), "localhost");
        assertEquals(PKI.valid().certificate(), echo(WebSocketClient.builder().sslContext(context).build(), uri)
                .serverCertificate().orElseThrow());
    }

    @Test
    void tlsProtocolsAndCipherSuitesAreThoseNegotiated() {
        URI uri = start(PKI.valid(), "localhost");
        WebSocketInfo info = echo(trusting().tlsProtocols("TLSv1.2")
                .cipherSuites("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384").build(), uri);
        assertEquals("TLSv1.2", info.tlsProtocol().orElseThrow());
        assertEquals("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", info.cipherSuite().orElseThrow());
    }

    @Test
    void aPlainConnectionSaysThereIsNoTls() {
        try (var plain = io.fluxsocket.testing.TestServer.echoing()) {
            WebSocketInfo info = echo(WebSocketClient.create(), plain.uri());
            assertFalse(info.serverCertificate().isPresent());
            assertEquals(List.of(), info.serverIntermediateCertificates());
            assertEquals(Set.of(), info.serverCertificateErrors());
            assertEquals(ServerCertificateErrorSeverity.NONE, info.serverCertificateErrorSeverity());
            assertFalse(info.tlsProtocol().isPresent());
            assertFalse(info.cipherSuite().isPresent());
        }
    }

    @Test
    void badTlsArgumentsAreRefusedBeforeAnyIoNamingTheArgument() throws Exception {
        Path missing = dir.resolve("missing.pem");
        assertInvalid("trustedCertificates", () -> WebSocketClient.builder().trustedCertificates(missing));
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");
        assertInvalid("trustedCertificates", () -> WebSocketClient.builder().trustedCertificates(garbage));
        Identity client = PKI.client();
        Path chain = client.writeChainPem(dir, "client.pem");
        Path otherKey = PKI.valid().writeKeyPem(dir, "other.key");
        WebSocketException mismatch = assertInvalid("clientCertificate", () -> WebSocketClient.builder().clientCertificate(chain, otherKey));
        assertTrue(mismatch.getMessage().contains("does not match"), mismatch.getMessage());
        Path p12 = client.writePkcs12(dir, "client.p12", "right".toCharArray());
        WebSocketException password = assertInvalid("clientCertificate",
                () -> WebSocketClient.builder().clientCertificate(p12, "wrong".toCharArray()));
        assertTrue(password.getMessage().contains("wrong password"), password.getMessage());
        assertInvalid("ignorableServerCertificateErrors",
                () -> WebSocketClient.builder().ignorableServerCertificateErrors(ChainValidationResult.REVOKED));
        assertInvalid("ignorableServerCertificateErrors",
                () -> WebSocketClient.builder().ignorableServerCertificateErrors(ChainValidationResult.INVALID_SIGNATURE));
        assertInvalid("tlsProtocols", () -> WebSocketClient.builder().tlsProtocols("TLSv9"));
        assertInvalid("cipherSuites", () -> WebSocketClient.builder().cipherSuites("TLS_NONE"));
        assertInvalid("sslContext", () -> WebSocketClient.builder().sslContext(SSLContext.getDefault()).trustStore(PKI.trustStore()).build());
        assertInvalid("serverCertificateValidation", () -> WebSocketClient.builder().serverCertificateValidation(null));
    }

    private static WebSocketException assertInvalid(String argument, org.junit.jupiter.api.function.Executable call) {
        WebSocketException e = assertThrows(WebSocketException.class, call);
        assertEquals(WebErrorStatus.INVALID_ARGUMENT, e.status(), e.toString());
        assertTrue(e.getMessage().startsWith(argument + ":"), e.getMessage());
        return e;
    }
}
