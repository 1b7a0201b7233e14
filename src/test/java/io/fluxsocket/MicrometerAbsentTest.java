package io.fluxsocket;

import io.fluxsocket.testing.WithoutMicrometer;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Micrometer is optional: without it on the class path (or the module path, where the module's
 * {@code requires static micrometer.core} must resolve without it), a client connects, echoes and
 * closes, with and without metrics of its own ({@link WebSocketMetrics} without Micrometer). Each
 * run is a child JVM ({@link WithoutMicrometer}) whose paths are this one's without Micrometer's jars.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MicrometerAbsentTest {

    /** Jars that Micrometer brings: micrometer-core, -commons, -observation, and HdrHistogram. */
    private static boolean micrometer(String path) {
        return path.matches(".*/(io/micrometer|org/hdrhistogram|org/latencyutils)/.*");
    }

    @ParameterizedTest
    @ValueSource(strings = {"class path", "module path"})
    void aClientConnectsEchoesAndClosesWithoutMicrometer(String how) throws Exception {
        List<String> paths = Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
        assertTrue(paths.stream().anyMatch(MicrometerAbsentTest::micrometer), "Micrometer is on this JVM's class path");
        List<String> kept = paths.stream().filter(p -> !micrometer(p)).collect(Collectors.toList());
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Dreactor.logging.fallback=JDK"));
        if (how.equals("class path")) {
            command.addAll(List.of("-cp", String.join(File.pathSeparator, kept)));
        } else {
            // The library and what it requires as modules; the test classes and the rest on the class path.
            String library = classes(StreamWebSocket.class);
            List<String> modules = kept.stream()
                    .filter(p -> p.equals(library) || p.matches(".*/(io/netty|io/projectreactor|org/reactivestreams|org/jspecify)/.*\\.jar"))
                    .collect(Collectors.toList());
            List<String> rest = kept.stream().filter(p -> !modules.contains(p)).collect(Collectors.toList());
            command.addAll(List.of("--module-path", String.join(File.pathSeparator, modules),
                    "--add-modules", "ALL-MODULE-PATH", "-cp", String.join(File.pathSeparator, rest)));
        }
        // Not in a package of the module: on the module path, its packages are the module's alone.
        command.add(WithoutMicrometer.class.getName());
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try {
            output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            child.destroy();
        }
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), output);
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("no Micrometer: java.lang.ClassNotFoundException: io.micrometer.core.instrument.MeterRegistry"), output);
        assertTrue(output.contains("module: " + (how.equals("class path") ? "unnamed" : "io.fluxsocket")), output);
        assertTrue(output.contains("echoed 5 bytes, closed 1000 without metrics"), output);
        assertTrue(output.contains("echoed 5 bytes, closed 1000 with metrics: [connected, pinged, closed LOCAL]"), output);
    }

    private static String classes(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
