package io.fluxsocket.cli;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * One run of {@link Main#run} with captured standard streams: the exit code, the bytes written to
 * stdout and the text written to stderr.
 */
record Run(int exitCode, byte[] stdout, String stderr) {

    static Run of(InputStream stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        return of(stdin, out, out, args);
    }

    /** A run whose stdout goes to {@code stdout}; {@code captured} is what {@link #stdout} reports. */
    static Run of(InputStream stdin, OutputStream stdout, ByteArrayOutputStream captured, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, stdin, new PrintStream(stdout, true),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, captured.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    static Run of(String... args) {
        return of(InputStream.nullInputStream(), args);
    }

    String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    /** For assertion messages: what the run printed. */
    String describe() {
        return "exit " + exitCode + ", stdout: " + stdoutText() + ", stderr: " + stderr;
    }
}
