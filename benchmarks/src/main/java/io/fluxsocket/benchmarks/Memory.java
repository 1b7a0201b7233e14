package io.fluxsocket.benchmarks;

import io.netty.util.internal.PlatformDependent;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/** Memory in use by this JVM after a full GC: heap, and direct memory (JDK's and Netty's own). */
final class Memory {
    private Memory() {
    }

    /** Heap used after {@code System.gc()} (run until the number settles), from MemoryMXBean. */
    static long heapAfterGc() throws InterruptedException {
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (Math.abs(last - used) < 64 * 1024) {
                return used;
            }
            last = used;
        }
        return last;
    }

    /**
     * Direct memory in use: the JDK's direct buffer pool plus what Netty allocates without a
     * cleaner (counted by Netty only). Pooled allocators count whole chunks, in use or cached.
     */
    static long direct() {
        long jdk = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                jdk = pool.getMemoryUsed();
            }
        }
        long netty = PlatformDependent.usedDirectMemory();
        return jdk + Math.max(0, netty);
    }
}
