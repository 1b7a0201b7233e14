package io.fluxsocket.interop;

import io.fluxsocket.PerMessageDeflate;

import java.util.List;
import java.util.Map;

/**
 * permessage-deflate against Node.js and the {@code ws} library ({@code src/test/peers/node/deflate-server.js}):
 * context takeover on and off each way, offered by this client or imposed by the server. The
 * windows are {@link NodeWsDeflateWindowInteropTest}'s.
 */
class NodeWsDeflateInteropTest extends DeflateInteropContract {

    private static final PerMessageDeflate DEFAULTS = PerMessageDeflate.defaults();

    @Override
    List<Combination> combinations() {
        return List.of(
                new Combination("defaults", DEFAULTS, Map.of(), "permessage-deflate"),
                new Combination("client_no_context_takeover offered", DEFAULTS.clientNoContextTakeover(true), Map.of(),
                        "permessage-deflate; client_no_context_takeover"),
                new Combination("client_no_context_takeover asked by the server", DEFAULTS,
                        Map.of("DEFLATE_CLIENT_NO_CONTEXT_TAKEOVER", "1"), "permessage-deflate; client_no_context_takeover"),
                new Combination("server_no_context_takeover offered", DEFAULTS.serverNoContextTakeover(true), Map.of(),
                        "permessage-deflate; server_no_context_takeover"),
                new Combination("server_no_context_takeover by the server", DEFAULTS,
                        Map.of("DEFLATE_SERVER_NO_CONTEXT_TAKEOVER", "1"), "permessage-deflate; server_no_context_takeover"),
                new Combination("no context takeover either way, offered",
                        DEFAULTS.clientNoContextTakeover(true).serverNoContextTakeover(true), Map.of(),
                        "permessage-deflate; client_no_context_takeover; server_no_context_takeover"));
    }

    @Override
    InteropServer start(Combination combination) {
        return PeerServer.start(Peer.NODE_WS, "deflate-server.js", combination.server());
    }
}
