package io.fluxsocket.internal;

import io.fluxsocket.ChainValidationResult;
import io.netty.util.NetUtil;
import java.net.IDN;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.X509TrustManager;

/**
 * The built-in checks of a server's certificate chain: <em>every</em> error it has, each found by
 * what the validation itself says (validity dates, the extended key usage, the names of the
 * certificate, the reason of the certificate path exception), never by an exception's message.
 *
 * <ul>
 *   <li>{@link ChainValidationResult#EXPIRED}: a certificate of the chain is outside its validity.
 *   <li>{@link ChainValidationResult#WRONG_USAGE}: the server certificate's extended key usage
 *       does not allow TLS server authentication.
 *   <li>{@link ChainValidationResult#INVALID_NAME}: the host is not among the certificate's
 *       subject alternative names (DNS names, with a wildcard only as the whole leftmost label; IP
 *       addresses for an IP literal), or, when it has no DNS name at all, its most specific
 *       common name, as the JDK's HTTPS check does.
 *   <li>Trust: the trust manager decides; when it refuses, the reason of its certificate path
 *       exception says which error it is, and a chain it refused only for its dates or usage is
 *       built again at a date where every certificate is valid, to tell whether it is trusted
 *       otherwise. A chain that leads to no trusted root is {@link ChainValidationResult#UNTRUSTED}
 *       if it ends in a CA or a self-issued certificate, else {@link ChainValidationResult#INCOMPLETE_CHAIN}
 *       (it ends in a server certificate whose issuer the server did not send).
 * </ul>
 */
final class ChainCheck {

    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String ANY_USAGE = "2.5.29.37.0";
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;
    /** Errors a trust manager may report for what the checks here already found, or cannot name. */
    private static final Set<ChainValidationResult> RECHECKED = EnumSet.of(ChainValidationResult.EXPIRED,
            ChainValidationResult.WRONG_USAGE, ChainValidationResult.OTHER_ERRORS, ChainValidationResult.UNTRUSTED,
            ChainValidationResult.INCOMPLETE_CHAIN);

    private final X509TrustManager trust;

    ChainCheck(X509TrustManager trust) {
        this.trust = trust;
    }

    /** The errors of {@code chain} (server certificate first) for {@code host}; empty if it has none. */
    EnumSet<ChainValidationResult> errors(X509Certificate[] chain, String authType, String host, Date now) {
        EnumSet<ChainValidationResult> errors = EnumSet.noneOf(ChainValidationResult.class);
        for (X509Certificate c : chain) {
            try {
                c.checkValidity(now);
            } catch (CertificateExpiredException | CertificateNotYetValidException e) {
                errors.add(ChainValidationResult.EXPIRED);
            }
        }
        if (!usableForServers(chain[0])) {
            errors.add(ChainValidationResult.WRONG_USAGE);
        }
        if (!namesHost(chain[0], host)) {
            errors.add(ChainValidationResult.INVALID_NAME);
        }
        try {
            trust.checkServerTrusted(chain, authType);
        } catch (CertificateException | RuntimeException e) {
            ChainValidationResult refused = classify(e, chain);
            EnumSet<ChainValidationResult> trustErrors = RECHECKED.contains(refused) ? trustAtValidDate(chain) : null;
            if (trustErrors == null) {
                errors.add(refused);
            } else {
                errors.addAll(trustErrors);
                if (errors.isEmpty()) {
                    // Refused for a reason none of the checks here sees: refused all the same.
                    errors.add(refused);
                }
            }
        }
        return errors;
    }

