package io.fluxsocket.benchmarks;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Not JMH: the client JVM's CPU time per message of a download, for {@code spring.sh} on a shared
 * machine, where wall-clock times move by 2× with the other processes' load but the CPU a transfer
 * costs moves much less. Against a {@link BenchServer} in its own JVM (its CPU is not counted), one
 * client ({@link Transfer#of}), {@code warmups} transfers, then {@code transfers} measured ones:
 * for each, this process's CPU time (every thread: the event loop, the caller, GC, JIT;
 * {@code OperatingSystemMXBean.getProcessCpuTime()}) over the transfer, divided by its messages, and
 * its wall time. Byte counts are checked as in the benchmarks. It holds JMH's lock
 * ({@code java.io.tmpdir}/jmh.lock) while it runs, waiting for it first, so that it does not run
 * beside a JMH measurement.
 *
 * <p>Run: {@code java -Xms1g -Xmx1g -cp target/benchmarks.jar io.fluxsocket.benchmarks.SpringCpu
 * CLIENT BYTES MESSAGE WARMUPS TRANSFERS}: prints one JSON object on stdout.
 */
public final class SpringCpu {
    private SpringCpu() {
    }

    public static void main(String[] args) throws Exception {
        String client = args[0];
        long bytes = Long.parseLong(args[1]);
        int message = Integer.parseInt(args[2]);
        int warmups = Integer.parseInt(args[3]);
        int transfers = Integer.parseInt(args[4]);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        List<Double> cpu = new ArrayList<>();
        List<Double> wall = new ArrayList<>();
        // One measurement at a time on a shared machine: JMH's own lock, held as a JMH run holds it
        // (a JMH run started meanwhile fails to take it and says so); this waits for it instead.
        try (FileChannel lockFile = FileChannel.open(Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock"),
                     StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = lockFile.lock();
             ServerProcess server = new ServerProcess(); Transfer transfer = Transfer.of(client)) {
            URI uri = server.uri("/download?bytes=" + bytes + "&message=" + message);
            for (int i = 0; i < warmups; i++) {
                Transfer.check(bytes, transfer.download(uri), client + " download");
            }
            for (int i = 0; i < transfers; i++) {
                long cpu0 = os.getProcessCpuTime();
                long wall0 = System.nanoTime();
                Transfer.check(bytes, transfer.download(uri), client + " download");
                wall.add((System.nanoTime() - wall0) / 1e6);
                cpu.add((os.getProcessCpuTime() - cpu0) / (double) (bytes / message));
            }
        }
        System.out.printf("{\"client\": \"%s\", \"bytes\": %d, \"message\": %d, \"cpuNanosPerMessage\": [%s], "
                        + "\"wallMillis\": [%s]}%n", client, bytes, message, join(cpu), join(wall));
    }

    private static String join(List<Double> values) {
        return values.stream().map(v -> String.format("%.3f", v)).collect(Collectors.joining(", "));
    }
}
