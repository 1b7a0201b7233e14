package io.fluxsocket.cli;

import io.fluxsocket.ServerCredential;
import io.fluxsocket.WebSocketException;
import io.fluxsocket.WebSocketProxy;

import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The picocli converters of the option values that are more than a string or a path: sizes,
 * seconds, headers, public-key pins and proxy URLs. Each checks its value as well as converting it; a refusal
 * is a {@link TypeConversionException} whose message picocli reports after the option's name.
 * Stateless; picocli makes an instance of each by reflection.
 */
final class Converters {

    /** The form of a pin: the prefix, then the Base64 (with padding) of a 32-byte SHA-256. */
    static final String PIN_PREFIX = "sha256/";
    private static final int PIN_BASE64_LENGTH = 44;
    private static final int SHA256_BYTES = 32;
    /** The longest timeout, a day. */
    private static final double MAX_SECONDS = 86_400;

    private Converters() {
    }

    /** A byte count, at least 1 B ({@code --bytes}). */
    static final class ByteCount implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return size(value, 1, Long.MAX_VALUE);
        }
    }

    /** A buffer size, from 1 B to {@link Options#MAX_CHUNK} ({@code --chunk}). */
    static final class ChunkSize implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return (int) size(value, 1, Options.MAX_CHUNK);
        }
    }

    /** A number of seconds, fractions allowed, more than 0 and at most a day ({@code --connect-timeout}). */
    static final class Seconds implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            double s;
            try {
                s = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a number of seconds");
            }
            if (!(s > 0 && s <= MAX_SECONDS)) {
                throw new TypeConversionException("must be more than 0 and at most 86400 seconds, was " + value);
            }
            return Duration.ofNanos(Math.max(1, (long) (s * 1e9)));
        }
    }

    /**
     * A header, {@code Name: value}, its name and value trimmed ({@code --header}). The library
     * checks the name and value themselves.
     */
    static final class Header implements ITypeConverter<Map.Entry<String, String>> {
        @Override
        public Map.Entry<String, String> convert(String value) {
            int colon = value.indexOf(':');
            if (colon <= 0) {
                throw new TypeConversionException("'" + value + "' is not of the form 'Name: value'");
            }
            return Map.entry(value.substring(0, colon).trim(), value.substring(colon + 1).trim());
        }
    }

    /**
     * A public-key pin, {@code sha256/} and the 44-character Base64 of a SHA-256 ({@code --pin}),
     * the form of {@link io.fluxsocket.ServerCertificateValidation#publicKeyPin()}.
     */
    static final class Pin implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String base64 = value.startsWith(PIN_PREFIX) ? value.substring(PIN_PREFIX.length()) : null;
            if (base64 == null || base64.length() != PIN_BASE64_LENGTH || !isSha256(base64)) {
                throw new TypeConversionException("'" + value + "' is not a public-key pin: " + PIN_PREFIX
                        + " and the " + PIN_BASE64_LENGTH + "-character Base64 of a SHA-256");
            }
            return value;
        }

        private static boolean isSha256(String base64) {
            try {
                return Base64.getDecoder().decode(base64).length == SHA256_BYTES;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
    }

    /**
     * A proxy URL, {@code http://[user:password@]host:port} or {@code socks5://…} ({@code --proxy}),
     * checked by {@link WebSocketProxy#parse}; the refusal is the library's, without the argument's
     * name (picocli names the option), and never shows the password.
     */
    static final class Proxy implements ITypeConverter<WebSocketProxy> {
        @Override
        public WebSocketProxy convert(String value) {
            try {
                return WebSocketProxy.parse(value);
            } catch (WebSocketException e) {
                String message = e.getMessage();
                throw new TypeConversionException(message.startsWith("proxy: ") ? message.substring(7) : message);
            }
        }
    }

    /**
     * A server credential {@code user:password} ({@code --user}), split at the first colon (a
     * password may have colons, a user name none), checked by {@link ServerCredential#of}; the refusal
     * never shows the password.
     */
    static final class Credential implements ITypeConverter<ServerCredential> {
        @Override
        public ServerCredential convert(String value) {
            int colon = value.indexOf(':');
            try {
                return ServerCredential.of(colon < 0 ? value : value.substring(0, colon),
                        colon < 0 ? "" : value.substring(colon + 1));
            } catch (WebSocketException e) {
                String message = e.getMessage();
                throw new TypeConversionException(message.substring(message.indexOf(": ") + 2));
            }
        }
    }

    /** A size by {@link Sizes#parse}, from {@code min} to {@code max} bytes. */
    private static long size(String text, long min, long max) {
        long n;
        try {
            n = Sizes.parse(text);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
        if (n < min) {
            throw new TypeConversionException("must be at least " + Sizes.format(min) + ", was " + text);
        }
        if (n > max) {
            throw new TypeConversionException("must be at most " + Sizes.format(max) + ", was " + text);
        }
        return n;
    }
}
