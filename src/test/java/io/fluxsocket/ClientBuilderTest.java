package io.fluxsocket;

import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import reactor.core.publisher.Mono;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ClientBuilder}, the one {@link WebSocketClient.Builder}: every option it takes checks its
 * arguments as it is set (the checks of each value are in {@code ArgumentValidationTest} and
 * {@code TlsTest}).
 */
class ClientBuilderTest {

    @Test
    void theBuilderIsTheLibrarysOwnAndHasEveryOptionOfTheInterface() {
        assertTrue(WebSocketClient.Builder.class.isSealed());
        assertEquals(List.of(ClientBuilder.class), Arrays.asList(WebSocketClient.Builder.class.getPermittedSubclasses()));
        assertEquals(ClientBuilder.class, WebSocketClient.builder().getClass());
        assertTrue(!Modifier.isPublic(ClientBuilder.class.getModifiers()), "not part of the API");
    }

    @Test
    void everyOptionRefusesANullWithAnInvalidArgumentNamingIt() throws Exception {
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (Method m : WebSocketClient.Builder.class.getMethods()) {
            Class<?>[] types = m.getParameterTypes();
            for (int i = 0; i < types.length; i++) {
                if (types[i].isPrimitive()) {
                    continue;
                }
                Object[] args = new Object[types.length];
                for (int j = 0; j < types.length; j++) {
                    args[j] = j == i ? null : valid(types[j]);
                }
                checked++;
                try {
                    m.invoke(WebSocketClient.builder(), args);
                    wrong.add(m.getName() + " argument " + i + ": accepted null");
                } catch (InvocationTargetException e) {
                    Throwable t = e.getCause();
                    if (!(t instanceof WebSocketException w) || w.status() != WebErrorStatus.INVALID_ARGUMENT
                            || !w.getMessage().matches("(?s)[A-Za-z][A-Za-z ]*: .+")) {
                        wrong.add(m.getName() + " argument " + i + ": " + t);
                    }
                }
            }
        }
        assertTrue(checked >= 30, "options with an object argument: " + checked);
        assertEquals(List.of(), wrong);
    }

    /** A value of the type for the arguments besides the null one (null for a private key: either may be refused). */
    private static Object valid(Class<?> type) {
        if (type == String.class) {
            return "x";
        }
        if (type == Duration.class) {
            return Duration.ofSeconds(1);
        }
        if (type == Mono.class) {
            return Mono.just("x");
        }
        if (type == Path.class) {
            return Path.of("missing.pem");
        }
        if (type == char[].class) {
            return new char[0];
        }
        if (type == X509Certificate[].class) {
            return new X509Certificate[0];
        }
        return null;
    }
}
