package io.fluxsocket.interop;

/** Liveness against Node.js and the {@code ws} library ({@code src/test/peers/node}). */
class NodeWsLivenessInteropTest extends LivenessInteropContract {

    @Override
    Peer peer() {
        return Peer.NODE_WS;
    }
}
