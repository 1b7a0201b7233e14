'use strict';

/*
 * The Node `ws` peer of fluxsocket's fault tests (PeerFaultTest, ReconnectThroughFaultsTest): a
 * sink that records what reached it, so that a test that cut or stalled the connection on the way
 * can tell which prefix of what the client sent the server got.
 *
 * Listens on 127.0.0.1 and an ephemeral port (or the port in the environment variable PORT, to be
 * started again where a killed one was), prints `LISTENING <port>` once it accepts connections,
 * and exits when its standard input closes or on SIGTERM. Route:
 *
 *   /sink                     reads messages and keeps none: it hashes their payloads in order and,
 *                             when the connection ends (a closing handshake, a reset, anything),
 *                             prints `SINK <bytes> <hex SHA-256> <close code>` of the whole messages
 *                             it got (1006 for a connection lost without a Close)
 *   /sink?ack=1               the same, and after each message it sends a text message
 *                             `<bytes> <hex SHA-256>` of what it got so far on the connection
 *
 * Refusals, by environment variables:
 *
 *   REFUSE_STATUS             with it set, the opening handshake is refused with this HTTP status
 *                             (and the line `REFUSED <status>` printed)
 *   REFUSE_COUNT              only the first N handshakes are refused (default: every one)
 *   RETRY_AFTER               the refusal's Retry-After header (default: none)
 */

const { createHash } = require('crypto');
const { createServer } = require('http');
const { WebSocketServer } = require('ws');

const server = createServer();
const refuseStatus = Number(process.env.REFUSE_STATUS || 0);
const refuseCount = process.env.REFUSE_COUNT === undefined ? Infinity : Number(process.env.REFUSE_COUNT);
let refused = 0;

function verifyClient(info, done) {
  if (refuseStatus === 0 || refused >= refuseCount) {
    done(true);
    return;
  }
  refused++;
  process.stdout.write(`REFUSED ${refuseStatus}\n`);
  done(false, refuseStatus, 'scripted refusal',
    process.env.RETRY_AFTER === undefined ? {} : { 'Retry-After': process.env.RETRY_AFTER });
}

const wss = new WebSocketServer({
  server, maxPayload: 256 * 1024 * 1024, perMessageDeflate: false, verifyClient,
});

wss.on('connection', (ws, req) => {
  const url = new URL(req.url, 'ws://127.0.0.1');
  // A cut connection is what these tests are about: its error is expected, the SINK line says it all.
  ws.on('error', () => {});
  if (url.pathname !== '/sink') {
    ws.close(4404, `no route ${url.pathname}`);
    return;
  }
  const ack = url.searchParams.get('ack') === '1';
  const digest = createHash('sha256');
  let bytes = 0;
  ws.on('message', (data) => {
    bytes += data.length;
    digest.update(data);
    if (ack) {
      ws.send(`${bytes} ${digest.copy().digest('hex')}`);
    }
  });
  ws.on('close', (code) => {
    process.stdout.write(`SINK ${bytes} ${digest.digest('hex')} ${code}\n`);
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

server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  process.stdout.write(`LISTENING ${server.address().port}\n`);
});
