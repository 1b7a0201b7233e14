package io.fluxsocket.interop;

/** The client against Node.js and the {@code ws} library ({@code src/test/peers/node}). */
class NodeWsInteropTest extends PeerInteropContract {

    @Override
    Peer peer() {
        return Peer.NODE_WS;
    }
}
