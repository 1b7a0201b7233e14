package io.fluxsocket;

import io.fluxsocket.testing.WithoutSpring;
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
 * Spring is optional: without it on the class path (or the module path, where the module's
 * {@code requires static spring.*} must resolve without it), a client connects, echoes and closes
 * in stream and in message mode, and only the adapter ({@code io.fluxsocket.spring}) cannot be
 * loaded. Each run is a child JVM ({@link WithoutSpring}) whose paths are this one's without
 * Spring's jars.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SpringAbsentTest {

    /** Spring's jars: spring-webflux, -web, -core, -beans (and the tests' spring-context, -aop, -expression). */
    private static boolean spring(String path) {
        return path.matches(".*/org/springframework/.*");
    }

    @ParameterizedTest
    @ValueSource(strings = {"class path", "module path"})
    void aClientConnectsEchoesAndClosesWithoutSpring(String how) throws Exception {
        List<String> paths = Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
        assertTrue(paths.stream().anyMatch(SpringAbsentTest::spring), "Spring is on this JVM's class path");
        List<String> kept = paths.stream().filter(p -> !spring(p)).collect(Collectors.toList());
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
        command.add(WithoutSpring.class.getName());
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try {
            output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            child.destroy();
        }
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), output);
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("no Spring: java.lang.ClassNotFoundException: org.springframework.web.reactive.socket.client.WebSocketClient"), output);
        assertTrue(output.contains("no adapter: java.lang.NoClassDefFoundError"), output);
        assertTrue(output.contains("module: " + (how.equals("class path") ? "unnamed" : "io.fluxsocket")), output);
        assertTrue(output.contains("stream mode: echoed 5 bytes, closed 1000"), output);
        assertTrue(output.contains("message mode: echoed 'hello', closed 1000"), output);
    }

    private static String classes(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
