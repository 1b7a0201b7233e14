package io.fluxsocket.cli;

import io.fluxsocket.ChainValidationResult;
import io.fluxsocket.ServerCredential;
import io.fluxsocket.WebSocketClient;
import io.fluxsocket.WebSocketProxy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParseResult;
import reactor.core.publisher.Mono;

/**
 * The command line, parsed with picocli: either the echo benchmark (no URL) or the pipe to a URL,
 * with the options of that mode. Options take their value as the next argument or after {@code =};
 * given twice, the last one counts. The annotations are the help text as well ({@link #usage()}):
 * the options are in sections by purpose, {@link Benchmark}, {@link Connection} and {@link Tls}.
 *
 * <p>Values are converted and checked as they are parsed ({@link Converters}); what depends on
 * several options (an option of the other mode, {@code --cert} without {@code --key}) is checked
 * after. Every refusal is a {@link UsageException} whose message is one line. An instance is filled
 * by one {@link #parse} and read after.
 */
@Command(name = "fluxsocket",
        customSynopsis = {
                "fluxsocket [--bytes SIZE] [--chunk SIZE] [--quiet]",
                "       fluxsocket [CONNECTION OPTION]... [TLS OPTION]... URL",
                "       fluxsocket --help"},
        description = {
                "",
                "Without a URL: starts a WebSocket echo server on loopback, streams SIZE bytes of pseudo-random"
                        + " data through one connection as one binary message while reading the echo back, checks"
                        + " the SHA-256 of what came back and prints the rate in MiB/s.",
                "",
                "With a ws:// or wss:// URL: connects and pipes stdin to the server and the server to stdout,"
                        + " like websocat. Each read of stdin (at most 64 KiB) is sent as soon as it is read, as one"
                        + " binary message; the server's binary messages are written to stdout as they arrive"
                        + " (stream mode: a text message from the server fails the connection). At the end of stdin"
                        + " the connection is closed with 1000; when the server closes, the command ends."},
        sortOptions = false,
        usageHelpWidth = 100,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success: the echo matched; or the server closed with 1000 or no code (1005)",
                "1:invalid command line or argument (INVALID_ARGUMENT)",
                "2:connecting or the connection failed (CANNOT_CONNECT, TIMEOUT, CERTIFICATE_IS_INVALID, ...)",
                "3:the echoed bytes differed from those sent (SHA-256 mismatch)",
                "4:the server closed with a code other than 1000 or 1005",
                "5:reading stdin or writing stdout failed"},
        footerHeading = "%n",
        footer = {
                "Failures are reported on stderr in one line:",
                "  fluxsocket: STATUS: message   the command line or the connection (1, 2); STATUS: a WebErrorStatus",
                "  fluxsocket: STATUS (HTTP 429, Retry-After: 120): message   a handshake the server refused",
                "  fluxsocket: message           the others (3, 4, 5)"})
final class Options {

    /** What the benchmark echoes without {@code --bytes}. */
    static final long DEFAULT_BYTES = 256 * Sizes.MIB;
    /** The buffer size of the benchmark without {@code --chunk}. */
    static final int DEFAULT_CHUNK = (int) (64 * Sizes.KIB);
    /** The largest {@code --chunk}. */
    static final int MAX_CHUNK = (int) (64 * Sizes.MIB);
    /** The keep-alive's interval or timeout when only the other is given, as Python websockets' defaults. */
    static final int DEFAULT_PING_SECONDS = 20;
    /** The environment variable {@code --cert-password} defaults to. */
    static final String CERT_PASSWORD_VARIABLE = "FLUXSOCKET_CERT_PASSWORD";

    /** The URL, and any further arguments, which are refused; empty for the echo benchmark. */
    @Parameters(paramLabel = "URL", arity = "0..*", hidden = true)
    private List<String> urls = new ArrayList<>();

    /** The benchmark's options; null until one of them is given. */
    @ArgGroup(validate = false, order = 1, heading = "%nBenchmark (without a URL):%n")
    private Benchmark benchmark;

    /** The pipe's options; null until one of them is given. */
    @ArgGroup(validate = false, order = 2, heading = "%nConnection (with a ws:// or wss:// URL):%n")
    private Connection connection;

