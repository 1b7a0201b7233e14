'use strict';

/*
 * A WebSocket server behind HTTP authentication for fluxsocket's interop tests
 * (ServerCredentialInteropTest), built on the `ws` library; the authentication is the `http-auth`
 * library's own (its check of the `Authorization` header, its `WWW-Authenticate` challenge and its
 * nonces), not a check written here. http-auth does Digest with MD5 and MD5-sess only (RFC 2617);
 * it has no SHA-256.
 *
 * Listens on 127.0.0.1 and an ephemeral port, prints `LISTENING <port>` once it accepts
 * connections, and exits when its standard input closes or on SIGTERM.
 *
 * Environment:
 *
 *   AUTH_USER, AUTH_PASSWORD  the one credential accepted (UTF-8)
 *
 * Routes, by path; each, once the client is authenticated, sends the user name it authenticated as
 * (text), then closes 1000:
 *
 *   /basic          Basic (realm "fluxsocket")
 *   /digest         Digest, algorithm MD5, qop="auth" (realm "fluxsocket")
 *   /digest-sess    Digest, algorithm MD5-sess, qop="auth"
 *   /digest-no-qop  Digest, algorithm MD5 without qop (RFC 2069's answer)
 *
 * Every refused handshake prints `REFUSED <path> <status>`; every accepted one `ACCEPTED <path> <user>`.
 */

const crypto = require('crypto');
const http = require('http');
const auth = require('http-auth');
const { WebSocketServer } = require('ws');

const USER = process.env.AUTH_USER;
const PASSWORD = process.env.AUTH_PASSWORD;
const REALM = 'fluxsocket';

const md5 = (s) => crypto.createHash('md5').update(s).digest('hex');

/** Each route's authentication: http-auth's checkers, given the one credential. */
const routes = {
  '/basic': auth.basic({ realm: REALM }, (user, password, callback) => callback(user === USER && password === PASSWORD)),
  '/digest': auth.digest({ realm: REALM }, (user, callback) => callback(md5(`${USER}:${REALM}:${PASSWORD}`))),
  '/digest-sess': auth.digest({ realm: REALM, algorithm: 'MD5-sess' },
    (user, callback) => callback(md5(`${USER}:${REALM}:${PASSWORD}`))),
  '/digest-no-qop': auth.digest({ realm: REALM, qop: 'none' },
    (user, callback) => callback(md5(`${USER}:${REALM}:${PASSWORD}`))),
};

const server = http.createServer((req, res) => {
  res.writeHead(426, { 'Content-Type': 'text/plain' });
  res.end('WebSocket only\n');
});

const wss = new WebSocketServer({
  server,
  perMessageDeflate: false,
  verifyClient: (info, done) => {
    const path = new URL(info.req.url, 'http://localhost').pathname;
    const check = routes[path];
    if (!check) {
      process.stdout.write(`REFUSED ${path} 404\n`);
      done(false, 404, 'Not Found');
      return;
    }
    check.isAuthenticated(info.req, (result) => {
      if (result instanceof Error) {
        process.stdout.write(`REFUSED ${path} 400\n`);
        done(false, 400, result.message);
      } else if (!result.pass) {
        process.stdout.write(`REFUSED ${path} 401\n`);
        // The challenge http-auth asks with (a new nonce for Digest).
        done(false, 401, 'Unauthorized', { 'WWW-Authenticate': check.generateHeader(result) });
      } else {
        info.req.user = result.user;
        process.stdout.write(`ACCEPTED ${path} ${result.user}\n`);
        done(true);
      }
    });
  },
});

wss.on('connection', (ws, req) => {
  ws.send(req.user, () => ws.close(1000));
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
