/**
 * The Reactive Streams TCK (1.0.4) against this library's publishers and subscribers, over real
 * loopback connections to an in-process server ({@link io.fluxsocket.tck.TckServer}).
 *
 * <p>One class per verified publisher or subscriber; each is both the TCK's TestNG class and a
 * JUnit test class whose {@code rules()} factory runs every TCK rule through TestNG, one JUnit
 * dynamic test per rule ({@link io.fluxsocket.tck.TckRunner}). So the rules run under
 * {@code mvn test} with the rest of the functional suite, Netty's leak detection included, and a
 * failed required rule fails the build. Publishers:
 * {@link io.fluxsocket.tck.StreamReceiveTckTest} ({@code StreamWebSocket.receive()}),
 * {@link io.fluxsocket.tck.StreamReceiveReaderTckTest} ({@code receive(reader)}),
 * {@link io.fluxsocket.tck.MessageReceiveTckTest} ({@code MessageWebSocket.receive()}, whole),
 * {@link io.fluxsocket.tck.StreamedMessageReceiveTckTest} (the same, streamed) and
 * {@link io.fluxsocket.tck.StreamedContentTckTest} (a streamed received message's
 * {@code content()}). Subscribers (blackbox): {@link io.fluxsocket.tck.StreamSendTckTest}
 * ({@code StreamWebSocket.send}), {@link io.fluxsocket.tck.MessageSendTckTest}
 * ({@code MessageWebSocket.send}) and {@link io.fluxsocket.tck.StreamedContentSendTckTest} (a
 * streamed outbound message's content).
 *
 * <p>Run them alone with
 * {@code mvn -B -ntp test -Dtest='io.fluxsocket.tck.*TckTest' -Dsurefire.failIfNoSpecifiedTests=false};
 * each rule's outcome is listed, by name, in
 * {@code target/surefire-reports/io.fluxsocket.tck.<class>-output.txt}.
 */
package io.fluxsocket.tck;
