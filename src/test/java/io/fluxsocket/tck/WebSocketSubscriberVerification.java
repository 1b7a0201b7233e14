package io.fluxsocket.tck;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.reactivestreams.tck.SubscriberBlackboxVerification;
import org.testng.annotations.AfterMethod;

import java.util.stream.Stream;

/**
 * The TCK's {@link SubscriberBlackboxVerification} for a subscriber this library subscribes to a
 * publisher it is given to send, over real loopback connections to the {@link TckServer} (which
 * reads and drops what it receives). A subclass is both the TestNG class the TCK needs and, by its
 * inherited {@link #rules()} factory, the JUnit test class that runs it (see {@link TckRunner}).
 *
 * <p>Each subscriber the TCK asks for starts a send, on a fresh connection, of a publisher that
 * records the subscriber the library gives it (see {@link Connections#sendSubscriber}); sends are
 * cancelled and connections closed after each rule.
 */
public abstract class WebSocketSubscriberVerification<T> extends SubscriberBlackboxVerification<T> {

    /** The connections of the rule running; closed after it. */
    protected final Connections connections = new Connections();

    protected WebSocketSubscriberVerification() {
        super(Tck.environment());
    }

    @AfterMethod(alwaysRun = true)
    public void closeConnections() {
        connections.closeAll();
    }

    /** Runs this class's TCK rules, one JUnit test each. */
    @TestFactory
    Stream<DynamicTest> rules() {
        return TckRunner.rules(getClass());
    }

    @AfterAll
    static void stopServer() {
        TckServer.stop();
    }
}
