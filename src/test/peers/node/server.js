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
 *
 * Message-mode routes (MessageInteropContract):
 *
 *   /upload-message           reads one message, then closes 1000 with `<type> <hex SHA-256>` as the
 *                             reason, type `text` or `binary`
 *   /message?bytes=N&type=T   sends one message of N pseudo-random bytes in one frame, T `binary`
 *                             (the default) or `text` (valid UTF-8 mixing 1- to 4-byte characters),
 *                             then closes 1000 with the hex SHA-256 of its payload as the reason;
 *                             with `&close=no` it does not close but waits for the client's Close
 *                             and prints `MESSAGE-CLOSED <code>`
 *   /text-frames?hex=H1,H2,…  sends one text message as frames whose payloads are the hex bytes
 *                             H1, H2, … as given, UTF-8 or not (for invalid-text tests), then waits
 *                             for the client's Close and prints `TEXT-FRAMES-CLOSED <code>`
 *   /count?n=N&size=S&type=T  sends N messages of S bytes (S >= 4), T `binary` (the default) or
 *                             `text`: message i is i as 4 bytes big-endian (for text: 8 hex digits,
 *                             S >= 8) then filler bytes ('a' + (i + j) % 26 at byte j), then closes
 *                             1000 with reason `<N>`
 *
 * TLS (TlsPeersTest), by environment variables:
 *
 *   TLS_CERT, TLS_KEY         paths of a PEM certificate chain (leaf first) and its PKCS#8 PEM key:
 *                             with both set, the server speaks TLS (https, so wss://) on every route
 *   TLS_CA, TLS_REQUEST_CERT  with TLS_REQUEST_CERT=1 and TLS_CA the path of a PEM CA certificate, it
 *                             requires a client certificate issued under that CA; a client without
 *                             one fails the TLS handshake
 *
 *   /client-cert              sends the subject CN of the client's certificate (binary, UTF-8; empty
 *                             without one, or without TLS), closes 1000
 *
 * Liveness routes (LivenessInteropContract), with the keep-alive's timing by environment variables:
 *
 *   PING_INTERVAL, PING_TIMEOUT  seconds (fractions allowed; 20 each by default, as Python
 *                             websockets' keepalive): how often /keepalive pings, and how long it
 *                             waits for each Pong
 *
 *   /keepalive?pongs=N        pings the client every PING_INTERVAL s (the Ping after the previous
 *                             Pong), each Ping with a payload of its own; a Ping not answered within
 *                             PING_TIMEOUT s closes 1011 `keepalive ping timeout` (as Python
 *                             websockets' keepalive does); after N Pongs, closes 1000 with reason
 *                             `keepalive pongs=N max-rtt-ms=R`, R the longest round trip seen
 *   /pings?n=N                sends nothing; once it answered N Pings of the client (ws answers
 *                             them by itself), closes 1000 with reason `pings N`
 *   /silent                   stops reading the socket right after the handshake: the client's
 *                             Pings and Close are never read, nothing is sent
 */

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const https = require('https');
const { WebSocketServer } = require('ws');

const SUPPORTED_SUBPROTOCOLS = ['chat', 'superchat'];
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
/** Download messages handed to ws whose write callback has not fired yet, at most. */
const DOWNLOAD_IN_FLIGHT = 16;

/** Answers plain HTTP requests: only WebSocket upgrades are served. */
function webSocketOnly(req, res) {
  res.writeHead(426, { 'Content-Type': 'text/plain' });
  res.end('WebSocket only\n');
}

/** An https server when TLS_CERT and TLS_KEY are set, asking for a client certificate as TLS_* say; else http. */
function createServer() {
  const env = process.env;
  if (!env.TLS_CERT || !env.TLS_KEY) {
    return http.createServer(webSocketOnly);
  }
  const options = { cert: fs.readFileSync(env.TLS_CERT), key: fs.readFileSync(env.TLS_KEY) };
  if (env.TLS_REQUEST_CERT === '1') {
    if (!env.TLS_CA) {
      throw new Error('TLS_REQUEST_CERT=1 needs TLS_CA, the CA that issues client certificates');
    }
    Object.assign(options, { requestCert: true, rejectUnauthorized: true, ca: fs.readFileSync(env.TLS_CA) });
  }
  const tlsServer = https.createServer(options, webSocketOnly);
  // Without a listener Node drops such connections silently; a line on stderr helps the test that failed.
  tlsServer.on('tlsClientError', (err) => process.stderr.write(`TLS handshake failed: ${err.message.trim()}\n`));
  return tlsServer;
}

const server = createServer();

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
    case '/client-cert':
      ws.send(Buffer.from(clientCommonName(req.socket), 'utf8'), { binary: true });
      ws.close(1000, '');
      break;
    case '/download':
      download(ws, Number(url.searchParams.get('bytes') || 0));
      break;
    case '/upload-message':
      ws.once('message', (data, isBinary) => ws.close(1000,
          `${isBinary ? 'binary' : 'text'} ${crypto.createHash('sha256').update(data).digest('hex')}`));
      break;
    case '/message':
      message(ws, url.searchParams);
      break;
    case '/text-frames':
      textFrames(ws, (url.searchParams.get('hex') || '').split(','));
      break;
    case '/keepalive':
      keepalive(ws, Number(url.searchParams.get('pongs') || 1));
      break;
    case '/pings':
      pings(ws, Number(url.searchParams.get('n') || 1));
      break;
    case '/silent':
      // ws's own pause (ws 8): its socket is paused, so nothing the client sends is read or answered.
      ws.pause();
      break;
    case '/count':
      count(ws, Number(url.searchParams.get('n') || 0), Number(url.searchParams.get('size') || 4),
          url.searchParams.get('type') === 'text');
      break;
    default:
      ws.close(4404, `no route ${url.pathname}`);
  }
});

