package io.fluxsocket.spring;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.JettyCoreHttpHandlerAdapter;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.upgrade.JettyCoreRequestUpgradeStrategy;

/**
 * Jetty 12 core under a Spring WebFlux {@link HttpHandler}, on 127.0.0.1 and a free port. Only
 * {@link SpringWebSocketServer#scenariosOnJetty()} loads this class, so that test classes that do not
 * use Jetty load without it (the {@code jetty-tests} execution alone has Jetty on its class path).
 */
final class JettyServer {

    private final Server server;
    private final int port;

    private JettyServer(Server server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Spring's handshake service with its Jetty core upgrade strategy. */
    static HandshakeWebSocketService webSocketService() {
        return new HandshakeWebSocketService(new JettyCoreRequestUpgradeStrategy());
    }

    static JettyServer start(HttpHandler handler) {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        // The WebSocket container the upgrade strategy finds on the server's context.
        ServerWebSocketContainer.ensure(server);
        server.setHandler(new JettyCoreHttpHandlerAdapter(handler));
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("Jetty did not start", e);
        }
        return new JettyServer(server, connector.getLocalPort());
    }

    int port() {
        return port;
    }

    void stop() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("Jetty did not stop", e);
        }
    }
}
