/**
 * The {@code fluxsocket} command-line tool, the project's runnable main job: an echo benchmark
 * against an embedded server when run without arguments, and a websocat-like pipe between
 * stdin/stdout and a {@code ws://} or {@code wss://} server when given a URL. Entry point:
 * {@link io.fluxsocket.cli.Main}.
 */
package io.fluxsocket.cli;