/** The subject CN of the client's certificate, or '' without TLS or without a client certificate. */
function clientCommonName(socket) {
  if (typeof socket.getPeerCertificate !== 'function') {
    return '';
  }
  const subject = socket.getPeerCertificate().subject;
  return (subject && subject.CN) || '';
}

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

/** `n` bytes of valid UTF-8: pseudo-random characters of 1 to 4 bytes, ASCII to fill the end. */
function randomUtf8(n) {
  const out = Buffer.allocUnsafe(n);
  const random = crypto.randomBytes(n);
  let at = 0;
  while (at < n) {
    const r = random[at];
    const width = Math.min(1 + (r & 3), n - at);
    if (width === 1) {
      out[at] = 0x20 + (r % 95); // printable ASCII
    } else if (width === 2) {
      out[at] = 0xc2 + (r % 30); // U+0080..U+07FF
      out[at + 1] = 0x80 + (random[at + 1] & 0x3f);
    } else if (width === 3) {
      out[at] = 0xe1 + (r % 12); // U+1000..U+CFFF: no surrogates, no overlong forms
      out[at + 1] = 0x80 + (random[at + 1] & 0x3f);
      out[at + 2] = 0x80 + (random[at + 2] & 0x3f);
    } else {
      out[at] = 0xf1 + (r % 3); // U+40000..U+FFFFF
      out[at + 1] = 0x80 + (random[at + 1] & 0x3f);
      out[at + 2] = 0x80 + (random[at + 2] & 0x3f);
      out[at + 3] = 0x80 + (random[at + 3] & 0x3f);
    }
    at += width;
  }
  return out;
}

