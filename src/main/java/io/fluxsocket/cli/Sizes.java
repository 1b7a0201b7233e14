package io.fluxsocket.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte counts as people write them: {@code 8MiB}, {@code 64 KiB}, {@code 1G}, {@code 4096}. */
final class Sizes {

    static final long KIB = 1024;
    static final long MIB = 1024 * KIB;
    static final long GIB = 1024 * MIB;

    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*(b|k|kib|m|mib|g|gib)?",
            Pattern.CASE_INSENSITIVE);

    private Sizes() {
    }

    /**
     * Parses a byte count: digits, optionally followed by a binary unit, {@code KiB}, {@code MiB}
     * or {@code GiB} ({@code K}, {@code M}, {@code G} for short, any case) or {@code B}.
     *
     * @throws IllegalArgumentException for anything else, or a count beyond {@link Long#MAX_VALUE}
     */
    static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (use e.g. 4096, 64KiB, 8MiB, 1GiB)");
        }
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        long factor = switch (unit.charAt(0)) {
            case 'k' -> KIB;
            case 'm' -> MIB;
            case 'g' -> GIB;
            default -> 1;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), factor);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too large", e);
        }
    }

    /** A byte count for people: {@code 256 MiB} when exact, else {@code 1.50 MiB}, or {@code 100 B}. */
    static String format(long bytes) {
        long[] factors = {GIB, MIB, KIB};
        String[] units = {"GiB", "MiB", "KiB"};
        for (int i = 0; i < factors.length; i++) {
            if (bytes >= factors[i]) {
                return bytes % factors[i] == 0
                        ? bytes / factors[i] + " " + units[i]
                        : String.format(Locale.ROOT, "%.2f %s", (double) bytes / factors[i], units[i]);
            }
        }
        return bytes + " B";
    }

    /** Bytes over nanoseconds as MiB/s, or 0 when no time passed. */
    static double mibPerSecond(long bytes, long nanos) {
        return nanos <= 0 ? 0 : bytes / (double) MIB / (nanos / 1e9);
    }
}
