package io.fluxsocket.interop;

import io.fluxsocket.PerMessageDeflate;

import java.util.List;
import java.util.Map;

/**
 * permessage-deflate against a Reactor Netty server with compression on
 * ({@link ReactorNettyDeflateServer}, in this JVM): its defaults, and {@code client_no_context_takeover}
 * offered. (Netty declines an offer with {@code server_no_context_takeover}, and would need JZlib,
 * which is not on the class path, for a server window under 15 bits.)
 */
class ReactorNettyDeflateInteropTest extends DeflateInteropContract {

    private static final PerMessageDeflate DEFAULTS = PerMessageDeflate.defaults();

    @Override
    List<Combination> combinations() {
        return List.of(
                new Combination("defaults", DEFAULTS, Map.of(), "permessage-deflate"),
                // Netty does not repeat the parameter in its answer; this client keeps to its offer.
                new Combination("client_no_context_takeover offered", DEFAULTS.clientNoContextTakeover(true), Map.of(),
                        "permessage-deflate"));
    }

    /** Netty cannot compress an empty frame that is not a message's last. */
    @Override
    int[] fragmentSizes() {
        return new int[]{3000, 1, 70_000};
    }

    @Override
    InteropServer start(Combination combination) {
        return new ReactorNettyDeflateServer();
    }
}