/** One message of `bytes` pseudo-random bytes (ws sends it as one frame), then the hash in the Close. */
function message(ws, params) {
  const total = Number(params.get('bytes') || 0);
  const text = params.get('type') === 'text';
  const payload = text ? randomUtf8(total) : crypto.randomBytes(total);
  const sha = crypto.createHash('sha256').update(payload).digest('hex');
  if (params.get('close') === 'no') {
    ws.on('close', (code) => process.stdout.write(`MESSAGE-CLOSED ${code}\n`));
    ws.send(payload, { binary: !text });
  } else {
    ws.send(payload, { binary: !text }, (err) => {
      if (!err) {
        ws.close(1000, sha);
      }
    });
  }
}

/** One text message of the given frame payloads, sent unchecked: ws does not validate what it sends. */
function textFrames(ws, hexParts) {
  ws.on('close', (code) => process.stdout.write(`TEXT-FRAMES-CLOSED ${code}\n`));
  hexParts.forEach((hex, i) => {
    ws.send(Buffer.from(hex, 'hex'), { binary: false, fin: i === hexParts.length - 1 });
  });
}

/** `n` numbered messages of `size` bytes each, written as ws accepts them, then a Close with `n`. */
function count(ws, n, size, text) {
  let i = 0;
  const pump = () => {
    while (i < n && ws.readyState === ws.OPEN) {
      const payload = Buffer.allocUnsafe(size);
      let start;
      if (text) {
        payload.write(i.toString(16).padStart(8, '0'), 0, 'latin1');
        start = 8;
      } else {
        payload.writeUInt32BE(i, 0);
        start = 4;
      }
      for (let j = start; j < size; j++) {
        payload[j] = 0x61 + ((i + j) % 26);
      }
      i++;
      if (ws.bufferedAmount > 1024 * 1024) {
        ws.send(payload, { binary: !text }, () => pump());
        return;
      }
      ws.send(payload, { binary: !text });
    }
    if (i === n && ws.readyState === ws.OPEN) {
      i++;
      ws.close(1000, String(n));
    }
  };
  pump();
}

/** Seconds from an environment variable (fractions allowed), or `fallback` when it is not set. */
function seconds(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value === '') {
    return fallback;
  }
  const n = Number(value);
  if (!(n > 0)) {
    throw new Error(`${name} must be a positive number of seconds, was '${value}'`);
  }
  return n;
}

const PING_INTERVAL_MS = seconds('PING_INTERVAL', 20) * 1000;
const PING_TIMEOUT_MS = seconds('PING_TIMEOUT', 20) * 1000;

/** A keepalive as Python websockets' (ws has none of its own): a Ping every interval, each answered within the timeout. */
function keepalive(ws, wanted) {
  let pongs = 0;
  let maxRttMs = 0;
  let payload = null;
  let sentAt = 0n;
  let timer = null;
  const ping = () => {
    payload = Buffer.from(`keepalive ${pongs + 1}`, 'utf8');
    sentAt = process.hrtime.bigint();
    ws.ping(payload);
    timer = setTimeout(() => ws.close(1011, 'keepalive ping timeout'), PING_TIMEOUT_MS);
  };
  ws.on('pong', (data) => {
    if (payload === null || !data.equals(payload)) {
      // Unsolicited, or not the answer to the Ping that waits.
      return;
    }
    clearTimeout(timer);
    payload = null;
    pongs++;
    maxRttMs = Math.max(maxRttMs, Number(process.hrtime.bigint() - sentAt) / 1e6);
    if (pongs >= wanted) {
      ws.close(1000, `keepalive pongs=${pongs} max-rtt-ms=${maxRttMs.toFixed(1)}`);
    } else {
      timer = setTimeout(ping, PING_INTERVAL_MS);
    }
  });
  ws.on('close', () => clearTimeout(timer));
  timer = setTimeout(ping, PING_INTERVAL_MS);
}

/** Counts the client's Pings, which ws answers by itself, and closes once there were `wanted`. */
function pings(ws, wanted) {
  let seen = 0;
  ws.on('ping', () => {
    seen++;
    if (seen === wanted) {
      ws.close(1000, `pings ${seen}`);
    }
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
