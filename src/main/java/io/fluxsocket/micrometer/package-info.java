/**
 * Micrometer meters for fluxsocket's connections: {@link io.fluxsocket.micrometer.MicrometerMetrics},
 * given to {@link io.fluxsocket.WebSocketClient.Builder#metrics}. The only package of the library
 * that uses Micrometer, an optional dependency: use it only with {@code micrometer-core} on the
 * class or module path; the rest of the library neither needs nor loads it.
 */
package io.fluxsocket.micrometer;