    /** The pipe's TLS options; null until one of them is given. */
    @ArgGroup(validate = false, order = 3, heading = "%nTLS (with a wss:// URL):%n")
    private Tls tls;

    /** The help section of its own, last; never null. */
    @ArgGroup(validate = false, order = 4, heading = "%n")
    private HelpSection help = new HelpSection();

    /** The echo benchmark's options. */
    static final class Benchmark {

        /** Bytes to echo. */
        @Option(names = "--bytes", paramLabel = "SIZE", converter = Converters.ByteCount.class, order = 1,
                description = {"bytes to echo (default 256MiB); SIZE is a number of bytes with an optional binary"
                        + " unit: KiB, MiB, GiB (or K, M, G)"})
        long bytes = DEFAULT_BYTES;

        /** The size of each buffer sent. */
        @Option(names = "--chunk", paramLabel = "SIZE", converter = Converters.ChunkSize.class, order = 2,
                description = "size of each buffer sent (default 64KiB, at most 64MiB)")
        int chunk = DEFAULT_CHUNK;

        /** No progress bar. */
        @Option(names = {"-q", "--quiet"}, order = 3,
                description = "no progress bar on stderr (without a terminal, the progress bar is a line per"
                        + " tenth of the transfer)")
        boolean quiet;
    }

    /** The pipe's options of the connection and its opening handshake. */
    static final class Connection {

        /** Extra handshake headers, name and value, in order. */
        @Option(names = {"-H", "--header"}, paramLabel = "'Name: value'", converter = Converters.Header.class,
                order = 1, description = "a header for the opening handshake (repeatable)")
        List<Map.Entry<String, String>> headers = new ArrayList<>();

        /** Subprotocols to offer, most preferred first. */
        @Option(names = "--subprotocol", paramLabel = "NAME", order = 2,
                description = "a subprotocol to offer, most preferred first (repeatable)")
        List<String> subprotocols = new ArrayList<>();

        /** The bound on the opening handshake, or null for the client's default. */
        @Option(names = "--connect-timeout", paramLabel = "SECONDS", converter = Converters.Seconds.class,
                order = 3, description = "bound on connecting, TLS and the handshake (default 60)")
        Duration connectTimeout;

        /** Print the connection's information once connected. */
        @Option(names = {"-v", "--verbose"}, order = 4,
                description = "once connected, print a line on stderr: the addresses and subprotocol; for"
                        + " wss://, the server certificate's subject and expiry, the TLS protocol and cipher"
                        + " suite and any certificate errors ignored")
        boolean verbose;

        /** The keep-alive's interval, or null. */
        @Option(names = "--ping-interval", paramLabel = "SECONDS", converter = Converters.Seconds.class,
                order = 5, description = "keep-alive: a Ping after this long without a frame from the server"
                        + " (default " + DEFAULT_PING_SECONDS + " with --ping-timeout; off without either)")
        Duration pingInterval;

        /** The keep-alive's timeout, or null. */
        @Option(names = "--ping-timeout", paramLabel = "SECONDS", converter = Converters.Seconds.class,
                order = 6, description = "keep-alive: fail (TIMEOUT, close 1011) when no frame comes this long"
                        + " after a Ping (default " + DEFAULT_PING_SECONDS + " with --ping-interval)")
        Duration pingTimeout;

        /** Print the bandwidth statistics when the connection ends. */
        @Option(names = "--stats", order = 7,
                description = "when the connection ends, print its bandwidth statistics on stderr: bytes"
                        + " (payload and on the wire) and messages each way, and the time reads were paused")
        boolean stats;

        /** Offer permessage-deflate. */
        @Option(names = "--compress", order = 8,
                description = "offer permessage-deflate (RFC 7692): messages compressed if the server agrees;"
                        + " with -v, the agreed extension is printed")
        boolean compress;

        /** The proxy to connect through, or null for none. */
        @Option(names = "--proxy", paramLabel = "URL", converter = Converters.Proxy.class, order = 9,
                description = "connect through this proxy: http://[USER:PASSWORD@]HOST:PORT, an HTTP CONNECT proxy"
                        + " (sent the credential when it asks for one), or socks5://[USER:PASSWORD@]HOST:PORT;"
                        + " the credential percent-encoded")
        WebSocketProxy proxy;

