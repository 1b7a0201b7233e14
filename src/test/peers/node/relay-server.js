'use strict';

/*
 * The Node `ws` upstream of the Spring WebFlux sample service's tests (SampleServiceTest): a feed
 * the service relays to HTTP, and a sink for the one message the service streams up.
 *
 * Listens on 127.0.0.1 and an ephemeral port, prints `LISTENING <port>` once it accepts
 * connections, and exits when its standard input closes or on SIGTERM. Routes:
 *
 *   /feed?bytes=N[&drop=M]    sends N bytes as 64 KiB binary messages (the last one shorter):
 *                             message k is a fixed pseudo-random 64 KiB block with k written as
 *                             4 bytes big-endian at its start, so a lost, repeated or reordered
 *                             message changes the hash. It sends only while ws's bufferedAmount is
 *                             under 1 MiB and otherwise waits for the socket to drain (a pause).
 *                             After all N bytes it closes 1000. With drop=M it destroys the TCP
 *                             socket, without a Close, once it has sent at least M bytes.
 *                             Each time it pauses it prints `PAUSED <sent bytes>`; when the
 *                             connection ends it prints
 *                             `FEED <sent bytes> <hex SHA-256 of them> <pauses>`.
 *   /sink                     reads one binary message of any size, hashing its fragments as they
 *                             come and keeping none, then prints `SINK <bytes> <hex SHA-256>` of
 *                             its payload and closes 1000 with reason `<bytes> <hex SHA-256>`
 */

const { createHash, randomBytes } = require('crypto');
const { createServer } = require('http');
const { WebSocketServer } = require('ws');

const CHUNK = 64 * 1024;
const HIGH_WATER = 1024 * 1024;
const BLOCK = randomBytes(CHUNK);

const server = createServer();
// No limit on a message's size nor on its number of fragments (ws's default allows 16384: 1 GiB in 64 KiB frames).
const wss = new WebSocketServer({ server, maxPayload: 0, maxFragments: 0, perMessageDeflate: false });

wss.on('connection', (ws, req) => {
  const url = new URL(req.url, 'ws://127.0.0.1');
  // A dropped or cancelled connection is part of these tests: its error is expected.
  ws.on('error', () => {});
  switch (url.pathname) {
    case '/feed':
      feed(ws, Number(url.searchParams.get('bytes')), Number(url.searchParams.get('drop') || -1));
      break;
    case '/sink':
      sink(ws);
      break;
    default:
      ws.close(4404, `no route ${url.pathname}`);
  }
});

function feed(ws, total, drop) {
  const digest = createHash('sha256');
  let sent = 0;
  let index = 0;
  let pauses = 0;
  let ended = false;
  ws.on('close', () => {
    ended = true;
    process.stdout.write(`FEED ${sent} ${digest.digest('hex')} ${pauses}\n`);
  });
  const pump = () => {
    while (!ended && sent < total) {
      if (drop >= 0 && sent >= drop) {
        ws._socket.destroy();
        return;
      }
      if (ws.bufferedAmount >= HIGH_WATER) {
        pauses++;
        process.stdout.write(`PAUSED ${sent}\n`);
        ws._socket.once('drain', pump);
        return;
      }
      const n = Math.min(CHUNK, total - sent);
      const chunk = Buffer.from(BLOCK.subarray(0, n));
      if (n >= 4) {
        chunk.writeUInt32BE(index >>> 0, 0);
      }
      index++;
      sent += n;
      digest.update(chunk);
      ws.send(chunk, { binary: true });
    }
    if (!ended && sent >= total) {
      ws.close(1000, 'fed');
    }
  };
  pump();
}

function sink(ws) {
  // ws assembles a message whole; a 1 GiB one would be held twice. So the receiver's fragment list
  // of this connection is replaced by one that hashes each fragment as it arrives and keeps none
  // (ws's internal Receiver._fragments, ws 8.x, pinned in package.json); the message event then
  // carries an empty buffer, and the counts here are the message's.
  const digest = createHash('sha256');
  let bytes = 0;
  ws._receiver._fragments = {
    length: 0,
    push(fragment) {
      bytes += fragment.length;
      digest.update(fragment);
    },
  };
  ws.once('message', () => {
    const hex = digest.digest('hex');
    process.stdout.write(`SINK ${bytes} ${hex}\n`);
    ws.close(1000, `${bytes} ${hex}`);
  });
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
