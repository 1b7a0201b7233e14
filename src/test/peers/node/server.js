'use strict';

/*
 * An independent WebSocket server for fluxsocket's interop tests, built on the `ws` library.
 *
 * Listens on 127.0.0.1 and an ephemeral port, prints `LISTENING <port>` once it accepts
 * connections, and exits when its standard input closes or on SIGTERM. Routes, by path:
 *
 *   /echo                     every message comes back with its type (binary stays binary), as
 *                             ws sends any message: in one frame
 *   /upload                   reads one message, then closes 1000 with its hex SHA-256 as the reason
 *   /close?code=C&reason=R    closes with C and R right after the handshake
 *   /expect-close             answers the client's Close and prints `CLOSED <code> <reason>`
 *   /subprotocol              sends the selected subprotocol's name (binary, UTF-8), closes 1000
 *   /headers                  sends the request headers as JSON (binary, lower-case names), closes 1000
 *   /download?bytes=N         sends N pseudo-random bytes in 64 KiB binary messages, then closes
 *                             1000 with the hex SHA-256 of those bytes as the reason
 */

const crypto = require('crypto');
const http = require('http');
const { WebSocketServer } = require('ws');

const SUPPORTED_SUBPROTOCOLS = ['chat', 'superchat'];
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
/** Download messages handed to ws whose write callback has not fired yet, at most. */
const DOWNLOAD_IN_FLIGHT = 16;

const server = http.createServer((req, res) => {
  res.writeHead(426, { 'Content-Type': 'text/plain' });
  res.end('WebSocket only\n');
});

const wss = new WebSocketServer({
  server,
  maxPayload: MAX_MESSAGE_BYTES,
  perMessageDeflate: false,
  handleProtocols: (offered) => {
    // The first one the client offered that this server speaks.
    for (const name of offered) {
      if (SUPPORTED_SUBPROTOCOLS.includes(name)) {
        return name;
      }
    }
    return false;
  },
});

wss.on('connection', (ws, req) => {
  const url = new URL(req.url, 'ws://127.0.0.1');
  ws.on('error', (err) => process.stderr.write(`socket error on ${url.pathname}: ${err.message}\n`));
  switch (url.pathname) {
    case '/echo':
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      break;
    case '/upload':
      ws.once('message', (data) => ws.close(1000, crypto.createHash('sha256').update(data).digest('hex')));
      break;
    case '/close':
      ws.close(Number(url.searchParams.get('code') || 1000), url.searchParams.get('reason') || '');
      break;
    case '/expect-close':
      // ws answers the client's Close with the same code by itself.
      ws.on('close', (code, reason) => process.stdout.write(`CLOSED ${code} ${reason.toString('utf8')}\n`));
      break;
    case '/subprotocol':
      ws.send(Buffer.from(ws.protocol, 'utf8'), { binary: true });
      ws.close(1000, '');
      break;
    case '/headers':
      ws.send(Buffer.from(JSON.stringify(req.headers), 'utf8'), { binary: true });
      ws.close(1000, '');
      break;
    case '/download':
      download(ws, Number(url.searchParams.get('bytes') || 0));
      break;
    default:
      ws.close(4404, `no route ${url.pathname}`);
  }
});

/** Sends `total` pseudo-random bytes, a few messages in flight at a time, then the hash in the Close. */
function download(ws, total) {
  const hash = crypto.createHash('sha256');
  let sent = 0;
  let inFlight = 0;
  let finished = false;
  const pump = () => {
    while (sent < total && inFlight < DOWNLOAD_IN_FLIGHT && ws.readyState === ws.OPEN) {
      const chunk = crypto.randomBytes(Math.min(CHUNK_BYTES, total - sent));
      hash.update(chunk);
      sent += chunk.length;
      inFlight++;
      ws.send(chunk, { binary: true }, (err) => {
        inFlight--;
        if (!err) {
          pump();
        }
      });
    }
    if (sent === total && inFlight === 0 && !finished && ws.readyState === ws.OPEN) {
      finished = true;
      ws.close(1000, hash.digest('hex'));
    }
  };
  pump();
}

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