    /**
     * The trust errors of {@code chain}, built with the trust manager's roots at a date where all
     * its certificates are valid; null if the trust manager names no roots.
     */
    private EnumSet<ChainValidationResult> trustAtValidDate(X509Certificate[] chain) {
        X509Certificate[] roots = trust.getAcceptedIssuers();
        if (roots == null || roots.length == 0) {
            return null;
        }
        EnumSet<ChainValidationResult> errors = EnumSet.noneOf(ChainValidationResult.class);
        if (Arrays.asList(roots).contains(chain[0])) {
            return errors;
        }
        Set<TrustAnchor> anchors = new HashSet<>();
        for (X509Certificate root : roots) {
            anchors.add(new TrustAnchor(root, null));
        }
        Date date = chain[0].getNotBefore();
        for (X509Certificate c : chain) {
            date = c.getNotBefore().after(date) ? c.getNotBefore() : date;
        }
        try {
            X509CertSelector target = new X509CertSelector();
            target.setCertificate(chain[0]);
            PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, target);
            parameters.setRevocationEnabled(false);
            parameters.setDate(date);
            parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(List.of(chain))));
            CertPathBuilder.getInstance("PKIX").build(parameters);
        } catch (GeneralSecurityException e) {
            errors.add(classify(e, chain));
        }
        errors.removeAll(EnumSet.of(ChainValidationResult.EXPIRED, ChainValidationResult.WRONG_USAGE));
        return errors;
    }

    /** The error a trust manager's refusal stands for, from the exceptions' types and reasons. */
    static ChainValidationResult classify(Throwable refusal, X509Certificate[] chain) {
        for (Throwable t = refusal; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CertPathValidatorException v) {
                CertPathValidatorException.Reason r = v.getReason();
                if (r == BasicReason.EXPIRED || r == BasicReason.NOT_YET_VALID) {
                    return ChainValidationResult.EXPIRED;
                } else if (r == BasicReason.REVOKED) {
                    return ChainValidationResult.REVOKED;
                } else if (r == BasicReason.UNDETERMINED_REVOCATION_STATUS) {
                    return ChainValidationResult.REVOCATION_INFORMATION_MISSING;
                } else if (r == BasicReason.INVALID_SIGNATURE || r == BasicReason.ALGORITHM_CONSTRAINED) {
                    return ChainValidationResult.INVALID_SIGNATURE;
                } else if (r == PKIXReason.NO_TRUST_ANCHOR) {
                    return untrustedOrIncomplete(chain);
                } else if (r == PKIXReason.INVALID_KEY_USAGE) {
                    return ChainValidationResult.WRONG_USAGE;
                } else if (r == PKIXReason.NOT_CA_CERT || r == PKIXReason.PATH_TOO_LONG) {
                    return ChainValidationResult.BASIC_CONSTRAINTS_ERROR;
                } else if (r != BasicReason.UNSPECIFIED) {
                    return ChainValidationResult.OTHER_ERRORS;
                }
            } else if (t instanceof CertPathBuilderException) {
                // No path to a trusted root could be built.
                return untrustedOrIncomplete(chain);
            } else if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException) {
                return ChainValidationResult.EXPIRED;
            }
        }
        return ChainValidationResult.OTHER_ERRORS;
    }

    private static ChainValidationResult untrustedOrIncomplete(X509Certificate[] chain) {
        X509Certificate last = chain[chain.length - 1];
        // A chain that reaches a CA (or a self-issued certificate) is complete: its root is not trusted.
        boolean reachesCa = last.getBasicConstraints() >= 0 || last.getSubjectX500Principal().equals(last.getIssuerX500Principal());
        return reachesCa ? ChainValidationResult.UNTRUSTED : ChainValidationResult.INCOMPLETE_CHAIN;
    }

    /** No extended key usage, or one that allows TLS server authentication. */
    static boolean usableForServers(X509Certificate certificate) {
        try {
            List<String> usages = certificate.getExtendedKeyUsage();
            return usages == null || usages.contains(SERVER_AUTH) || usages.contains(ANY_USAGE);
        } catch (CertificateParsingException e) {
            return false;
        }
    }

    /** Whether {@code certificate} names {@code host} (RFC 6125 / RFC 2818, as the JDK's HTTPS check). */
    static boolean namesHost(X509Certificate certificate, String host) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        Collection<List<?>> alternatives;
        try {
            alternatives = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return false;
        }
        if (NetUtil.isValidIpV4Address(name) || NetUtil.isValidIpV6Address(name)) {
            byte[] address = NetUtil.createByteArrayFromIpAddressString(name);
            for (List<?> san : alternatives == null ? List.<List<?>>of() : alternatives) {
                if ((Integer) san.get(0) == SAN_IP && san.get(1) instanceof String ip
                        && Arrays.equals(address, NetUtil.createByteArrayFromIpAddressString(ip))) {
                    return true;
                }
            }
            return false;
        }
        boolean hasDnsName = false;
        for (List<?> san : alternatives == null ? List.<List<?>>of() : alternatives) {
            if ((Integer) san.get(0) == SAN_DNS && san.get(1) instanceof String dns) {
                hasDnsName = true;
                if (matches(name, dns)) {
                    return true;
                }
            }
        }
        if (hasDnsName) {
            return false;
        }
        String commonName = mostSpecificCommonName(certificate);
        return commonName != null && matches(name, commonName);
    }

    /** A host against a DNS name of a certificate: equal, or a wildcard standing for its whole first label. */
    static boolean matches(String host, String pattern) {
        String h;
        String p;
        try {
            h = trimDot(IDN.toASCII(host)).toLowerCase(Locale.ROOT);
            p = trimDot(IDN.toASCII(pattern.replace("*", "x"))).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (pattern.startsWith("*.") && pattern.indexOf('*', 1) < 0) {
            String suffix = p.substring(1);
            // "*.example.org": one more label on a name of at least two labels; never "*.org".
            int dot = h.indexOf('.');
            return suffix.indexOf('.', 1) > 0 && dot > 0 && h.substring(dot).equals(suffix);
        }
        return !pattern.contains("*") && h.equals(p);
    }

    private static String trimDot(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static String mostSpecificCommonName(X509Certificate certificate) {
        try {
            List<Rdn> rdns = new LdapName(certificate.getSubjectX500Principal().getName()).getRdns();
            // LdapName lists the most specific component last.
            for (int i = rdns.size() - 1; i >= 0; i--) {
                if (rdns.get(i).getType().equalsIgnoreCase("CN")) {
                    return String.valueOf(rdns.get(i).getValue());
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return null;
    }
}
