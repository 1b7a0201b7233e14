package io.fluxsocket.benchmarks;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code wss://} server's self-signed certificate, made at start-up by the JDK's
 * {@code keytool} (no library needed): an EC P-256 key, {@code CN} the first name, every name a
 * subject alternative name ({@code dns:} or {@code ip:}), valid for two days. The certificate is
 * also written as PEM ({@link #pem()}) for the clients to trust.
 */
final class ServerCertificate {
    private static final String ALIAS = "bench";
    private static final char[] PASSWORD = "bench-only".toCharArray();

    final PrivateKey key;
    final X509Certificate certificate;
    private final Path pem;

    private ServerCertificate(PrivateKey key, X509Certificate certificate, Path pem) {
        this.key = key;
        this.certificate = certificate;
        this.pem = pem;
    }

    /** The certificate as a PEM file. */
    Path pem() {
        return pem;
    }

    /**
     * Makes a key and a self-signed certificate for {@code names} (host names or IP literals) in
     * {@code dir}: {@code server.p12} (the key store keytool wrote) and {@code server.pem}.
     */
    static ServerCertificate generate(Path dir, String... names) throws Exception {
        Path store = dir.resolve("server.p12");
        List<String> san = new ArrayList<>();
        for (String name : names) {
            san.add((name.matches("[0-9.]+") || name.contains(":") ? "ip:" : "dns:") + name);
        }
        String keytool = System.getProperty("java.home") + File.separator + "bin" + File.separator + "keytool";
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", ALIAS,
                "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                "-dname", "CN=" + names[0], "-ext", "SAN=" + String.join(",", san), "-validity", "2",
                "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD), "-noprompt")
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(1, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("keytool failed: " + new String(output, StandardCharsets.UTF_8));
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD);
        }
        PrivateKey key = (PrivateKey) ks.getKey(ALIAS, PASSWORD);
        X509Certificate certificate = (X509Certificate) ks.getCertificate(ALIAS);
        Path pem = dir.resolve("server.pem");
        Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n", StandardCharsets.US_ASCII);
        return new ServerCertificate(key, certificate, pem);
    }

    /** Deletes {@code dir} and the files in it (not recursive: it holds only the two files). */
    static void delete(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // A temporary folder left behind is no reason to fail a benchmark.
        }
    }
}
