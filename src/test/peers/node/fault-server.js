'use strict';

/*
 * The Node `ws` peer of fluxsocket's fault tests (PeerFaultTest): a sink that records what reached
 * it, so that a test that cut or stalled the connection on the way can tell which prefix of what
 * the client sent the server got.
 *
 * Listens on 127.0.0.1 and an ephemeral port, prints `LISTENING <port>` once it accepts
 * connections, and exits when its standard input closes or on SIGTERM. Route:
 *
 *   /sink                     reads messages and keeps none: it hashes their payloads in order and,
 *                             when the connection ends (a closing handshake, a reset, anything),
 *                             prints `SINK <bytes> <hex SHA-256>` of the whole messages it got
 */

const { createHash } = require('crypto');
const { createServer } = require('http');
const { WebSocketServer } = require('ws');

const server = createServer();
const wss = new WebSocketServer({ server, maxPayload: 256 * 1024 * 1024, perMessageDeflate: false });

wss.on('connection', (ws, req) => {
  const url = new URL(req.url, 'ws://127.0.0.1');
  // A cut connection is what these tests are about: its error is expected, the SINK line says it all.
  ws.on('error', () => {});
  if (url.pathname !== '/sink') {
    ws.close(4404, `no route ${url.pathname}`);
    return;
  }
  const digest = createHash('sha256');
  let bytes = 0;
  ws.on('message', (data) => {
    bytes += data.length;
    digest.update(data);
  });
  ws.on('close', () => {
    process.stdout.write(`SINK ${bytes} ${digest.digest('hex')}\n`);
  });
});

function shutdown() {
  for (const client of wss.clients) {
    client.terminate();
  }
  process.exit(0);
}

process.on('SIGTERM', shutdown);
process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.resume();

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`LISTENING ${server.address().port}\n`);
});
