/**
 * The implementation on Reactor Netty and Netty: the opening handshake, the connection owner and
 * its state machine, the inbound byte budget and the outbound framer. Not part of the API: it
 * changes without notice.
 */
package io.fluxsocket.internal;
