package io.fluxsocket.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition by polling it, for state that offers no signal to wait on. */
public final class Await {

    private Await() {
    }

    /**
     * Returns once {@code condition} holds; fails with {@code what} if it does not within {@code timeout}.
     */
    public static void until(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting until " + what);
            }
            LockSupport.parkNanos(2_000_000);
        }
    }
}
