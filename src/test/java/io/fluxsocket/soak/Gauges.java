package io.fluxsocket.soak;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import java.io.File;
import java.lang.management.ManagementFactory;

/**
 * One reading of the JVM's resources: heap used after a full GC, direct memory (Netty's own counter
 * and the default allocator's), live threads and open file descriptors.
 */
record Gauges(long heapAfterGc, long nettyDirect, long allocatorDirect, int threads, int descriptors) {

    /** Reads them now; the heap after {@code System.gc()}, repeated until it settles (at most 5 times). */
    static Gauges read() throws InterruptedException {
        return new Gauges(collectAndMeasureHeap(), PlatformDependent.usedDirectMemory(),
                ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p ? p.metric().usedDirectMemory() : -1,
                ManagementFactory.getThreadMXBean().getThreadCount(), openDescriptors());
    }

    static long collectAndMeasureHeap() throws InterruptedException {
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (Math.abs(last - used) < 256 * 1024) {
                return used;
            }
            last = used;
        }
        return last;
    }

    /** This process's open file descriptors ({@code /proc/self/fd}), or -1 where there is no such folder. */
    static int openDescriptors() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    @Override
    public String toString() {
        return String.format("heap %.1f MiB, direct: Netty's counter %.1f MiB, allocator %.1f MiB; threads %d, fds %d",
                heapAfterGc / 1048576.0, nettyDirect / 1048576.0, allocatorDirect / 1048576.0, threads, descriptors);
    }
}
