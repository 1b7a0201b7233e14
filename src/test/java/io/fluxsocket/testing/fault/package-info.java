/**
 * The tests' TCP fault proxy ({@link io.fluxsocket.testing.fault.FaultProxy}): put between the
 * client and a real server (the in-process servers, the Node and Python peers), it injects
 * {@link io.fluxsocket.testing.fault.Fault}s — latency and jitter, a bandwidth throttle, a drip of
 * one byte at a time, a cut with RST or FIN or a half-open stall at a
 * {@link io.fluxsocket.testing.fault.Position} of the byte stream or of the frame layout — and
 * counts what it forwarded and dropped each way.
 */
package io.fluxsocket.testing.fault;
