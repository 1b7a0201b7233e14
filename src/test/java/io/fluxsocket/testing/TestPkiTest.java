package io.fluxsocket.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.Security;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test PKI as the JDK sees it: chains, validity, usages, and the files it writes. */
class TestPkiTest {

    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    private final TestPki pki = TestPki.get();

    @TempDir
    Path dir;

    @Test
    void theValidChainValidatesAgainstTheRootCa() throws Exception {
        validate(pki.valid().chain());
        validate(pki.client().chain());
    }

    @Test
    void theLeafAloneDoesNotReachTheRootCa() {
        CertPathValidatorException e = assertThrows(CertPathValidatorException.class,
                () -> validate(pki.validLeafOnly().chain()));
        assertEquals(PKIXReason.NO_TRUST_ANCHOR, e.getReason(), e.toString());
        assertEquals(pki.valid().certificate(), pki.validLeafOnly().certificate());
    }

    @Test
    void theSelfSignedCertificateIsNotIssuedByTheTestCa() {
        X509Certificate certificate = pki.selfSigned().certificate();
        assertEquals(List.of(certificate), pki.selfSigned().chain());
        assertEquals(certificate.getSubjectX500Principal(), certificate.getIssuerX500Principal());
        assertEquals(-1, certificate.getBasicConstraints());
        assertThrows(CertPathValidatorException.class, () -> validate(pki.selfSigned().chain()));
    }

    @Test
    void expiredIsExpiredAndNotYetValidIsNotYetValid() throws Exception {
        assertThrows(CertificateExpiredException.class, () -> pki.expired().certificate().checkValidity());
        assertThrows(CertificateNotYetValidException.class, () -> pki.notYetValid().certificate().checkValidity());
        pki.valid().certificate().checkValidity();
        CertPathValidatorException e = assertThrows(CertPathValidatorException.class,
                () -> validate(pki.expired().chain()));
        assertEquals(CertPathValidatorException.BasicReason.EXPIRED, e.getReason(), e.toString());
    }

    @Test
    void leavesCarryTheirNamesAndUsages() throws Exception {
        assertEquals(Set.of("localhost", "127.0.0.1", "0:0:0:0:0:0:0:1"), names(pki.valid().certificate()));
        assertEquals(Set.of("wrong.example"), names(pki.wrongHost().certificate()));
        assertEquals(List.of(SERVER_AUTH), pki.valid().certificate().getExtendedKeyUsage());
        assertEquals(List.of(CLIENT_AUTH), pki.wrongUsage().certificate().getExtendedKeyUsage());
        assertEquals(List.of(CLIENT_AUTH), pki.client().certificate().getExtendedKeyUsage());
        assertEquals("CN=fluxsocket-test-client", pki.client().certificate().getSubjectX500Principal().getName());
        assertEquals(0, pki.intermediate().getBasicConstraints());
        assertEquals(Integer.MAX_VALUE, pki.ca().getBasicConstraints());
    }

    @Test
    void bouncyCastleIsNotARegisteredProvider() {
        assertNull(Security.getProvider("BC"));
    }

    @Test
    void pemFilesReadBackWithTheJdk() throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        Path chain = pki.valid().writeChainPem(dir, "valid.pem");
        try (InputStream in = Files.newInputStream(chain)) {
            assertEquals(pki.valid().chain(), new ArrayList<>(factory.generateCertificates(in)));
        }
        try (InputStream in = Files.newInputStream(pki.writeCaPem(dir))) {
            assertEquals(List.of(pki.ca()), new ArrayList<>(factory.generateCertificates(in)));
        }

        String pem = Files.readString(pki.valid().writeKeyPem(dir, "valid.key"), StandardCharsets.US_ASCII);
        assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----\n"), pem);
        assertTrue(pem.endsWith("\n-----END PRIVATE KEY-----\n"), pem);
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        assertEquals(pki.valid().key(), KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der)));
    }

    @Test
    void pkcs12FileReadsBackWithTheJdk() throws Exception {
        char[] password = "changeit".toCharArray();
        Path file = pki.client().writePkcs12(dir, "client.p12", password);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password);
        }
        assertEquals(List.of(TestPki.KEY_ALIAS), Collections.list(store.aliases()));
        assertEquals(pki.client().key(), store.getKey(TestPki.KEY_ALIAS, password));
        assertEquals(pki.client().chain(), List.of(store.getCertificateChain(TestPki.KEY_ALIAS)));
    }

    @Test
    void theTrustStoreHoldsOnlyTheRootCa() throws Exception {
        KeyStore store = pki.trustStore();
        assertEquals(List.of(TestPki.CA_ALIAS), Collections.list(store.aliases()));
        assertTrue(store.isCertificateEntry(TestPki.CA_ALIAS));
        assertEquals(pki.ca(), store.getCertificate(TestPki.CA_ALIAS));
    }

    /** Validates the chain with the JDK's PKIX validator, the root CA its one anchor, no revocation checks. */
    private void validate(List<X509Certificate> chain) throws Exception {
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(pki.ca(), null)));
        parameters.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX")
                .validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), parameters);
    }

    private static Set<String> names(X509Certificate certificate) throws Exception {
        Set<String> names = new HashSet<>();
        for (List<?> name : certificate.getSubjectAlternativeNames()) {
            names.add((String) name.get(1));
        }
        return names;
    }
}
