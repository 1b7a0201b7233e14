package io.fluxsocket.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A test PKI made in memory when first asked for, once per JVM: a root CA, an intermediate CA it
 * signed, and server and client identities (key and certificate chain) for TLS tests, valid and
 * deliberately broken ones, with helpers that write them as PEM or PKCS#12 files for the peer
 * servers.
 *
 * <p>Keys are EC P-256 from the JDK's {@link KeyPairGenerator}, certificates are signed
 * SHA256withECDSA. BouncyCastle only builds the certificates: it is not registered as a JCA
 * provider, so the signatures come from the JDK's providers and the tests see the JDK's default
 * providers only. Leaves are valid from a day ago for 30 days unless their name says otherwise;
 * the server leaves name {@code localhost}, {@code 127.0.0.1} and {@code ::1} (except
 * {@link #wrongHost()}) and carry the extended key usage serverAuth (except {@link #wrongUsage()}).
 */
public final class TestPki {

    /** The alias of the key entry in {@link Identity#keyStore} and {@link Identity#writePkcs12}. */
    public static final String KEY_ALIAS = "fluxsocket";
    /** The alias of the root CA in {@link #trustStore()}. */
    public static final String CA_ALIAS = "fluxsocket-test-ca";

    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    private static final Duration DAY = Duration.ofDays(1);
    private static final GeneralName[] LOCAL_NAMES = {
            new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
            new GeneralName(GeneralName.iPAddress, "::1"),
    };

    private final SecureRandom random = new SecureRandom();
    private final Instant now = Instant.now();
    private final Issuer root;
    private final Issuer intermediate;
    private final Identity valid;
    private final Identity wrongHost;
    private final Identity loopbackAddressOnly;
    private final Identity expired;
    private final Identity notYetValid;
    private final Identity wrongUsage;
    private final Identity selfSigned;
    private final Identity client;

    /** A CA: its key pair and certificate. */
    private record Issuer(KeyPair keys, X509Certificate certificate) {
    }

    /** The one instance, made by the first {@link #get()}: class initialisation is lazy and thread-safe. */
    private static final class Holder {
        static final TestPki INSTANCE = create();

        private static TestPki create() {
            try {
                return new TestPki();
            } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
                throw new IllegalStateException("could not make the test PKI", e);
            }
        }
    }

    private TestPki() throws IOException, GeneralSecurityException, OperatorCreationException {
        Instant from = now.minus(DAY);
        Instant to = now.plus(DAY.multipliedBy(30));
        Instant caFrom = now.minus(DAY.multipliedBy(60));
        Instant caTo = now.plus(DAY.multipliedBy(365));

        KeyPair rootKeys = newKeyPair();
        X500Name rootName = new X500Name("CN=fluxsocket test root CA,O=fluxsocket tests");
        root = new Issuer(rootKeys, sign(
                selfIssued(rootName, rootKeys, caFrom, caTo)
                        .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)),
                rootKeys.getPrivate()));

        KeyPair intermediateKeys = newKeyPair();
        intermediate = new Issuer(intermediateKeys, sign(
                issuedBy(root, new X500Name("CN=fluxsocket test intermediate CA,O=fluxsocket tests"), intermediateKeys,
                        caFrom, caTo)
                        .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)),
                rootKeys.getPrivate()));

        valid = leaf("valid", LOCAL_NAMES, KeyPurposeId.id_kp_serverAuth, from, to);
        wrongHost = leaf("wrong-host", new GeneralName[] {new GeneralName(GeneralName.dNSName, "wrong.example")},
                KeyPurposeId.id_kp_serverAuth, from, to);
        loopbackAddressOnly = leaf("loopback-address", new GeneralName[] {new GeneralName(GeneralName.iPAddress, "127.0.0.1")},
                KeyPurposeId.id_kp_serverAuth, from, to);
        expired = leaf("expired", LOCAL_NAMES, KeyPurposeId.id_kp_serverAuth, now.minus(DAY.multipliedBy(30)), now.minus(DAY));
        notYetValid = leaf("not-yet-valid", LOCAL_NAMES, KeyPurposeId.id_kp_serverAuth, now.plus(DAY), to);
        wrongUsage = leaf("wrong-usage", LOCAL_NAMES, KeyPurposeId.id_kp_clientAuth, from, to);
        client = leaf("client", null, KeyPurposeId.id_kp_clientAuth, from, to);

        KeyPair selfSignedKeys = newKeyPair();
        X509Certificate selfSignedCertificate = sign(leafExtensions(
                selfIssued(new X500Name("CN=fluxsocket-test-self-signed"), selfSignedKeys, from, to),
                LOCAL_NAMES, KeyPurposeId.id_kp_serverAuth), selfSignedKeys.getPrivate());
        selfSigned = new Identity(selfSignedKeys.getPrivate(), List.of(selfSignedCertificate));
    }

    /** The PKI of this JVM, made on first use (a few hundred milliseconds) and shared after. */
    public static TestPki get() {
        return Holder.INSTANCE;
    }

    /** The self-signed root CA certificate, the one trust anchor of the PKI. */
    public X509Certificate ca() {
        return root.certificate();
    }

    /** The intermediate CA certificate (signed by the root, path length 0) that signed every leaf but {@link #selfSigned()}. */
    public X509Certificate intermediate() {
        return intermediate.certificate();
    }

    /** A server for localhost, 127.0.0.1 and ::1, its chain the leaf then the intermediate. */
    public Identity valid() {
        return valid;
    }

    /** The {@link #valid()} leaf alone: the chain lacks the intermediate, so a client cannot reach the root. */
    public Identity validLeafOnly() {
        return new Identity(valid.key(), List.of(valid.certificate()));
    }

    /** A server certificate that names only {@code wrong.example}, with the intermediate. */
    public Identity wrongHost() {
        return wrongHost;
    }

    /**
     * A server certificate that names only the address {@code 127.0.0.1} (not {@code localhost}), with
     * the intermediate: a client that checks any other name refuses it.
     */
    public Identity loopbackAddressOnly() {
        return loopbackAddressOnly;
    }

    /** A localhost server certificate that expired a day ago (valid from 30 days ago), with the intermediate. */
    public Identity expired() {
        return expired;
    }

    /** A localhost server certificate valid from tomorrow, with the intermediate. */
    public Identity notYetValid() {
        return notYetValid;
    }

    /** A localhost certificate for clientAuth only, not serverAuth, with the intermediate. */
    public Identity wrongUsage() {
        return wrongUsage;
    }

    /** A self-signed localhost server certificate (not a CA), outside this PKI; its chain is itself. */
    public Identity selfSigned() {
        return selfSigned;
    }

    /** A client certificate (clientAuth, {@code CN=fluxsocket-test-client}), with the intermediate. */
    public Identity client() {
        return client;
    }

    /** A new PKCS#12 key store holding only the root CA, as trusted certificate {@link #CA_ALIAS}. */
    public KeyStore trustStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry(CA_ALIAS, ca());
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("could not make the trust store", e);
        }
    }

    /**
     * Current CRLs for both CAs: the root's revokes nothing, the intermediate's revokes
     * {@code revoked} (certificates the intermediate issued).
     */
    public List<X509CRL> crls(X509Certificate... revoked) {
        try {
            return List.of(crl(root, List.of()), crl(intermediate, List.of(revoked)));
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("could not make the CRLs", e);
        }
    }

    private X509CRL crl(Issuer issuer, List<X509Certificate> revoked)
            throws IOException, GeneralSecurityException, OperatorCreationException {
        X509v2CRLBuilder builder = new JcaX509v2CRLBuilder(issuer.certificate(), Date.from(now.minus(DAY)))
                .setNextUpdate(Date.from(now.plus(DAY.multipliedBy(7))));
        for (X509Certificate c : revoked) {
            builder.addCRLEntry(c.getSerialNumber(), Date.from(now.minus(DAY)), CRLReason.keyCompromise);
        }
        byte[] der = builder.build(new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(issuer.keys().getPrivate())).getEncoded();
        return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
    }

    /** Writes the root CA certificate as PEM to {@code dir/ca.pem} and returns that path. */
    public Path writeCaPem(Path dir) {
        return write(dir.resolve("ca.pem"), pem(ca()).getBytes(StandardCharsets.US_ASCII));
    }

    /** The certificates as PEM {@code CERTIFICATE} blocks, in the order given. */
    public static String pem(X509Certificate... certificates) {
        StringBuilder pem = new StringBuilder();
        for (X509Certificate certificate : certificates) {
            try {
                pem.append(pemBlock("CERTIFICATE", certificate.getEncoded()));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("could not encode " + certificate.getSubjectX500Principal(), e);
            }
        }
        return pem.toString();
    }

    /**
     * A private key and its certificate chain, leaf first.
     *
     * @param key the leaf's private key
     * @param chain the leaf certificate, then the certificates that issued it, if any
     */
    public record Identity(PrivateKey key, List<X509Certificate> chain) {

        public Identity {
            chain = List.copyOf(chain);
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("an identity needs at least its own certificate");
            }
        }

        /** The leaf certificate, the first of the chain. */
        public X509Certificate certificate() {
            return chain.get(0);
        }

        /** Writes the chain as PEM, leaf first, to {@code dir/name} and returns that path. */
        public Path writeChainPem(Path dir, String name) {
            return write(dir.resolve(name), pem(chain.toArray(X509Certificate[]::new)).getBytes(StandardCharsets.US_ASCII));
        }

        /** Writes the key as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}) to {@code dir/name} and returns that path. */
        public Path writeKeyPem(Path dir, String name) {
            return write(dir.resolve(name), pemBlock("PRIVATE KEY", key.getEncoded()).getBytes(StandardCharsets.US_ASCII));
        }

        /** Writes {@link #keyStore} to {@code dir/name} as PKCS#12, protected by {@code password}, and returns that path. */
        public Path writePkcs12(Path dir, String name, char[] password) {
            Path file = dir.resolve(name);
            try (OutputStream out = Files.newOutputStream(file)) {
                keyStore(password).store(out, password);
                return file;
            } catch (IOException e) {
                throw new UncheckedIOException("could not write " + file, e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("could not write " + file, e);
            }
        }

        /** A new PKCS#12 key store with the key and chain as key entry {@link #KEY_ALIAS}, protected by {@code password}. */
        public KeyStore keyStore(char[] password) {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry(KEY_ALIAS, key, password, chain.toArray(Certificate[]::new));
                return store;
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("could not make the key store", e);
            }
        }
    }

    /** A leaf signed by the intermediate, {@code CN=fluxsocket-test-<name>}; no subject alternative names if {@code names} is null. */
    private Identity leaf(String name, GeneralName[] names, KeyPurposeId usage, Instant notBefore, Instant notAfter)
            throws IOException, GeneralSecurityException, OperatorCreationException {
        KeyPair keys = newKeyPair();
        X509v3CertificateBuilder builder = issuedBy(intermediate, new X500Name("CN=fluxsocket-test-" + name), keys,
                notBefore, notAfter);
        X509Certificate certificate = sign(leafExtensions(builder, names, usage), intermediate.keys().getPrivate());
        return new Identity(keys.getPrivate(), List.of(certificate, intermediate.certificate()));
    }

    /** A certificate builder for a self-signed certificate, with its subject key identifier. */
    private X509v3CertificateBuilder selfIssued(X500Name name, KeyPair keys, Instant notBefore, Instant notAfter)
            throws IOException, GeneralSecurityException {
        return new JcaX509v3CertificateBuilder(name, serial(), Date.from(notBefore), Date.from(notAfter), name,
                keys.getPublic())
                .addExtension(Extension.subjectKeyIdentifier, false,
                        new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
    }

    /** A certificate builder for {@code subject} issued by {@code issuer}, with both key identifiers. */
    private X509v3CertificateBuilder issuedBy(Issuer issuer, X500Name subject, KeyPair keys, Instant notBefore,
            Instant notAfter) throws IOException, GeneralSecurityException {
        JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
        return new JcaX509v3CertificateBuilder(issuer.certificate(), serial(), Date.from(notBefore),
                Date.from(notAfter), subject, keys.getPublic())
                .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()))
                .addExtension(Extension.authorityKeyIdentifier, false,
                        extensions.createAuthorityKeyIdentifier(issuer.certificate()));
    }

    /** Adds what every leaf has: not a CA, digitalSignature, the extended key usage, and the names if any. */
    private static X509v3CertificateBuilder leafExtensions(X509v3CertificateBuilder builder, GeneralName[] names,
            KeyPurposeId usage) throws IOException {
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(usage));
        if (names != null) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        }
        return builder;
    }

    /**
     * Signs with the JDK's providers (BouncyCastle's default helper asks the JCA, where BouncyCastle
     * is not registered) and parses the result with the JDK's certificate factory.
     */
    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
            throws IOException, GeneralSecurityException, OperatorCreationException {
        byte[] der = builder.build(new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(issuerKey)).getEncoded();
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    /** A positive random 64-bit serial number, unique in practice. */
    private BigInteger serial() {
        return new BigInteger(64, random).add(BigInteger.ONE);
    }

    private static String pemBlock(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }
}
