package io.fluxsocket.interop;

/** The client against Debian's Python and the {@code websockets} library ({@code src/test/peers/python}). */
class PythonWebsocketsInteropTest extends PeerInteropContract {

    @Override
    Peer peer() {
        return Peer.PYTHON_WEBSOCKETS;
    }
}
