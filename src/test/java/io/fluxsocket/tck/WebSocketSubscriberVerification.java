package io.fluxsocket.tck;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.reactivestreams.tck.SubscriberBlackboxVerification;
import org.testng.annotations.AfterMethod;

import java.util.List;
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

    /**
     * How the library's send subscribers fail today: all three ({@code StreamWebSocket.send}'s,
     * {@code MessageWebSocket.send}'s, a streamed outbound message's content's) are
     * {@code io.fluxsocket.internal.Inbox}, whose signal methods neither check for null nor refuse
     * a second subscription.
     */
    static final List<KnownFailure> INBOX_FAILURES = List.of(
            new KnownFailure("required_spec205_blackbox_mustCallSubscriptionCancelIfItAlreadyHasAnSubscriptionAndReceivesAnotherOnSubscribeSignal",
                    // Whether the send requests from the second subscription before the TCK
                    // gives up waiting for its cancel is a race: either message is this failure.
                    "illegally called `subscription\\.request\\(|Expected SecondSubscription given to subscriber to be"
                            + " cancelled, but `Subscription\\.cancel\\(\\)` was not called",
                    "§2.5: Inbox.onSubscribe stores the second Subscription over the first (upstream = s), never"
                            + " cancels it, and the send then requests from it"),
            new KnownFailure("required_spec213_blackbox_onSubscribe_mustThrowNullPointerExceptionWhenParametersAreNull",
                    "onSubscribe\\(null\\) did not throw NullPointerException",
                    "§2.13: Inbox.onSubscribe(null) stores null as the Subscription instead of throwing"),
            new KnownFailure("required_spec213_blackbox_onNext_mustThrowNullPointerExceptionWhenParametersAreNull",
                    "onNext\\(null\\) did not throw NullPointerException",
                    "§2.13: Inbox.onNext(null) fails the send with onError(NullPointerException) instead of throwing"),
            new KnownFailure("required_spec213_blackbox_onError_mustThrowNullPointerExceptionWhenParametersAreNull",
                    "onError\\(null\\) did not throw NullPointerException",
                    "§2.13: Inbox.onError(null) stores a null error instead of throwing"));

    /** The connections of the rule running; closed after it. */
    protected final Connections connections = new Connections();

    protected WebSocketSubscriberVerification() {
        super(Tck.environment());
    }

    @AfterMethod(alwaysRun = true)
    public void closeConnections() {
        connections.closeAll();
    }

    /**
     * The required rules this library is known to fail today (reported as skipped, see
     * {@link KnownFailure}); none by default.
     */
    protected List<KnownFailure> knownFailures() {
        return List.of();
    }

    /** Runs this class's TCK rules, one JUnit test each. */
    @TestFactory
    Stream<DynamicTest> rules() {
        return TckRunner.rules(getClass(), knownFailures());
    }

    @AfterAll
    static void stopServer() {
        TckServer.stop();
    }
}
