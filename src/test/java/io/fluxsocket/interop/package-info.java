/**
 * Interop tests: the client against independent WebSocket servers that this project did not
 * write (Node's {@code ws}, Python's {@code websockets}), run as separate processes from the
 * programs under {@code src/test/peers/}. {@code .ci/run} installs them.
 */
package io.fluxsocket.interop;
