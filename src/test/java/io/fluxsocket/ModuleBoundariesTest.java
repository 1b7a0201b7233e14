package io.fluxsocket;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The boundaries {@code docs/architecture.md} describes, checked on the compiled classes: what the
 * module exports, which implementation classes are public, and which package depends on which
 * (read by the JDK's {@code jdeps}).
 */
class ModuleBoundariesTest {

    @Test
    void theModuleExportsTheApiAndTheAdaptersOnly() {
        ModuleDescriptor module = ModuleFinder.of(classes()).find("io.fluxsocket").orElseThrow().descriptor();
        Set<String> exported = module.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertEquals(Set.of("io.fluxsocket", "io.fluxsocket.io"), exported);
        assertTrue(module.packages().containsAll(Set.of("io.fluxsocket.internal", "io.fluxsocket.cli")), module.packages().toString());
    }

    @Test
    void onlyTheFactoryAndItsOptionsArePublicInTheImplementation() throws Exception {
        Set<String> publicClasses = new TreeSet<>();
        try (Stream<Path> files = Files.list(classes().resolve("io/fluxsocket/internal"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(".class") && !name.contains("$") && !name.equals("package-info.class")) {
                    Class<?> c = Class.forName("io.fluxsocket.internal." + name.replace(".class", ""));
                    if (Modifier.isPublic(c.getModifiers())) {
                        publicClasses.add(c.getSimpleName());
                    }
                }
            }
        }
        // WebSocketClient.Builder builds these two; the module does not export their package.
        assertEquals(Set.of("ClientConfig", "DefaultWebSocketClient", "TlsOptions"), publicClasses);
    }

    @Test
    void theImplementationAndTheAdaptersDependOnTheApiAndNothingElseOfTheProject() {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        String modulePath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> p.matches(".*/(io/netty|io/projectreactor|org/reactivestreams|org/jspecify)/.*\\.jar"))
                .collect(Collectors.joining(File.pathSeparator));
        StringWriter out = new StringWriter();
        int status = jdeps.run(new PrintWriter(out), new PrintWriter(out), "--module-path", modulePath,
                "--multi-release", "17", "-verbose:package", "-e", "io\\.fluxsocket.*", classes().toString());
        assertEquals(0, status, out::toString);
        Set<String> edges = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\s+(io\\.fluxsocket[\\w.]*)\\s+->\\s+(io\\.fluxsocket[\\w.]*)\\s").matcher(out.toString());
        while (m.find()) {
            if (!m.group(1).equals(m.group(2))) {
                edges.add(m.group(1) + " -> " + m.group(2));
            }
        }
        // The implementation and the adapters are built on the API and not on each other; the API
        // reaches them only where it creates them: WebSocketClient.Builder.build(), and
        // StreamWebSocket's inputStream() and outputStream().
        assertEquals(new TreeSet<>(Set.of(
                "io.fluxsocket -> io.fluxsocket.internal",
                "io.fluxsocket -> io.fluxsocket.io",
                "io.fluxsocket.cli -> io.fluxsocket",
                "io.fluxsocket.internal -> io.fluxsocket",
                "io.fluxsocket.io -> io.fluxsocket")), edges, out::toString);
    }

    /** The directory the library's classes were compiled to. */
    private static Path classes() {
        try {
            return Path.of(StreamWebSocket.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
