package io.fluxsocket.tck;

import java.util.regex.Pattern;

/**
 * A required TCK rule that the library fails today, and must keep failing the same way until it is
 * fixed: the rule's test is then reported as skipped, with {@link #cause} and the TCK's message,
 * instead of failing the build. Strict: if the rule passes, is skipped, or fails with a message
 * that {@link #message} is not found in, its test fails, so that the list is kept true (remove
 * an entry once the library is fixed). Run with {@code -Dfluxsocket.tck.strict=true} to have known
 * failures fail as well.
 *
 * @param rule    the TCK method, e.g. {@code required_spec313_cancelMustMakeThePublisher...}
 * @param message a regular expression found in the TCK's failure message when it fails this way
 * @param cause   what in the library makes it fail
 */
record KnownFailure(String rule, Pattern message, String cause) {

    KnownFailure(String rule, String message, String cause) {
        this(rule, Pattern.compile(message), cause);
    }

    /** Whether a failure message is this known failure's. */
    boolean matches(String failureMessage) {
        return failureMessage != null && message.matcher(failureMessage).find();
    }

    /** Whether known failures fail like any other (system property {@code fluxsocket.tck.strict}). */
    static boolean strict() {
        return Boolean.getBoolean("fluxsocket.tck.strict");
    }
}
