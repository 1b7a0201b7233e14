package io.fluxsocket.benchmarks;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The JDK's own way to trust the {@code wss://} server's certificate (a PEM file), for the clients
 * whose TLS options take a key store, a trust manager or an {@link SSLContext}: a key store holding
 * the certificate, the default {@link TrustManagerFactory} (PKIX) over it, and a {@code "TLS"}
 * context with its trust managers. Host names are not checked here: each client does it (the
 * JDK's, OkHttp's and Jetty's own checks, on by default).
 */
final class TrustedCertificate {
    private TrustedCertificate() {
    }

    /** A key store ({@link KeyStore#getDefaultType()}) with the PEM file's certificates as trusted entries. */
    static KeyStore keyStore(Path pem) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        try (InputStream in = Files.newInputStream(pem)) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("trusted-" + i++, c);
            }
        }
        if (i == 0) {
            throw new IllegalArgumentException("no certificate in " + pem);
        }
        return store;
    }

    static TrustManagerFactory trustManagerFactory(Path pem) throws Exception {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(keyStore(pem));
        return factory;
    }

    /** The factory's X.509 trust manager (OkHttp wants it next to the socket factory). */
    static X509TrustManager trustManager(TrustManagerFactory factory) {
        for (TrustManager m : factory.getTrustManagers()) {
            if (m instanceof X509TrustManager) {
                return (X509TrustManager) m;
            }
        }
        throw new IllegalStateException("no X509TrustManager");
    }

    /** A {@code "TLS"} context (TLS 1.3 and 1.2 enabled on a client) with the factory's trust managers. */
    static SSLContext sslContext(TrustManagerFactory factory) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
