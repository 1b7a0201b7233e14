package io.fluxsocket.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line, parsed: either the echo benchmark (no URL) or the pipe to a URL, with the
 * options of that mode. Options take their value as the next argument or after {@code =}.
 *
 * @param help           {@code --help} was given: print the usage and nothing else
 * @param url            the URL argument as given, or {@code null} for the echo benchmark
 * @param bytes          benchmark: how many bytes to echo
 * @param chunk          benchmark: the size of each buffer sent
 * @param quiet          benchmark: no progress bar
 * @param headers        pipe: extra handshake headers, name and value, in order
 * @param subprotocols   pipe: subprotocols to offer, most preferred first
 * @param connectTimeout pipe: the bound on the opening handshake, or {@code null} for the client's default
 */
record Options(boolean help, String url, long bytes, int chunk, boolean quiet,
               List<Map.Entry<String, String>> headers, List<String> subprotocols, Duration connectTimeout) {

    static final long DEFAULT_BYTES = 256 * Sizes.MIB;
    static final int DEFAULT_CHUNK = (int) (64 * Sizes.KIB);
    static final int MAX_CHUNK = (int) (64 * Sizes.MIB);
    /** The options that take no value. */
    private static final Set<String> FLAGS = Set.of("--", "-h", "--help", "-q", "--quiet");

    /** The command line could not be understood; the message says why. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /**
     * Parses the arguments.
     *
     * @throws UsageException for an unknown option, a missing or bad value, a second URL, or an
     *     option of the other mode
     */
    static Options parse(String[] args) throws UsageException {
        boolean help = false;
        String url = null;
        long bytes = DEFAULT_BYTES;
        int chunk = DEFAULT_CHUNK;
        boolean quiet = false;
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        List<String> subprotocols = new ArrayList<>();
        Duration connectTimeout = null;
        // Options seen that belong to one mode only, to reject them in the other.
        List<String> benchmarkOnly = new ArrayList<>();
        List<String> pipeOnly = new ArrayList<>();
        boolean optionsEnded = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (optionsEnded || !arg.startsWith("-") || arg.equals("-")) {
                if (url != null) {
                    throw new UsageException("more than one URL: '" + url + "' and '" + arg + "'");
                }
                url = arg;
                continue;
            }
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg : arg.substring(0, eq);
            String value = null;
            if (takesValue(name)) {
                if (eq >= 0) {
                    value = arg.substring(eq + 1);
                } else if (++i < args.length) {
                    value = args[i];
                } else {
                    throw new UsageException("option '" + name + "' needs a value");
                }
            } else if (eq >= 0 && FLAGS.contains(name)) {
                throw new UsageException("option '" + name + "' takes no value");
            }
            switch (name) {
                case "--" -> optionsEnded = true;
                case "-h", "--help" -> help = true;
                case "-q", "--quiet" -> {
                    quiet = true;
                    benchmarkOnly.add(name);
                }
                case "--bytes" -> {
                    bytes = size(name, value, 1, Long.MAX_VALUE);
                    benchmarkOnly.add(name);
                }
                case "--chunk" -> {
                    chunk = (int) size(name, value, 1, MAX_CHUNK);
                    benchmarkOnly.add(name);
                }
                case "-H", "--header" -> {
                    headers.add(header(value));
                    pipeOnly.add(name);
                }
                case "--subprotocol" -> {
                    subprotocols.add(value);
                    pipeOnly.add(name);
                }
                case "--connect-timeout" -> {
                    connectTimeout = seconds(name, value);
                    pipeOnly.add(name);
                }
                default -> throw new UsageException("unknown option '" + name + "'");
            }
        }
        if (!help && url == null && !pipeOnly.isEmpty()) {
            throw new UsageException("option '" + pipeOnly.get(0) + "' needs a ws:// or wss:// URL");
        }
        if (!help && url != null && !benchmarkOnly.isEmpty()) {
            throw new UsageException("option '" + benchmarkOnly.get(0) + "' applies only without a URL (echo benchmark)");
        }
        return new Options(help, url, bytes, chunk, quiet, List.copyOf(headers), List.copyOf(subprotocols),
                connectTimeout);
    }

    private static boolean takesValue(String name) {
        return switch (name) {
            case "--bytes", "--chunk", "-H", "--header", "--subprotocol", "--connect-timeout" -> true;
            default -> false;
        };
    }

    private static long size(String name, String text, long min, long max) throws UsageException {
        long n;
        try {
            n = Sizes.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(name + ": " + e.getMessage());
        }
        if (n < min) {
            throw new UsageException(name + ": must be at least " + Sizes.format(min) + ", was " + text);
        }
        if (n > max) {
            throw new UsageException(name + ": must be at most " + Sizes.format(max) + ", was " + text);
        }
        return n;
    }

    private static Map.Entry<String, String> header(String text) throws UsageException {
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new UsageException("--header: '" + text + "' is not of the form 'Name: value'");
        }
        return Map.entry(text.substring(0, colon).trim(), text.substring(colon + 1).trim());
    }

    private static Duration seconds(String name, String text) throws UsageException {
        double s;
        try {
            s = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new UsageException(name + ": '" + text + "' is not a number of seconds");
        }
        if (!(s > 0 && s <= 86_400)) {
            throw new UsageException(name + ": must be more than 0 and at most 86400 seconds, was " + text);
        }
        return Duration.ofNanos(Math.max(1, (long) (s * 1e9)));
    }
}