        /** The server credential, or null for none. */
        @Option(names = "--user", paramLabel = "USER:PASSWORD", converter = Converters.Credential.class, order = 10,
                description = "the server credential: sent when the server answers 401 asking for Basic or Digest"
                        + " (the strongest offered), once (no password after the colon for an empty one)")
        ServerCredential user;

        /** The redirects to follow, or null for the client's default (none). */
        @Option(names = "--max-redirects", paramLabel = "N", order = 11,
                description = "follow up to N redirects (301, 302, 307, 308) of the handshake; never wss to ws"
                        + " (default 0)")
        Integer maxRedirects;

        /** Print the handshake response's status line and headers. */
        @Option(names = "--show-headers", order = 12,
                description = "print the handshake response's status line and headers on stderr (the 101, or the"
                        + " response that refused the handshake), each line starting with '< '")
        boolean showHeaders;
    }

    /**
     * The pipe's TLS options, for {@code wss://}, and how they map to the client's builder
     * ({@link #applyTo}).
     */
    static final class Tls {

        /** The errors of the server certificate that {@code --insecure} ignores. */
        static final List<ChainValidationResult> INSECURE_IGNORES = List.of(ChainValidationResult.UNTRUSTED,
                ChainValidationResult.EXPIRED, ChainValidationResult.INVALID_NAME, ChainValidationResult.INCOMPLETE_CHAIN);
        /** What {@code --insecure} prints on stderr, after {@code fluxsocket: }. */
        static final String INSECURE_WARNING = "warning: --insecure: the server certificate's errors "
                + INSECURE_IGNORES.subList(0, INSECURE_IGNORES.size() - 1).stream().map(Enum::name)
                        .collect(Collectors.joining(", "))
                + " and " + INSECURE_IGNORES.get(INSECURE_IGNORES.size() - 1) + " are ignored";

        /** A PEM file of CA certificates to trust instead of the JVM's, or null. */
        @Option(names = "--cacert", paramLabel = "FILE", order = 1,
                description = "trust the CA certificates of this PEM file instead of the JVM's trust store")
        Path caCertificates;

        /** The client certificate chain, PEM, or null. */
        @Option(names = "--cert", paramLabel = "FILE", order = 2,
                description = "client certificate: a PEM file of its chain, the certificate first (needs --key)")
        Path certificate;

        /** The client certificate's private key, PKCS#8 PEM, or null. */
        @Option(names = "--key", paramLabel = "FILE", order = 3,
                description = "the private key of --cert: an unencrypted PKCS#8 PEM file (BEGIN PRIVATE KEY)")
        Path key;

        /** The client certificate as PKCS#12, or null. */
        @Option(names = "--cert-p12", paramLabel = "FILE", order = 4,
                description = "client certificate: a PKCS#12 file holding one private key and its chain")
        Path pkcs12;

        /** The password of the PKCS#12 file, or null for the environment variable, if set. */
        @Option(names = "--cert-password", paramLabel = "PASS", order = 5,
                description = "the password of --cert-p12 (default: the environment variable "
                        + CERT_PASSWORD_VARIABLE + ", else none)")
        String password;

        /** Ignore the server certificate's errors that the library may ignore. */
        @Option(names = "--insecure", order = 6,
                description = "connect even when the server certificate is untrusted, expired, for another host"
                        + " or its chain incomplete (UNTRUSTED, EXPIRED, INVALID_NAME, INCOMPLETE_CHAIN);"
                        + " prints a warning")
        boolean insecure;

        /** Public-key pins, any of which the server certificate must match; empty for no pinning. */
        @Option(names = "--pin", paramLabel = "sha256/BASE64", converter = Converters.Pin.class, order = 7,
                description = "accept only a server certificate whose public key has this pin: the Base64 of"
                        + " the SHA-256 of its SubjectPublicKeyInfo (repeatable: any one matches)")
        List<String> pins = new ArrayList<>();

