package io.fluxsocket.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SizesTest {

    @Test
    void parsesBinaryUnitsInAnyCase() {
        assertEquals(4096, Sizes.parse("4096"));
        assertEquals(100, Sizes.parse("100B"));
        assertEquals(64 * 1024, Sizes.parse("64KiB"));
        assertEquals(8L << 20, Sizes.parse("8MiB"));
        assertEquals(8L << 20, Sizes.parse("8 mib"));
        assertEquals(3L << 30, Sizes.parse("3G"));
    }

    @Test
    void rejectsDecimalUnitsFractionsAndOverflow() {
        for (String bad : new String[] {"", "MiB", "1.5MiB", "8MB", "-1", "99999999999999999999", "9999999999GiB"}) {
            assertThrows(IllegalArgumentException.class, () -> Sizes.parse(bad), bad);
        }
    }

    @Test
    void formatsExactUnitsWholeAndOthersWithTwoDecimals() {
        assertEquals("256 MiB", Sizes.format(256L << 20));
        assertEquals("1 GiB", Sizes.format(1L << 30));
        assertEquals("1.50 MiB", Sizes.format(3L << 19));
        assertEquals("1000 B", Sizes.format(1000));
        assertEquals("0 B", Sizes.format(0));
    }
}
