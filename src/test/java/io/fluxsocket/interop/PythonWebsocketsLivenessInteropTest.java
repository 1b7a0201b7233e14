package io.fluxsocket.interop;

/** Liveness against Debian's Python and the {@code websockets} library ({@code src/test/peers/python}). */
class PythonWebsocketsLivenessInteropTest extends LivenessInteropContract {

    @Override
    Peer peer() {
        return Peer.PYTHON_WEBSOCKETS;
    }
}
