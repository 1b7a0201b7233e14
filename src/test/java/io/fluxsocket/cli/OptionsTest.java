package io.fluxsocket.cli;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionsTest {

    @Test
    void noArgumentsIsTheDefaultBenchmark() throws Exception {
        Options o = Options.parse(new String[0]);
        assertNull(o.url());
        assertEquals(256L << 20, o.bytes());
        assertEquals(64 * 1024, o.chunk());
        assertEquals(false, o.quiet());
    }

    @Test
    void valuesFollowTheOptionOrAnEqualsSign() throws Exception {
        Options o = Options.parse(new String[] {"--bytes=1GiB", "--chunk", "16KiB", "-q"});
        assertEquals(1L << 30, o.bytes());
        assertEquals(16 * 1024, o.chunk());
        assertTrue(o.quiet());
    }

    @Test
    void pipeOptionsAreCollectedInOrder() throws Exception {
        Options o = Options.parse(new String[] {"-H", "A: 1", "--header=B:2", "--subprotocol", "x",
                "--connect-timeout", "2.5", "wss://example.org/"});
        assertEquals("wss://example.org/", o.url());
        assertEquals(List.of(Map.entry("A", "1"), Map.entry("B", "2")), o.headers());
        assertEquals(List.of("x"), o.subprotocols());
        assertEquals(Duration.ofMillis(2500), o.connectTimeout());
    }

    @Test
    void badCommandLinesAreRefusedWithTheReason() {
        assertRefused("option '--bytes' needs a value", "--bytes");
        assertRefused("--bytes: must be at least 1 B, was 0", "--bytes", "0");
        assertRefused("--chunk: must be at most 64 MiB, was 1GiB", "--chunk", "1GiB");
        assertRefused("option '--quiet' takes no value", "--quiet=yes");
        assertRefused("unknown option '--colour'", "--colour=never");
        assertRefused("more than one URL", "ws://a/", "ws://b/");
        assertRefused("is not of the form 'Name: value'", "--header", "NoColon", "ws://a/");
        assertRefused("not a number of seconds", "--connect-timeout", "soon", "ws://a/");
        assertRefused("option '--header' needs a ws:// or wss:// URL", "--header", "A: b");
    }

    private static void assertRefused(String reason, String... args) {
        Options.UsageException e = assertThrows(Options.UsageException.class, () -> Options.parse(args));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}
