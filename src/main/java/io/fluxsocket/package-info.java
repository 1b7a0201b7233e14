/**
 * fluxsocket's public API: a reactive streaming WebSocket client after the Windows Runtime
 * {@code StreamWebSocket}. Start at {@link io.fluxsocket.WebSocketClient}; a connection is a
 * {@link io.fluxsocket.StreamWebSocket}; every failure is a {@link io.fluxsocket.WebSocketException}
 * with a {@link io.fluxsocket.WebErrorStatus}.
 */
package io.fluxsocket;
