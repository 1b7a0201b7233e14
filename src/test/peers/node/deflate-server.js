'use strict';

/*
 * An independent permessage-deflate (RFC 7692) server for fluxsocket's interop tests
 * (DeflateInteropContract), built on the `ws` library. server.js serves the other interop tests
 * without compression; this one accepts every permessage-deflate offer it can, as its
 * environment configures ws's `perMessageDeflate`, and compresses every message it sends
 * (threshold 0).
 *
 * Listens on 127.0.0.1 and an ephemeral port, prints `LISTENING <port>` once it accepts
 * connections, and exits when its standard input closes or on SIGTERM.
 *
 * Environment (each unset by default, which is ws's default: it accepts what the client offers):
 *
 *   DEFLATE_SERVER_NO_CONTEXT_TAKEOVER=1   ws `serverNoContextTakeover: true`: the server compresses
 *                                          each message on its own, and says so in its answer
 *   DEFLATE_CLIENT_NO_CONTEXT_TAKEOVER=1   ws `clientNoContextTakeover: true`: the answer asks the
 *                                          client to compress each message on its own
 *   DEFLATE_SERVER_MAX_WINDOW_BITS=N       ws `serverMaxWindowBits: N` (8-15): the server compresses
 *                                          with a window of N bits and says so in its answer
 *   DEFLATE_CLIENT_MAX_WINDOW_BITS=N       ws `clientMaxWindowBits: N` (8-15): the answer asks the
 *                                          client for a window of N bits, and the server inflates
 *                                          with that window (zlib fails on a reference further back)
 *
 * Routes, by path:
 *
 *   /echo                         every message comes back with its type, in one frame, compressed
 *   /fragments?n=N&type=T&sizes=S1,S2,…&ping=P
 *                                 sends N messages (T `text` or `binary`, the default), each as
 *                                 frames of S1, S2, … bytes (any may be 0), each frame compressed on
 *                                 its own (RSV1 on the first), with P `1` a Ping between each two
 *                                 frames of a message; then closes 1000 with the hex SHA-256 of every
 *                                 payload byte sent as the reason. Frame j of message i is the line
 *                                 `{"message":i,"fragment":j,"sensor":"temp-<(i+j)%7>"}\n` repeated
 *                                 and cut to its size.
 *   /download?bytes=N             sends N bytes of JSON lines (`{"seq":<k>,"sensor":…}\n`, cut
 *                                 anywhere) in binary messages of 64 KiB, a few in flight at a time;
 *                                 then closes 1000 with the hex SHA-256 of those bytes as the reason
 *   /upload?bytes=N               reads messages (text as its UTF-8 bytes) until N bytes came, then
 *                                 closes 1000 with `<messages> <hex SHA-256>` as the reason
 */

const crypto = require('crypto');
const http = require('http');
const { WebSocketServer } = require('ws');

const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
/** Download messages handed to ws whose write callback has not fired yet, at most. */
const DOWNLOAD_IN_FLIGHT = 16;

/** ws's perMessageDeflate options from the DEFLATE_* environment variables. */
function deflateOptions(env) {
  const options = { threshold: 0 };
  if (env.DEFLATE_SERVER_NO_CONTEXT_TAKEOVER === '1') {
    options.serverNoContextTakeover = true;
  }
  if (env.DEFLATE_CLIENT_NO_CONTEXT_TAKEOVER === '1') {
    options.clientNoContextTakeover = true;
  }
  if (env.DEFLATE_SERVER_MAX_WINDOW_BITS) {
    options.serverMaxWindowBits = windowBits(env.DEFLATE_SERVER_MAX_WINDOW_BITS);
  }
  if (env.DEFLATE_CLIENT_MAX_WINDOW_BITS) {
    options.clientMaxWindowBits = windowBits(env.DEFLATE_CLIENT_MAX_WINDOW_BITS);
  }
  return options;
}