        /** The TLS protocol versions to enable; empty for the JVM's defaults. */
        @Option(names = "--tls-protocols", paramLabel = "LIST", split = ",", hideParamSyntax = true,
                order = 8, description = "the TLS protocol versions to enable, comma-separated (such as TLSv1.3)")
        List<String> protocols = new ArrayList<>();

        /** The cipher suites to enable, in order of preference; empty for the JVM's defaults. */
        @Option(names = "--ciphers", paramLabel = "LIST", split = ",", hideParamSyntax = true, order = 9,
                description = "the cipher suites to enable, comma-separated, most preferred first")
        List<String> cipherSuites = new ArrayList<>();

        /**
         * Sets the options given on the builder: {@code --cacert} as {@code trustedCertificates},
         * {@code --cert}/{@code --key} and {@code --cert-p12} as {@code clientCertificate},
         * {@code --insecure} as {@code ignorableServerCertificateErrors}, {@code --pin} as a
         * {@code serverCertificateValidation} that accepts any of the pins, {@code --tls-protocols}
         * and {@code --ciphers} as {@code tlsProtocols} and {@code cipherSuites}.
         *
         * @throws io.fluxsocket.WebSocketException with {@code INVALID_ARGUMENT} when the builder
         *     refuses one: a file that cannot be read, a wrong password, an unknown protocol or suite
         */
        void applyTo(WebSocketClient.Builder builder) {
            if (caCertificates != null) {
                builder.trustedCertificates(caCertificates);
            }
            if (certificate != null) {
                builder.clientCertificate(certificate, key);
            }
            if (pkcs12 != null) {
                builder.clientCertificate(pkcs12, password());
            }
            if (insecure) {
                builder.ignorableServerCertificateErrors(INSECURE_IGNORES);
            }
            if (!pins.isEmpty()) {
                Set<String> accepted = Set.copyOf(pins);
                builder.serverCertificateValidation(v -> Mono.just(accepted.contains(v.publicKeyPin())));
            }
            if (!protocols.isEmpty()) {
                builder.tlsProtocols(protocols.toArray(String[]::new));
            }
            if (!cipherSuites.isEmpty()) {
                builder.cipherSuites(cipherSuites.toArray(String[]::new));
            }
        }

        /** The PKCS#12 password: {@code --cert-password}, else the environment variable, else none (null). */
        private char[] password() {
            String text = password != null ? password : System.getenv(CERT_PASSWORD_VARIABLE);
            return text == null ? null : text.toCharArray();
        }
    }

    /** The help option, in a section of its own so that it comes last. */
    static final class HelpSection {

        /** Print the help and nothing else. */
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
        boolean requested;
    }

    /** The command line could not be understood; the message, one line, says why. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    private Options() {
    }

    /**
     * Parses the arguments.
     *
     * @throws UsageException for an unknown option, a missing or bad value, a second URL, an option
     *     of the other mode, or TLS options that do not go together
     */
    static Options parse(String[] args) throws UsageException {
        Options options = new Options();
        CommandLine commandLine = commandLine(options);
        ParseResult result;
        try {
            result = commandLine.parseArgs(args);
        } catch (ParameterException e) {
            throw new UsageException(oneLine(e.getMessage()));
        }
        if (!options.help()) {
            options.check(result);
        }
        return options;
    }

