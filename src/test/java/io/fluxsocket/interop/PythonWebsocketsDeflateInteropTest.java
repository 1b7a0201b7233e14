package io.fluxsocket.interop;

import io.fluxsocket.PerMessageDeflate;

import java.util.List;
import java.util.Map;

/**
 * permessage-deflate against Debian's Python and the {@code websockets} library
 * ({@code src/test/peers/python/deflate_server.py}): its default compression (windows of 12 bits
 * each way, so this client is asked for {@code client_max_window_bits=12}), no context takeover
 * either way offered by this client, and the server asking for a 9-bit client window and no client
 * context takeover.
 */
class PythonWebsocketsDeflateInteropTest extends DeflateInteropContract {

    private static final PerMessageDeflate DEFAULTS = PerMessageDeflate.defaults();

    @Override
    List<Combination> combinations() {
        return List.of(
                new Combination("defaults", DEFAULTS, Map.of(),
                        "permessage-deflate; server_max_window_bits=12; client_max_window_bits=12"),
                new Combination("no context takeover either way, offered",
                        DEFAULTS.clientNoContextTakeover(true).serverNoContextTakeover(true), Map.of(),
                        "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
                                + "server_max_window_bits=12; client_max_window_bits=12"),
                new Combination("client_max_window_bits=9 and client_no_context_takeover asked by the server", DEFAULTS,
                        Map.of("DEFLATE_CLIENT_MAX_WINDOW_BITS", "9", "DEFLATE_CLIENT_NO_CONTEXT_TAKEOVER", "1"),
                        "permessage-deflate; client_no_context_takeover; client_max_window_bits=9"));
    }

    @Override
    InteropServer start(Combination combination) {
        return PeerServer.start(Peer.PYTHON_WEBSOCKETS, "deflate_server.py", combination.server());
    }
}
