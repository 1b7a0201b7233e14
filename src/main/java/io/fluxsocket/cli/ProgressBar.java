package io.fluxsocket.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * A progress display for a transfer of known size, on a stream of its own (stderr): bytes done of
 * the total, the percentage and the current rate, sampled ten times a second.
 *
 * <p>On a terminal ({@link Style#REDRAW}) one line is redrawn in place with {@code \r}; otherwise
 * ({@link Style#LINES}) a plain line is printed each time another tenth of the total is done, so
 * that logs stay readable. {@link Style#NONE} shows nothing.
 *
 * <p>Thread-safe: the samples run on Reactor's parallel scheduler, {@link #start} and {@link #finish}
 * on the caller's thread.
 */
final class ProgressBar {

    /** How progress is shown. */
    enum Style {
        /** Not at all. */
        NONE,
        /** A line per tenth of the total, for logs. */
        LINES,
        /** One line redrawn in place, for a terminal. */
        REDRAW
    }

    private static final Duration PERIOD = Duration.ofMillis(100);
    private static final int WIDTH = 30;

    private final PrintStream err;
    private final String label;
    private final long total;
    private final Style style;
    /** {@code style == REDRAW}. */
    private final boolean interactive;
    private final LongSupplier done;

    /** The sampling timer while running, else null (guarded by this). */
    private Disposable ticks;
    /** When the transfer started, by {@link System#nanoTime()} (guarded by this). */
    private long startNanos;
    /** The previous sample, for the current rate (guarded by this). */
    private long lastBytes;
    private long lastNanos;
    /** The tenths of the total already reported, when not interactive (guarded by this). */
    private int tenthsShown;
    /** The longest line drawn in place, to blank out what a shorter one leaves (guarded by this). */
    private int widest;

    /**
     * @param label what is being counted, e.g. {@code echoed}
     * @param done  bytes done so far; read from the sampling thread
     */
    ProgressBar(PrintStream err, Style style, String label, long total, LongSupplier done) {
        this.err = err;
        this.style = style;
        this.label = label;
        this.total = total;
        this.interactive = style == Style.REDRAW;
        this.done = done;
    }

    /** Starts sampling; the clock of the rate starts now. */
    synchronized void start() {
        if (style == Style.NONE) {
            return;
        }
        startNanos = System.nanoTime();
        lastNanos = startNanos;
        ticks = Flux.interval(PERIOD, PERIOD).subscribe(tick -> sample());
    }

    /** Stops sampling and shows the last state, ending the line. Safe to call more than once. */
    synchronized void finish() {
        if (ticks == null) {
            return;
        }
        ticks.dispose();
        ticks = null;
        long now = System.nanoTime();
        long bytes = done.getAsLong();
        String line = line(bytes, Sizes.mibPerSecond(bytes, now - startNanos));
        if (interactive) {
            err.print("\r" + padded(line) + "\n");
        } else if (tenthsShown < tenths(bytes)) {
            err.println(line);
        }
        err.flush();
    }

    private synchronized void sample() {
        if (ticks == null) {
            // A tick that raced with finish(): the last line is drawn already.
            return;
        }
        long now = System.nanoTime();
        long bytes = done.getAsLong();
        double rate = Sizes.mibPerSecond(bytes - lastBytes, now - lastNanos);
        lastBytes = bytes;
        lastNanos = now;
        if (interactive) {
            err.print("\r" + padded(line(bytes, rate)));
            err.flush();
        } else if (tenths(bytes) > tenthsShown) {
            tenthsShown = tenths(bytes);
            err.println(line(bytes, rate));
        }
    }

    private String padded(String line) {
        widest = Math.max(widest, line.length());
        return line + " ".repeat(widest - line.length());
    }

    private int tenths(long bytes) {
        return (int) Math.min(10, bytes * 10.0 / total);
    }

    private String line(long bytes, double mibPerSecond) {
        double fraction = Math.min(1.0, bytes / (double) total);
        int filled = (int) (fraction * WIDTH);
        String bar = interactive ? "[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] " : "";
        return String.format(Locale.ROOT, "%s%3d%%  %s of %s %s  %.1f MiB/s", bar, (int) (fraction * 100),
                Sizes.format(bytes), Sizes.format(total), label, mibPerSecond);
    }
}