    /** The help text: synopsis, description, the options by section, exit codes. */
    static String usage() {
        return commandLine(new Options()).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    private static CommandLine commandLine(Options options) {
        return new CommandLine(options)
                .setOverwrittenOptionsAllowed(true)
                // Room for --connect-timeout=SECONDS beside its description.
                .setUsageHelpLongOptionsMaxWidth(26)
                // A URL or a header value starting with '@' is not a file of arguments.
                .setExpandAtFiles(false);
    }

    /** Checks what single options cannot: the mode of each option, and the TLS options that go together. */
    private void check(ParseResult result) throws UsageException {
        if (urls.size() > 1) {
            throw new UsageException("more than one URL: '" + urls.get(0) + "' and '" + urls.get(1) + "'");
        }
        for (OptionSpec option : result.matchedOptions()) {
            Class<?> section = section(option);
            if (url() == null && (section == Connection.class || section == Tls.class)) {
                throw new UsageException("option '" + option.longestName() + "' needs a ws:// or wss:// URL");
            }
            if (url() != null && section == Benchmark.class) {
                throw new UsageException("option '" + option.longestName()
                        + "' applies only without a URL (echo benchmark)");
            }
        }
        Tls t = tls();
        if (t.certificate != null && t.key == null) {
            throw new UsageException("option '--cert' needs '--key', the certificate's private key");
        }
        if (t.key != null && t.certificate == null) {
            throw new UsageException("option '--key' needs '--cert', the certificate chain of the key");
        }
        if (t.certificate != null && t.pkcs12 != null) {
            throw new UsageException("options '--cert' and '--cert-p12' exclude each other: give one client certificate");
        }
        if (t.password != null && t.pkcs12 == null) {
            throw new UsageException("option '--cert-password' needs '--cert-p12'");
        }
    }

    /** The section (argument group class) of an option, or null for one outside the sections. */
    private static Class<?> section(OptionSpec option) {
        ArgGroupSpec group = option.group();
        return group == null ? null : group.typeInfo().getType();
    }

    /** A message of picocli as the tool's messages are: one line, starting in lower case. */
    private static String oneLine(String message) {
        String line = message.strip().replaceAll("\\s*\\R\\s*", " ");
        return line.isEmpty() ? line : Character.toLowerCase(line.charAt(0)) + line.substring(1);
    }

    /** {@code --help} was given: print the usage and nothing else. */
    boolean help() {
        return help.requested;
    }

    /** The URL argument as given, or {@code null} for the echo benchmark. */
    String url() {
        return urls.isEmpty() ? null : urls.get(0);
    }

    /** Benchmark: how many bytes to echo. */
    long bytes() {
        return benchmark().bytes;
    }

    /** Benchmark: the size of each buffer sent. */
    int chunk() {
        return benchmark().chunk;
    }

    /** Benchmark: no progress bar. */
    boolean quiet() {
        return benchmark().quiet;
    }

    /** Pipe: extra handshake headers, name and value, in order. */
    List<Map.Entry<String, String>> headers() {
        return List.copyOf(connection().headers);
    }

    /** Pipe: subprotocols to offer, most preferred first. */
    List<String> subprotocols() {
        return List.copyOf(connection().subprotocols);
    }

    /** Pipe: the bound on the opening handshake, or {@code null} for the client's default. */
    Duration connectTimeout() {
        return connection().connectTimeout;
    }

    /** Pipe: print the connection's information once connected. */
    boolean verbose() {
        return connection().verbose;
    }

    /** Pipe: the keep-alive's interval and timeout, or null for none. */
    Duration[] keepAlive() {
        Connection c = connection();
        if (c.pingInterval == null && c.pingTimeout == null) {
            return null;
        }
        Duration fallback = Duration.ofSeconds(DEFAULT_PING_SECONDS);
        return new Duration[] {c.pingInterval != null ? c.pingInterval : fallback,
                c.pingTimeout != null ? c.pingTimeout : fallback};
    }

    /** Pipe: print the bandwidth statistics when the connection ends. */
    boolean stats() {
        return connection().stats;
    }

    /** Pipe: offer permessage-deflate. */
    boolean compress() {
        return connection().compress;
    }

    /** Pipe: the proxy to connect through, or null for none. */
    WebSocketProxy proxy() {
        return connection().proxy;
    }

    /** Pipe: the server credential, or null for none. */
    ServerCredential user() {
        return connection().user;
    }

    /** Pipe: the redirects to follow, or null for the client's default. */
    Integer maxRedirects() {
        return connection().maxRedirects;
    }

    /** Pipe: print the handshake response's head on stderr. */
    boolean showHeaders() {
        return connection().showHeaders;
    }

    /** Pipe: the TLS options, all unset when none was given. */
    Tls tls() {
        return tls != null ? tls : new Tls();
    }

    private Benchmark benchmark() {
        return benchmark != null ? benchmark : new Benchmark();
    }

    private Connection connection() {
        return connection != null ? connection : new Connection();
    }
}
