package io.fluxsocket.tck;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.reactivestreams.tck.PublisherVerification;
import org.testng.annotations.AfterMethod;

import java.util.stream.Stream;

/**
 * The TCK's {@link PublisherVerification} for a publisher of this library, over real loopback
 * connections to the {@link TckServer}. A subclass is both the TestNG class the TCK needs and, by
 * its inherited {@link #rules()} factory, the JUnit test class that runs it (see {@link TckRunner}).
 *
 * <p>A publisher of {@code n} elements is a fresh connection whose server sends {@code n} small
 * binary frames and then a Close (1000), after which the publisher completes; the frames are made
 * as the client reads them, so the count costs nothing until it is read. Every connection a rule
 * opened is closed after it.
 */
public abstract class WebSocketPublisherVerification<T> extends PublisherVerification<T> {

    /** The connections of the rule running; closed after it. */
    protected final Connections connections = new Connections();

    protected WebSocketPublisherVerification() {
        super(Tck.environment(), Tck.PUBLISHER_REFERENCE_GC_TIMEOUT_MILLIS);
    }

    /**
     * {@code Integer.MAX_VALUE}: the largest count a TCK rule asks for (§3.17's "pending above
     * Long.MAX_VALUE" rule, which cancels after 11 elements). Frames are generated only as the
     * client reads them, so this costs no more than a small count would; every other rule asks for
     * at most 20 elements.
     */
    @Override
    public long maxElementsFromPublisher() {
        return Integer.MAX_VALUE;
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
