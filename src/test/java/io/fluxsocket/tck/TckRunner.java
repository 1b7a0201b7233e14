package io.fluxsocket.tck;

import org.junit.jupiter.api.DynamicTest;
import org.opentest4j.TestAbortedException;
import org.testng.IConfigurationListener;
import org.testng.ITestListener;
import org.testng.ITestResult;
import org.testng.TestNG;
import org.testng.annotations.Test;
import org.testng.xml.XmlClass;
import org.testng.xml.XmlInclude;
import org.testng.xml.XmlSuite;
import org.testng.xml.XmlTest;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Runs a TestNG-based Reactive Streams TCK class from JUnit: one {@link DynamicTest} per TCK rule
 * (each public method annotated with TestNG's {@link Test}), named after it, which runs that one
 * method through TestNG programmatically, on the JUnit thread, and reports its outcome to JUnit:
 * a pass passes, a failure fails with the TCK's message (after the rule's name; the TCK's error is
 * the cause), and a skip (the TCK's {@code notVerified(...)} or {@code SkipException}) aborts the
 * test with the TCK's reason, so that Surefire lists it as skipped with that message. A rule of
 * {@link #RETRIED} that fails is run once more, and the second outcome counts. A failed TestNG configuration
 * method ({@code @BeforeMethod}, or the verifications' {@code @AfterMethod} that closes the
 * connections a rule opened) fails the rule's test too.
 *
 * <p>Because the rules run as ordinary Jupiter tests of the verification class, the Jupiter
 * extensions registered for every test class apply to them, Netty's leak detection among them.
 *
 * <p>Surefire names dynamic tests by their JUnit "legacy reporting name", {@code rules()[n]}, not
 * by their display name; so every failure and skip message starts with the rule's name, and each
 * rule's outcome is printed as a line {@code TCK PASS|FAIL|SKIP <class> (<ms>) <rule>[: reason]},
 * which Surefire keeps in {@code target/surefire-reports/<class>-output.txt}.
 */
final class TckRunner {

    /**
     * Rules run a second time when they fail. §3.13's rule sleeps (300 ms), runs
     * {@code System.gc()} and then gives the reference queue a fixed 100 ms: on a loaded machine
     * that probe can miss a subscriber that was dropped (seen once in some 60 runs of the rule, at a
     * load average of 10 on 2 cores). A publisher that really keeps its subscriber fails both runs.
     */
    private static final Set<String> RETRIED = Set.of(
            "required_spec313_cancelMustMakeThePublisherEventuallyDropAllReferencesToTheSubscriber");

    private TckRunner() {
    }

    /** One test per TCK rule of {@code verification}, in the order of the rules' names. */
    static Stream<DynamicTest> rules(Class<?> verification) {
        List<String> rules = Arrays.stream(verification.getMethods())
                .filter(m -> m.isAnnotationPresent(Test.class))
                .map(Method::getName)
                .distinct()
                .sorted(Comparator.naturalOrder())
                .toList();
        return rules.stream().map(rule -> DynamicTest.dynamicTest(rule, () -> run(verification, rule)));
    }

    /**
     * Runs one TCK method of {@code verification} through TestNG, prints a line with its outcome
     * (to the class's Surefire output file) and rethrows it.
     */
    static void run(Class<?> verification, String rule) throws Throwable {
        long start = System.nanoTime();
        Throwable failure = runOnce(verification, rule);
        if (failure != null && !(failure instanceof TestAbortedException) && RETRIED.contains(rule)) {
            System.out.printf("TCK RETRY %s %s after: %s%n", verification.getSimpleName(), rule, failure.getMessage());
            failure = runOnce(verification, rule);
        }
        Throwable thrown = failure;
        long millis = (System.nanoTime() - start) / 1_000_000;
        String verdict = thrown == null ? "PASS" : thrown instanceof TestAbortedException ? "SKIP" : "FAIL";
        // The messages of failures and skips start with the rule's name.
        System.out.printf("TCK %s %s (%d ms) %s%n", verdict, verification.getSimpleName(), millis,
                thrown == null ? rule : thrown.getMessage());
        if (thrown != null) {
            throw thrown;
        }
    }

    /** Runs one TCK method through TestNG: what its JUnit test would throw (see {@link Outcome#failure}). */
    private static Throwable runOnce(Class<?> verification, String rule) {
        Outcome outcome = new Outcome();
        TestNG testng = new TestNG(false);
        testng.setUseDefaultListeners(false);
        testng.setVerbose(0);
        testng.setOutputDirectory("target/testng");
        testng.addListener(outcome);

        XmlSuite suite = new XmlSuite();
        suite.setName(verification.getSimpleName());
        XmlTest test = new XmlTest(suite);
        test.setName(rule);
        XmlClass xmlClass = new XmlClass(verification);
        xmlClass.setIncludedMethods(List.of(new XmlInclude(rule)));
        test.setXmlClasses(List.of(xmlClass));
        testng.setXmlSuites(List.of(suite));

        testng.run();
        return outcome.failure(rule);
    }

    /** What TestNG reported for the one rule it ran, and for the configuration methods around it. */
    private static final class Outcome implements ITestListener, IConfigurationListener {

        private final List<ITestResult> results = new ArrayList<>();
        private final List<ITestResult> configurationFailures = new ArrayList<>();

        @Override
        public synchronized void onTestSuccess(ITestResult result) {
            results.add(result);
        }

        @Override
        public synchronized void onTestFailure(ITestResult result) {
            results.add(result);
        }

        @Override
        public synchronized void onTestFailedButWithinSuccessPercentage(ITestResult result) {
            results.add(result);
        }

        @Override
        public synchronized void onTestSkipped(ITestResult result) {
            results.add(result);
        }

        @Override
        public synchronized void onConfigurationFailure(ITestResult result) {
            configurationFailures.add(result);
        }

        /**
         * What the rule's JUnit test throws: null if it passed; the TCK's error, with the rule's
         * name before its message, if it failed; a {@link TestAbortedException} with the TCK's
         * reason if it was skipped.
         */
        synchronized Throwable failure(String rule) {
            ITestResult result = results.size() == 1 ? results.get(0) : null;
            Throwable thrown = result != null ? result.getThrowable() : null;
            Throwable failure = null;
            if (result == null) {
                failure = new AssertionError(rule + ": TestNG reported " + results.size() + " results, expected 1");
            } else if (result.getStatus() == ITestResult.FAILURE) {
                failure = new AssertionError(rule + ": " + (thrown != null ? thrown.getMessage() : "failed"), thrown);
            } else if (result.getStatus() != ITestResult.SUCCESS && result.getStatus() != ITestResult.SKIP) {
                failure = new AssertionError(rule + ": TestNG status " + result.getStatus(), thrown);
            }
            for (ITestResult configuration : configurationFailures) {
                // The @AfterMethod that closes the rule's connections, or a @BeforeMethod (which
                // makes TestNG skip the rule): either fails the rule.
                AssertionError failed = new AssertionError(rule + ": TestNG configuration method "
                        + configuration.getMethod().getMethodName() + " failed: "
                        + configuration.getThrowable(), configuration.getThrowable());
                if (failure == null) {
                    failure = failed;
                } else {
                    failure.addSuppressed(failed);
                }
            }
            if (failure == null && result.getStatus() == ITestResult.SKIP) {
                // A configuration failure that made TestNG skip the rule was reported above.
                String reason = thrown != null && thrown.getMessage() != null ? thrown.getMessage() : "skipped by the TCK";
                failure = new TestAbortedException(rule + ": " + reason, thrown);
            }
            return failure;
        }
    }
}
