package io.fluxsocket.benchmarks;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free histogram of round-trip times in microseconds, recorded from any thread: exact below
 * 64 µs, then 32 buckets per power of two (each bucket within ~3% of its values). Percentiles are
 * the lower bound of the bucket that holds the rank.
 */
final class Latencies {
    private static final int SUB = 32;
    private final AtomicLongArray counts = new AtomicLongArray(64 + 40 * SUB);

    void record(long nanos) {
        long us = Math.max(0, nanos / 1_000);
        counts.incrementAndGet(Math.min(index(us), counts.length() - 1));
    }

    static int index(long us) {
        if (us < 64) {
            return (int) us;
        }
        int exp = 63 - Long.numberOfLeadingZeros(us); // >= 6
        int sub = (int) (us >>> (exp - 5)) & (SUB - 1);
        return 64 + (exp - 6) * SUB + sub;
    }

    static long lowerBound(int index) {
        if (index < 64) {
            return index;
        }
        int exp = 6 + (index - 64) / SUB;
        int sub = (index - 64) % SUB;
        return (long) (SUB + sub) << (exp - 5);
    }

    long count() {
        long n = 0;
        for (int i = 0; i < counts.length(); i++) {
            n += counts.get(i);
        }
        return n;
    }

    /** The {@code p}-th percentile (0 < p ≤ 100) in µs, or -1 if nothing was recorded. */
    long percentile(double p) {
        long total = count();
        if (total == 0) {
            return -1;
        }
        long rank = (long) Math.ceil(total * p / 100.0);
        long seen = 0;
        for (int i = 0; i < counts.length(); i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return lowerBound(i);
            }
        }
        return lowerBound(counts.length() - 1);
    }
}
