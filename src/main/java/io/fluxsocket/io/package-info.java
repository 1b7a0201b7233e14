/**
 * Blocking {@link java.io.InputStream} and {@link java.io.OutputStream} adapters over a
 * {@link io.fluxsocket.StreamWebSocket}, for code that only knows blocking streams
 * ({@code Files.copy}, {@code GZIPOutputStream}, {@code InputStream.transferTo}, JSON parsers).
 * Built on the public reactive API only: reads drive {@code receive()} demand, writes feed one
 * {@code send} with backpressure. Every failure is a {@link io.fluxsocket.io.WebSocketIOException}
 * carrying the {@link io.fluxsocket.WebErrorStatus}; blocking calls on a non-blocking thread (an
 * event loop, a Reactor parallel or single scheduler) throw {@link IllegalStateException} at once.
 */
package io.fluxsocket.io;