function windowBits(text) {
  const bits = Number(text);
  if (!Number.isInteger(bits) || bits < 8 || bits > 15) {
    throw new Error(`a window of 8 to 15 bits, not '${text}'`);
  }
  return bits;
}

const server = http.createServer((req, res) => {
  res.writeHead(426, { 'Content-Type': 'text/plain' });
  res.end('WebSocket only\n');
});

const options = deflateOptions(process.env);
process.stderr.write(`perMessageDeflate ${JSON.stringify(options)}\n`);
const wss = new WebSocketServer({ server, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: options });

wss.on('connection', (ws, req) => {
  const url = new URL(req.url, 'ws://127.0.0.1');
  const params = url.searchParams;
  ws.on('error', (err) => process.stderr.write(`socket error on ${url.pathname}: ${err.message}\n`));
  switch (url.pathname) {
    case '/echo':
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      break;
    case '/fragments':
      fragments(ws, Number(params.get('n') || 1), params.get('type') === 'text',
          (params.get('sizes') || '0').split(',').map(Number), params.get('ping') === '1');
      break;
    case '/download':
      download(ws, Number(params.get('bytes') || 0));
      break;
    case '/upload':
      upload(ws, Number(params.get('bytes') || 0));
      break;
    default:
      ws.close(4404, `no route ${url.pathname}`);
  }
});

/** Frame `j` of message `i` of /fragments: its line repeated and cut to `size` bytes. */
function fragment(i, j, size) {
  const line = `{"message":${i},"fragment":${j},"sensor":"temp-${(i + j) % 7}"}\n`;
  return Buffer.from(line.repeat(Math.ceil(size / line.length)).slice(0, size), 'latin1');
}

/** `n` messages of `sizes.length` frames each (a Ping after each but the last); then the hash of it all in the Close. */
function fragments(ws, n, text, sizes, ping) {
  const hash = crypto.createHash('sha256');
  for (let i = 0; i < n; i++) {
    sizes.forEach((size, j) => {
      const payload = fragment(i, j, size);
      const fin = j === sizes.length - 1;
      hash.update(payload);
      ws.send(payload, { binary: !text, fin });
      if (ping && !fin) {
        // ws queues it behind the fragment, which it is still compressing.
        ws.ping(Buffer.from('between fragments'));
      }
    });
  }
  // ws queues the Close behind the frames, which it compresses in order.
  ws.close(1000, hash.digest('hex'));
}

/** JSON lines from sequence number `seq` on, exactly `size` bytes (the last line cut). */
function jsonLines(seq, size) {
  const lines = [];
  let length = 0;
  for (let k = seq; length < size; k++) {
    const line = `{"seq":${k},"sensor":"temp-${k % 7}","value":${20 + (k * 37 % 100) / 10},"unit":"C"}\n`;
    lines.push(line);
    length += line.length;
  }
  return Buffer.from(lines.join('').slice(0, size), 'latin1');
}

/** Sends `total` bytes of JSON lines, a few messages in flight at a time, then the hash in the Close. */
function download(ws, total) {
  const hash = crypto.createHash('sha256');
  let sent = 0;
  let inFlight = 0;
  let finished = false;
  const pump = () => {
    while (sent < total && inFlight < DOWNLOAD_IN_FLIGHT && ws.readyState === ws.OPEN) {
      const chunk = jsonLines(sent / 64, Math.min(CHUNK_BYTES, total - sent));
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

/** Hashes the messages received until `total` bytes came, then closes with the count and the hash. */
function upload(ws, total) {
  const hash = crypto.createHash('sha256');
  let received = 0;
  let messages = 0;
  const done = () => ws.close(1000, `${messages} ${hash.digest('hex')}`);
  ws.on('message', (data) => {
    hash.update(data);
    received += data.length;
    messages++;
    if (received >= total) {
      done();
    }
  });
  if (total === 0) {
    done();
  }
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
