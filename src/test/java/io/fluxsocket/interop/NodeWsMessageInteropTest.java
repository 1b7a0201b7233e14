package io.fluxsocket.interop;

/** Message mode against Node.js and the {@code ws} library ({@code src/test/peers/node}). */
class NodeWsMessageInteropTest extends MessageInteropContract {

    @Override
    Peer peer() {
        return Peer.NODE_WS;
    }
}
