package io.fluxsocket.benchmarks;

import io.fluxsocket.WebSocketException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * Not a benchmark: checks that every client of the {@code wss://} scenario really verifies the
 * server, so that no number of the scenario comes from a client that skips a check. Against
 * {@link BenchServer}s in TLS mode in this JVM, each client must
 * <ol>
 *   <li>download and upload 1 MiB over {@code wss://localhost} trusting the server's certificate;</li>
 *   <li>fail against a server whose certificate it trusts but that names another host
 *       ({@code other.invalid}): its host name check is on;</li>
 *   <li>fail against a server whose certificate (correctly named) it does not trust.</li>
 * </ol>
 * Run: {@code java -cp target/benchmarks.jar io.fluxsocket.benchmarks.TlsCheck [client...]};
 * exits with 1 if any client did otherwise.
 */
public final class TlsCheck {
    private static final List<String> CLIENTS = List.of("fluxsocket", "fluxsocket-in-place", "fluxsocket-streams",
            "fluxsocket-messages", "reactor-netty", "jdk", "okhttp", "jetty");
    private static final long BYTES = 1 << 20;

    private TlsCheck() {
    }

    public static void main(String[] args) throws Exception {
        List<String> clients = args.length > 0 ? List.of(args) : CLIENTS;
        Path dir = Files.createTempDirectory("fluxsocket-tls-check");
        Path good = Files.createDirectory(dir.resolve("good"));
        Path other = Files.createDirectory(dir.resolve("other"));
        Path wrongName = Files.createDirectory(dir.resolve("wrong-name"));
        int failures = 0;
        try {
            ServerCertificate goodCert = ServerCertificate.generate(good, "localhost", "127.0.0.1");
            ServerCertificate otherCert = ServerCertificate.generate(other, "localhost", "127.0.0.1");
            ServerCertificate wrongNameCert = ServerCertificate.generate(wrongName, "other.invalid");
            try (BenchServer goodServer = BenchServer.startTls(goodCert);
                 BenchServer wrongNameServer = BenchServer.startTls(wrongNameCert)) {
                ByteBuffer[] chunks = Payload.chunks(65536, 4);
                for (String client : clients) {
                    boolean uploads = !client.equals("fluxsocket-in-place");
                    // 1. trusted and named: both ways, counts checked.
                    try (Transfer t = Transfer.of(client, goodCert.pem())) {
                        Transfer.check(BYTES, t.download(uri(goodServer, "/download?bytes=" + BYTES + "&message=65536")),
                                client + " download");
                        if (uploads) {
                            Transfer.check(BYTES, t.upload(uri(goodServer, "/upload?bytes=" + BYTES), chunks, BYTES),
                                    client + " upload");
                        }
                        System.out.println("ok    " + client + ": 1 MiB down" + (uploads ? " and up" : "") + " over wss://localhost");
                    } catch (Exception | AssertionError e) {
                        failures++;
                        System.out.println("FAIL  " + client + ": trusted server refused: " + e);
                    }
                    // 2. trusted, but named other.invalid: the host name check must refuse it.
                    failures += refused(client, wrongNameCert.pem(), uri(wrongNameServer, "/download?bytes=" + BYTES
                            + "&message=65536"), "a certificate for other.invalid");
                    // 3. named localhost, but not the certificate the client trusts.
                    failures += refused(client, otherCert.pem(), uri(goodServer, "/download?bytes=" + BYTES
                            + "&message=65536"), "an untrusted certificate");
                }
            }
        } finally {
            ServerCertificate.delete(good);
            ServerCertificate.delete(other);
            ServerCertificate.delete(wrongName);
            ServerCertificate.delete(dir);
        }
        System.out.println(failures == 0 ? "all clients verified the server" : failures + " check(s) failed");
        System.exit(failures == 0 ? 0 : 1);
    }

    private static URI uri(BenchServer server, String pathAndQuery) {
        return URI.create("wss://localhost:" + server.port() + pathAndQuery);
    }

    /**
     * 0 if the client refused the server for a TLS reason (an {@code SSLException} or a
     * {@code CertificateException} in the chain of causes, or fluxsocket's certificate status),
     * else 1: it downloaded from a server it must not trust, or failed for another reason.
     */
    private static int refused(String client, Path trusted, URI uri, String what) {
        Transfer transfer;
        try {
            transfer = Transfer.of(client, trusted);
        } catch (RuntimeException e) {
            System.out.println("FAIL  " + client + ": cannot be set up: " + e);
            return 1;
        }
        try (transfer) {
            long n = transfer.download(uri);
            System.out.println("FAIL  " + client + ": accepted a server with " + what + " (" + n + " bytes)");
            return 1;
        } catch (Exception e) {
            Throwable tls = null;
            for (Throwable t = e; t != null && tls == null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof SSLException || t instanceof CertificateException
                        || t instanceof WebSocketException && ((WebSocketException) t).status().name().startsWith("CERTIFICATE")) {
                    tls = t;
                }
            }
            if (tls == null) {
                System.out.println("FAIL  " + client + ": failed against a server with " + what
                        + ", but not for a TLS reason: " + e);
                return 1;
            }
            System.out.println("ok    " + client + ": refused a server with " + what + ": " + tls);
            return 0;
        }
    }
}
