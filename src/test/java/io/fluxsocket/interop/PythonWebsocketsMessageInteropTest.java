package io.fluxsocket.interop;

/** Message mode against Debian's Python and the {@code websockets} library ({@code src/test/peers/python}). */
class PythonWebsocketsMessageInteropTest extends MessageInteropContract {

    @Override
    Peer peer() {
        return Peer.PYTHON_WEBSOCKETS;
    }
}
