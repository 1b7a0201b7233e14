package io.fluxsocket.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The leak check itself must be able to fail: a buffer dropped unreleased is reported. */
class LeakDetectionExtensionTest {

    @Test
    void anUnreleasedBufferFailsTheClass() {
        // Netty logs the leak at ERROR: a check of the error check of its own takes that report
        // (expected here), so the class-level error check of this class does not fail for it.
        ErrorDetectionExtension errors = new ErrorDetectionExtension();
        errors.beforeAll(null);
        LeakDetectionExtension extension = new LeakDetectionExtension();
        extension.beforeAll(null);
        leakOne();
        AssertionError error = assertThrows(AssertionError.class, () -> extension.afterAll(context()));
        assertTrue(error.getMessage().contains("LEAK"), error.getMessage());
        // Leave the recorder clean for the class-level check of this very class.
        extension.beforeAll(null);
        AssertionError logged = assertThrows(AssertionError.class, () -> errors.afterAll(null));
        assertTrue(logged.getMessage().contains("logged at SEVERE by io.netty.util.ResourceLeakDetector"),
                logged.getMessage());
        assertTrue(logged.getMessage().contains("LEAK: ByteBuf.release() was not called"), logged.getMessage());
    }

    private static void leakOne() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        leaked.writeLong(42);
    }

    private static ExtensionContext context() {
        return (ExtensionContext) java.lang.reflect.Proxy.newProxyInstance(
                LeakDetectionExtensionTest.class.getClassLoader(), new Class<?>[] {ExtensionContext.class},
                (proxy, method, args) -> method.getName().equals("getDisplayName") ? "leak check"
                        : method.getReturnType() == Optional.class ? Optional.empty() : null);
    }
}
