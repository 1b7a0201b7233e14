package io.fluxsocket.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * A secondary metric per operation: {@code threadCpuMsPerOp}, the CPU time of the client JVM's Java
 * threads over the operation (the benchmark's and the client's event loops; not the GC's or the
 * JIT's), read per thread with nanosecond resolution ({@code ThreadMXBean}; the process CPU time
 * moves in 10 ms ticks). On a machine other work loads, a transfer's time mostly measures how much
 * CPU the client got; the CPU it used changes less, so compare this there. JMH reports the sum
 * over the iterations as the score; each iteration's value is in the result's raw data.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class ThreadCpu {

    /** CPU milliseconds of the client's threads in this operation (one operation per iteration: SingleShotTime). */
    public double threadCpuMsPerOp;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private long start;

    /** Before the operation. */
    void begin() {
        start = now();
    }

    /** After it: adds its CPU time. */
    void end() {
        threadCpuMsPerOp += (now() - start) / 1e6;
    }

    /** CPU nanoseconds of every live Java thread. */
    private static long now() {
        long sum = 0;
        for (long id : THREADS.getAllThreadIds()) {
            // -1: the thread ended meanwhile.
            sum += Math.max(0, THREADS.getThreadCpuTime(id));
        }
        return sum;
    }
}
