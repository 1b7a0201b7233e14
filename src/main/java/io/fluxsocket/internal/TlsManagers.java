package io.fluxsocket.internal;

import io.fluxsocket.ChainValidationResult;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.Set;
import java.util.function.Function;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * The trust and key managers a client's TLS context is built with. They are shared by the
 * client's connections and find the connection's {@link TlsSession} by its engine: the trust
 * manager records what {@link ChainCheck} found and refuses a chain with an error that is not
 * ignorable; the key manager records that the server asked for a client certificate.
 */
final class TlsManagers {

    private TlsManagers() {
    }

    static X509TrustManager x509(TrustManagerFactory factory) {
        for (TrustManager m : factory.getTrustManagers()) {
            if (m instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new IllegalArgumentException("the TrustManagerFactory has no X509TrustManager");
    }

    static X509KeyManager x509(KeyManagerFactory factory) {
        for (KeyManager m : factory.getKeyManagers()) {
            if (m instanceof X509KeyManager x) {
                return x;
            }
        }
        throw new IllegalArgumentException("the KeyManagerFactory has no X509KeyManager");
    }

    /** Checks the server's chain with {@link ChainCheck}; refuses it if an error is not ignorable. */
    static final class Trust extends X509ExtendedTrustManager {

        private final ChainCheck check;
        private final X509TrustManager roots;
        private final Set<ChainValidationResult> ignorable;
        private final Function<SSLEngine, TlsSession> sessions;

        Trust(X509TrustManager roots, Set<ChainValidationResult> ignorable, Function<SSLEngine, TlsSession> sessions) {
            this.check = new ChainCheck(roots);
            this.roots = roots;
            this.ignorable = ignorable;
            this.sessions = sessions;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the server sent no certificate");
            }
            TlsSession session = sessions.apply(engine);
            if (session == null) {
                // Not an engine of this client's connections: checked strictly, for its peer host.
                session = new TlsSession(engine.getPeerHost());
            }
            session.checked(chain, check.errors(chain, authType, session.host, new Date()), ignorable);
            if (session.refusal != null) {
                throw new CertificateException(session.refusal.getMessage(), session.refusal);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("fluxsocket checks certificates of its own engines only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("fluxsocket checks certificates of its own engines only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("a client does not check client certificates");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("a client does not check client certificates");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a client does not check client certificates");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return roots.getAcceptedIssuers();
        }
    }

    /** Offers the client's certificate, if it has one, and records that the server asked for one. */
    static final class Keys extends X509ExtendedKeyManager {

        /** The client's keys; null if it has none. */
        private final X509KeyManager keys;
        private final Function<SSLEngine, TlsSession> sessions;

        Keys(X509KeyManager keys, Function<SSLEngine, TlsSession> sessions) {
            this.keys = keys;
            this.sessions = sessions;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            String alias = keys == null ? null
                    : keys instanceof X509ExtendedKeyManager e ? e.chooseEngineClientAlias(keyType, issuers, engine)
                    : keys.chooseClientAlias(keyType, issuers, null);
            TlsSession session = sessions.apply(engine);
            if (session != null) {
                session.certificateRequested = true;
                session.certificateMissing = alias == null;
            }
            return alias;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return keys == null ? null : keys.getClientAliases(keyType, issuers);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return keys == null ? null : keys.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return keys == null ? null : keys.getPrivateKey(alias);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }
}
