package io.fluxsocket;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Reads the TLS material the builder is given (PEM and PKCS#12 files, keys, certificates, key
 * stores) into the JDK's trust and key manager factories, before any I/O: every problem is an
 * {@code INVALID_ARGUMENT} naming the argument.
 */
final class TlsMaterial {

    private static final Pattern PEM_KEY = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
    /** Key algorithms a PKCS#8 key may be in, tried in this order. */
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA");
    /** The alias of the one key entry of a key store made here. */
    private static final String ALIAS = "fluxsocket";
    private static final char[] NO_PASSWORD = new char[0];

    private TlsMaterial() {
    }

    // ---- trust ----

    /** A trust manager factory that trusts the certificates of a PEM file. */
    static TrustManagerFactory trustPem(Path pemFile, String argument) {
        return trust(readCertificates(pemFile, argument), argument);
    }

    /** A trust manager factory that trusts {@code certificates}. */
    static TrustManagerFactory trust(List<X509Certificate> certificates, String argument) {
        if (certificates.isEmpty()) {
            throw Arguments.invalid(argument, "no certificate given");
        }
        try {
            KeyStore store = emptyStore();
            for (int i = 0; i < certificates.size(); i++) {
                if (certificates.get(i) == null) {
                    throw Arguments.invalid(argument, "certificate " + i + " is null");
                }
                store.setCertificateEntry("trusted-" + i, certificates.get(i));
            }
            return trust(store, argument);
        } catch (GeneralSecurityException e) {
            throw invalid(argument, "cannot be trusted", e);
        }
    }

    /** A trust manager factory that trusts the certificate entries of {@code store}. */
    static TrustManagerFactory trust(KeyStore store, String argument) {
        if (store == null) {
            throw Arguments.invalid(argument, "must not be null");
        }
        try {
            if (!hasCertificate(store)) {
                throw Arguments.invalid(argument, "holds no certificate to trust");
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory;
        } catch (GeneralSecurityException e) {
            throw invalid(argument, "cannot be used", e);
        }
    }

    // ---- client certificates ----

    /** A key manager factory for the key of a PEM file (PKCS#8) and the certificate chain of another. */
    static KeyManagerFactory keysPem(Path chainPem, Path keyPem, String argument) {
        List<X509Certificate> chain = readCertificates(chainPem, argument);
        return keys(readKey(keyPem, argument), chain, argument);
    }

    /** A key manager factory for a key and its chain, the key's own certificate first. */
    static KeyManagerFactory keys(PrivateKey key, List<X509Certificate> chain, String argument) {
        if (key == null) {
            throw Arguments.invalid(argument, "the private key must not be null");
        }
        if (chain.isEmpty() || chain.contains(null)) {
            throw Arguments.invalid(argument, "a certificate chain of one or more certificates is needed, without nulls");
        }
        checkPair(key, chain.get(0), argument);
        try {
            KeyStore store = emptyStore();
            store.setKeyEntry(ALIAS, key, NO_PASSWORD, chain.toArray(new Certificate[0]));
            return keys(store, NO_PASSWORD, argument);
        } catch (GeneralSecurityException e) {
            throw invalid(argument, "cannot be used", e);
        }
    }

    /** A key manager factory for the key entry of a PKCS#12 file. */
    static KeyManagerFactory keysPkcs12(Path file, char[] password, String argument) {
        if (file == null) {
            throw Arguments.invalid(argument, "the PKCS#12 file must not be null");
        }
        char[] pw = password == null ? NO_PASSWORD : password;
        KeyStore store;
        try (InputStream in = Files.newInputStream(file)) {
            store = KeyStore.getInstance("PKCS12");
            store.load(in, pw);
        } catch (IOException e) {
            // The JDK reports a wrong password as an IOException caused by an UnrecoverableKeyException.
            String why = e.getCause() instanceof java.security.UnrecoverableKeyException
                    ? "wrong password for " + file : "cannot read the PKCS#12 file " + file;
            throw invalid(argument, why, e);
        } catch (GeneralSecurityException e) {
            throw invalid(argument, "cannot read the PKCS#12 file " + file, e);
        }
        try {
            String alias = null;
            for (Enumeration<String> aliases = store.aliases(); aliases.hasMoreElements(); ) {
                String a = aliases.nextElement();
                if (store.isKeyEntry(a)) {
                    if (alias != null) {
                        throw Arguments.invalid(argument, file + " holds more than one key; give a KeyManagerFactory to choose");
                    }
                    alias = a;
                }
            }
            if (alias == null) {
                throw Arguments.invalid(argument, file + " holds no private key");
            }
            PrivateKey key = (PrivateKey) store.getKey(alias, pw);
            Certificate[] chain = store.getCertificateChain(alias);
            if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                throw Arguments.invalid(argument, file + " holds a key without its X.509 certificate");
            }
            checkPair(key, leaf, argument);
            return keys(store, pw, argument);
        } catch (GeneralSecurityException e) {
            throw invalid(argument, "cannot read the key of " + file, e);
        }
    }

