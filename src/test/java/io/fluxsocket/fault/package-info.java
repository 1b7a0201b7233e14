/**
 * Fault tests: the client through the {@link io.fluxsocket.testing.fault.FaultProxy} to real
 * servers, every fault against every shape of the API ({@code receive()}, {@code send},
 * message mode, the blocking streams): a typed failure within the bound that applies or normal
 * completion, no hang, no leak, and no send acknowledged for bytes the server did not get beyond
 * what TCP buffers between them.
 */
package io.fluxsocket.fault;
