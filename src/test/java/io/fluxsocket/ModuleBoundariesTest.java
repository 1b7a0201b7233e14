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
    void theModuleExportsTheApiTheAdaptersTheMicrometerReporterAndTheSpringAdapterOnly() {
        ModuleDescriptor module = ModuleFinder.of(classes()).find("io.fluxsocket").orElseThrow().descriptor();
        Set<String> exported = module.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertEquals(Set.of("io.fluxsocket", "io.fluxsocket.io", "io.fluxsocket.micrometer", "io.fluxsocket.spring",
                "io.fluxsocket.spring.boot"), exported);
        // Micrometer is optional: the module resolves without it.
        ModuleDescriptor.Requires micrometer = module.requires().stream()
                .filter(r -> r.name().equals("micrometer.core")).findFirst().orElseThrow();
        assertEquals(Set.of(ModuleDescriptor.Requires.Modifier.STATIC), micrometer.modifiers());
        // So is Spring.
        Set<String> spring = module.requires().stream().filter(r -> r.name().startsWith("spring."))
                .peek(r -> assertEquals(Set.of(ModuleDescriptor.Requires.Modifier.STATIC), r.modifiers(), r.toString()))
                .map(ModuleDescriptor.Requires::name).collect(Collectors.toSet());
        assertEquals(Set.of("spring.core", "spring.web", "spring.webflux", "spring.beans", "spring.context", "spring.boot",
                "spring.boot.autoconfigure"), spring);
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
        // WebSocketClient.Builder (ClientBuilder) builds these; the module does not export their package.
        assertEquals(Set.of("ClientConfig", "DefaultWebSocketClient", "TlsOptions"), publicClasses);
    }

    @Test
    void theImplementationAndTheAdaptersDependOnTheApiAndNothingElseOfTheProject() {
        String out = jdeps("io\\.fluxsocket.*");
        Set<String> edges = edges(out, "io\\.fluxsocket[\\w.]*");
        // The implementation, the adapters, the Micrometer reporter and the Spring adapter are built on the API and not
        // on each other; the API reaches them only where it creates them:
        // ClientBuilder.build() (WebSocketClient.Builder's), and StreamWebSocket's inputStream() and outputStream().
        // It never reaches the Micrometer reporter, which an application gives the builder.
        assertEquals(new TreeSet<>(Set.of(
                "io.fluxsocket -> io.fluxsocket.internal",
                "io.fluxsocket -> io.fluxsocket.io",
                "io.fluxsocket.cli -> io.fluxsocket",
                "io.fluxsocket.internal -> io.fluxsocket",
                "io.fluxsocket.io -> io.fluxsocket",
                "io.fluxsocket.micrometer -> io.fluxsocket",
                "io.fluxsocket.spring -> io.fluxsocket",
                "io.fluxsocket.spring.boot -> io.fluxsocket",
                "io.fluxsocket.spring.boot -> io.fluxsocket.spring")), edges, out);
    }

    @Test
    void onlyTheMicrometerReporterUsesMicrometer() {
        String out = jdeps("io\\.micrometer.*");
        Set<String> users = new TreeSet<>();
        for (String edge : edges(out, "io\\.micrometer[\\w.]*")) {
            users.add(edge.substring(0, edge.indexOf(' ')));
        }
        // Every other package loads without Micrometer (MicrometerAbsentTest runs the client so).
        assertEquals(Set.of("io.fluxsocket.micrometer"), users, out);
    }

    @Test
    void onlyTheSpringAdapterAndItsBootAutoConfigurationUseSpring() {
        String out = jdeps("org\\.springframework.*");
        Set<String> users = new TreeSet<>();
        for (String edge : edges(out, "org\\.springframework[\\w.]*")) {
            users.add(edge.substring(0, edge.indexOf(' ')));
        }
        // Every other package loads without Spring (SpringAbsentTest runs the client so).
        assertEquals(Set.of("io.fluxsocket.spring", "io.fluxsocket.spring.boot"), users, out);
    }

    /** jdeps' package dependencies of the library's classes on packages matching {@code regex}. */
    private static String jdeps(String regex) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        String modulePath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> p.matches(".*/(io/netty|io/projectreactor|org/reactivestreams|org/jspecify|io/micrometer|org/springframework|commons-logging)/.*\\.jar"))
                .collect(Collectors.joining(File.pathSeparator));
        StringWriter out = new StringWriter();
        int status = jdeps.run(new PrintWriter(out), new PrintWriter(out), "--module-path", modulePath,
                "--multi-release", "17", "-verbose:package", "-e", regex, classes().toString());
        assertEquals(0, status, out::toString);
        return out.toString();
    }

    /** The edges {@code io.fluxsocket.x -> target} of jdeps' output, {@code target} matching {@code targets}. */
    private static Set<String> edges(String jdeps, String targets) {
        Set<String> edges = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\s+(io\\.fluxsocket[\\w.]*)\\s+->\\s+(" + targets + ")\\s").matcher(jdeps);
        while (m.find()) {
            if (!m.group(1).equals(m.group(2))) {
                edges.add(m.group(1) + " -> " + m.group(2));
            }
        }
        return edges;
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