    /** A key manager factory for the key entries of {@code store}. */
    static KeyManagerFactory keys(KeyStore store, char[] password, String argument) {
        try {
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            return factory;
        } catch (GeneralSecurityException e) {
            throw invalid(argument, "cannot be used", e);
        }
    }

    // ---- protocols and cipher suites ----

    /** Names the JDK's TLS implementation supports, each once; {@code what} says of which kind. */
    static List<String> supported(String[] names, String argument, boolean protocols) {
        if (names == null) {
            throw Arguments.invalid(argument, "must not be null");
        }
        Set<String> known;
        try {
            var supported = SSLContext.getDefault().getSupportedSSLParameters();
            known = Set.of(protocols ? supported.getProtocols() : supported.getCipherSuites());
        } catch (GeneralSecurityException e) {
            throw invalid(argument, "the JVM has no default TLS implementation", e);
        }
        List<String> list = new ArrayList<>();
        for (String n : names) {
            if (n == null || !known.contains(n)) {
                throw Arguments.invalid(argument, "'" + n + "' is not supported by this JVM (supported: "
                        + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
            if (list.contains(n)) {
                throw Arguments.invalid(argument, "'" + n + "' is given twice");
            }
            list.add(n);
        }
        if (list.isEmpty()) {
            throw Arguments.invalid(argument, "at least one is needed");
        }
        return List.copyOf(list);
    }

    // ---- files ----

    private static List<X509Certificate> readCertificates(Path file, String argument) {
        byte[] bytes = read(file, argument);
        try {
            Collection<? extends Certificate> all = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes));
            List<X509Certificate> certificates = new ArrayList<>();
            for (Certificate c : all) {
                certificates.add((X509Certificate) c);
            }
            if (certificates.isEmpty()) {
                throw Arguments.invalid(argument, file + " holds no certificate");
            }
            return certificates;
        } catch (CertificateException e) {
            throw invalid(argument, file + " is not a PEM or DER certificate file", e);
        }
    }

    private static PrivateKey readKey(Path file, String argument) {
        String text = new String(read(file, argument), StandardCharsets.US_ASCII);
        Matcher m = PEM_KEY.matcher(text);
        if (!m.find()) {
            throw Arguments.invalid(argument, file + " holds no PEM private key");
        }
        if (!m.group(1).equals("PRIVATE KEY")) {
            throw Arguments.invalid(argument, file + " holds a '" + m.group(1) + "'; an unencrypted PKCS#8 key "
                    + "('PRIVATE KEY') is needed (openssl pkcs8 -topk8 -nocrypt converts one)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(2));
        } catch (IllegalArgumentException e) {
            throw invalid(argument, file + " holds a key that is not valid Base64", e);
        }
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // Not a key of this algorithm: try the next.
            }
        }
        throw Arguments.invalid(argument, file + " holds a PKCS#8 key of none of the algorithms " + KEY_ALGORITHMS);
    }

    private static byte[] read(Path file, String argument) {
        if (file == null) {
            throw Arguments.invalid(argument, "the file must not be null");
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw invalid(argument, "cannot read " + file, e);
        }
    }

    // ---- checks ----

    /** A key that does not belong to its certificate would fail only in the handshake: refuse it now. */
    private static void checkPair(PrivateKey key, X509Certificate certificate, String argument) {
        byte[] probe = "fluxsocket key check".getBytes(StandardCharsets.US_ASCII);
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "DSA" -> "SHA256withDSA";
            case "RSASSA-PSS" -> null;
            default -> key.getAlgorithm(); // Ed25519, Ed448, EdDSA sign with their own name.
        };
        if (algorithm == null) {
            return;
        }
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            if (!verifier.verify(signature)) {
                throw Arguments.invalid(argument, "the private key does not match the certificate "
                        + certificate.getSubjectX500Principal().getName());
            }
        } catch (GeneralSecurityException e) {
            throw invalid(argument, "the private key does not match the certificate "
                    + certificate.getSubjectX500Principal().getName(), e);
        }
    }

    private static boolean hasCertificate(KeyStore store) throws GeneralSecurityException {
        for (Enumeration<String> aliases = store.aliases(); aliases.hasMoreElements(); ) {
            if (store.isCertificateEntry(aliases.nextElement())) {
                return true;
            }
        }
        return false;
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return store;
    }

    private static WebSocketException invalid(String argument, String problem, Throwable cause) {
        return new WebSocketException(WebErrorStatus.INVALID_ARGUMENT, argument + ": " + problem + ": " + cause.getMessage(), cause);
    }

    static List<X509Certificate> list(X509Certificate... certificates) {
        return certificates == null ? List.of() : Arrays.asList(certificates);
    }
}
