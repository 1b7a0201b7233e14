/**
 * Interop tests: the client against independent WebSocket servers that this project did not
 * write (Node's {@code ws}, Python's {@code websockets}), run as separate processes from the
 * programs under {@code src/test/peers/}. {@code .ci/run} installs them.
 *
 * <p>Three contracts, each with one subclass per {@link io.fluxsocket.interop.Peer}:
 * {@link io.fluxsocket.interop.PeerInteropContract} for stream mode (routes {@code /echo},
 * {@code /upload}, {@code /download}, {@code /close}, {@code /expect-close}, {@code /subprotocol},
 * {@code /headers}), {@link io.fluxsocket.interop.MessageInteropContract} for message mode
 * ({@code /echo}, {@code /upload-message}, {@code /message}, {@code /text-frames}, {@code /count})
 * and {@link io.fluxsocket.interop.LivenessInteropContract} for Pings both ways and the keep-alive
 * ({@code /keepalive}, {@code /pings}, {@code /silent}, {@code /expect-close}; the peer's keepalive
 * timing from the {@code PING_INTERVAL} and {@code PING_TIMEOUT} environment variables).
 * Both peer programs serve the same routes with the same behaviour; each documents them at its
 * top, and a route added to one must be added to the other.
 *
 * <p>permessage-deflate has its own contract, {@link io.fluxsocket.interop.DeflateInteropContract},
 * run once per combination of offer and server configuration against each peer's compressing
 * program ({@code deflate-server.js}, {@code deflate_server.py}, configured by {@code DEFLATE_*}
 * environment variables) and against {@link io.fluxsocket.interop.ReactorNettyDeflateServer}; the
 * three serve the same routes ({@code /echo}, {@code /fragments}, {@code /download},
 * {@code /upload}).
 *
 * <p>{@link io.fluxsocket.interop.PeerFaultTest} puts the tests' fault proxy between the client
 * and each peer: downloads from {@code /download}, uploads to {@code /sink} of the peers' fault
 * programs ({@code fault-server.js}, {@code fault_server.py}), which print what they got.
 */
package io.fluxsocket.interop;
