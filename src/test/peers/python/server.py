"""An independent WebSocket server for fluxsocket's interop tests, built on Python's websockets.

Written for Debian 12's python3-websockets (10.4, the asyncio "legacy" server API); run it with
Debian's own interpreter, /usr/bin/python3, which sees Debian's packages.

Listens on 127.0.0.1 and an ephemeral port, prints ``LISTENING <port>`` once it accepts
connections, and exits when its standard input closes or on SIGTERM. Routes, by path:

  /echo                     every message comes back with its type (binary stays binary), as
                            websockets sends any message: in one frame
  /upload                   reads one message, then closes 1000 with its hex SHA-256 as the reason
  /close?code=C&reason=R    closes with C and R right after the handshake
  /expect-close             answers the client's Close and prints ``CLOSED <code> <reason>``
  /subprotocol              sends the selected subprotocol's name (binary, UTF-8), closes 1000
  /headers                  sends the request headers as JSON (binary, lower-case names), closes 1000
  /download?bytes=N         sends N pseudo-random bytes in 64 KiB binary messages, then closes
                            1000 with the hex SHA-256 of those bytes as the reason

Message-mode routes (MessageInteropContract):

  /upload-message           reads one message, then closes 1000 with ``<type> <hex SHA-256>`` as
                            the reason, type ``text`` or ``binary``
  /message?bytes=N&type=T   sends one message of N pseudo-random bytes in one frame, T ``binary``
                            (the default) or ``text`` (valid UTF-8 mixing 1- to 4-byte characters),
                            then closes 1000 with the hex SHA-256 of its payload as the reason;
                            with ``&close=no`` it does not close but waits for the client's Close
                            and prints ``MESSAGE-CLOSED <code>``
  /text-frames?hex=H1,H2,…  sends one text message as frames whose payloads are the hex bytes
                            H1, H2, … as given, UTF-8 or not (for invalid-text tests: written as
                            raw frames, which websockets does not check), then waits for the
                            client's Close and prints ``TEXT-FRAMES-CLOSED <code>``
  /count?n=N&size=S&type=T  sends N messages of S bytes (S >= 4), T ``binary`` (the default) or
                            ``text``: message i is i as 4 bytes big-endian (for text: 8 hex digits,
                            S >= 8) then filler bytes ('a' + (i + j) % 26 at byte j), then closes
                            1000 with reason ``<N>``

TLS (TlsPeersTest), by environment variables:

  TLS_CERT, TLS_KEY         paths of a PEM certificate chain (leaf first) and its PKCS#8 PEM key:
                            with both set, the server speaks TLS (so wss://) on every route
  TLS_CA, TLS_REQUEST_CERT  with TLS_REQUEST_CERT=1 and TLS_CA the path of a PEM CA certificate, it
                            requires a client certificate issued under that CA; a client without
                            one fails the TLS handshake

  /client-cert              sends the subject CN of the client's certificate (binary, UTF-8; empty
                            without one, or without TLS), closes 1000

Liveness routes (LivenessInteropContract), with the keepalive's timing by environment variables:

  PING_INTERVAL, PING_TIMEOUT  seconds (fractions allowed; 20 each by default): websockets' own
                            keepalive, ``ping_interval`` and ``ping_timeout`` of the whole server

  /keepalive?pongs=N        sends nothing; websockets' keepalive pings the client every
                            PING_INTERVAL s and, when a Pong does not come within PING_TIMEOUT s,
                            closes 1011 ``keepalive ping timeout``; after N Pongs, closes 1000 with
                            reason ``keepalive pongs=N max-rtt-ms=R``, R the longest round trip seen
  /pings?n=N                sends nothing; once it answered N Pings of the client (websockets
                            answers them by itself), closes 1000 with reason ``pings N``
  /silent                   stops reading the socket right after the handshake: the client's
                            Pings and Close are never read, nothing is sent (start the server
                            without a short PING_INTERVAL: its keepalive Pings would reach the client)
"""

import asyncio
import hashlib
import json
import os
import random
import signal
import ssl
import sys
from urllib.parse import parse_qs, urlsplit

import websockets
import websockets.exceptions
from websockets.frames import OP_CONT, OP_TEXT
from websockets.legacy.server import WebSocketServerProtocol

SUPPORTED_SUBPROTOCOLS = ["chat", "superchat"]
MAX_MESSAGE_BYTES = 256 * 1024 * 1024
CHUNK_BYTES = 64 * 1024
# Transports of /silent connections, whose reading is paused: aborted at shutdown, since closing
# them would wait for a Close that is never read.
SILENT = set()


def seconds(name, default):
    """Seconds from an environment variable (fractions allowed), or ``default`` when it is not set."""
    value = os.environ.get(name, "")
    if not value:
        return default
    number = float(value)
    if not number > 0:
        raise SystemExit(f"{name} must be a positive number of seconds, was {value!r}")
    return number


class CountingProtocol(WebSocketServerProtocol):
    """websockets' server protocol, counting the Pongs its own Pings got (its keepalive's too, with
    their round trips) and the Pings of the client it answered, for the liveness routes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pongs = 0
        self.max_rtt = 0.0
        self.pings_answered = 0
        # Set at every count and when the connection is lost; the liveness routes wait on it.
        self.progress = asyncio.Event()

    async def ping(self, data=None):
        waiter = await super().ping(data)
        waiter.add_done_callback(self._ponged)
        return waiter

    def _ponged(self, waiter):
        # A ping aborted by the end of the connection is cancelled or carries ConnectionClosed.
        if waiter.cancelled() or waiter.exception() is not None:
            return
        self.pongs += 1
        self.max_rtt = max(self.max_rtt, waiter.result())
        self.progress.set()

    async def pong(self, data=b""):
        await super().pong(data)
        self.pings_answered += 1
        self.progress.set()

    def connection_lost(self, exc):
        super().connection_lost(exc)
        self.progress.set()


async def counted(ws, count):
    """Waits until ``count()`` of the CountingProtocol ``ws`` holds; False if the connection ended first."""
    while not count():
        if ws.closed:
            return False
        ws.progress.clear()
        await ws.progress.wait()
    return True


def select_subprotocol(client_subprotocols, server_subprotocols):
    """The first subprotocol the client offered that this server speaks, or None."""
    for name in client_subprotocols:
        if name in server_subprotocols:
            return name
    return None


def emit(line):
    """One line on stdout, flushed at once: the harness reads these."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def echo(ws, _query):
    async for message in ws:
        await ws.send(message)


async def upload(ws, _query):
    message = await ws.recv()
    data = message.encode("utf-8") if isinstance(message, str) else message
    await ws.close(1000, hashlib.sha256(data).hexdigest())


async def close(ws, query):
    code = int(query.get("code", ["1000"])[0])
    reason = query.get("reason", [""])[0]
    await ws.close(code, reason)


async def expect_close(ws, _query):
    try:
        async for _ in ws:
            pass
    except websockets.exceptions.ConnectionClosed:
        pass
    # websockets answered the client's Close itself; close_code/close_reason are what the client sent.
    emit(f"CLOSED {ws.close_code} {ws.close_reason}")


async def subprotocol(ws, _query):
    await ws.send((ws.subprotocol or "").encode("utf-8"))
    await ws.close(1000, "")


async def headers(ws, _query):
    seen = {}
    for name, value in ws.request_headers.raw_items():
        key = name.lower()
        seen[key] = f"{seen[key]}, {value}" if key in seen else value
    await ws.send(json.dumps(seen).encode("utf-8"))
    await ws.close(1000, "")


def client_common_name(ws):
    """The subject CN of the client's certificate, or "" without TLS or without a client certificate."""
    # A dict only for a certificate the server verified (CERT_REQUIRED); None without TLS.
    certificate = ws.transport.get_extra_info("peercert") or {}
    for rdn in certificate.get("subject", ()):
        for name, value in rdn:
            if name == "commonName":
                return value
    return ""


async def client_cert(ws, _query):
    await ws.send(client_common_name(ws).encode("utf-8"))
    await ws.close(1000, "")


async def download(ws, query):
    total = int(query.get("bytes", ["0"])[0])
    digest = hashlib.sha256()
    sent = 0
    while sent < total:
        chunk = os.urandom(min(CHUNK_BYTES, total - sent))
        digest.update(chunk)
        sent += len(chunk)
        await ws.send(chunk)
    await ws.close(1000, digest.hexdigest())


async def upload_message(ws, _query):
    message = await ws.recv()
    if isinstance(message, str):
        kind, data = "text", message.encode("utf-8")
    else:
        kind, data = "binary", message
    await ws.close(1000, f"{kind} {hashlib.sha256(data).hexdigest()}")


# Characters of each UTF-8 width, none a surrogate: what random_text draws from.
_ALPHABET = (
    [chr(c) for c in range(0x20, 0x7F)]
    + [chr(c) for c in range(0x80, 0x800, 7)]
    + [chr(c) for c in range(0x1000, 0xD000, 97)]
    + [chr(c) for c in range(0x40000, 0x100000, 1009)]
)


def random_text(n):
    """``n`` bytes of UTF-8: pseudo-random characters of 1 to 4 bytes, ASCII to fill the end."""
    rng = random.Random(os.urandom(16))
    # The characters average under 3 bytes: n // 3 of them rarely overshoot, and the loop trims.
    data = "".join(rng.choices(_ALPHABET, k=n // 3)).encode("utf-8")
    if len(data) > n:
        cut = n
        while cut > 0 and (data[cut] & 0xC0) == 0x80:
            cut -= 1
        data = data[:cut]
    return data + b"x" * (n - len(data))


async def message(ws, query):
    total = int(query.get("bytes", ["0"])[0])
    text = query.get("type", ["binary"])[0] == "text"
    payload = random_text(total) if text else os.urandom(total)
    digest = hashlib.sha256(payload).hexdigest()
    if query.get("close", ["yes"])[0] == "no":
        try:
            await ws.send(payload.decode("utf-8") if text else payload)
        finally:
            await ws.wait_closed()
            emit(f"MESSAGE-CLOSED {ws.close_code}")
        return
    await ws.send(payload.decode("utf-8") if text else payload)
    await ws.close(1000, digest)


async def text_frames(ws, query):
    parts = [bytes.fromhex(h) for h in query.get("hex", [""])[0].split(",")]
    try:
        # websockets checks the text it is given to send; raw frames it writes as they are.
        for i, part in enumerate(parts):
            await ws.write_frame(i == len(parts) - 1, OP_TEXT if i == 0 else OP_CONT, part)
    finally:
        await ws.wait_closed()
        emit(f"TEXT-FRAMES-CLOSED {ws.close_code}")


async def count(ws, query):
    n = int(query.get("n", ["0"])[0])
    size = int(query.get("size", ["4"])[0])
    text = query.get("type", ["binary"])[0] == "text"
    head = 8 if text else 4
    for i in range(n):
        filler = bytes(0x61 + (i + j) % 26 for j in range(head, size))
        if text:
            await ws.send(f"{i:08x}" + filler.decode("ascii"))
        else:
            await ws.send(i.to_bytes(4, "big") + filler)
    await ws.close(1000, str(n))


async def keepalive(ws, query):
    wanted = int(query.get("pongs", ["1"])[0])
    # websockets' keepalive pings; it closes 1011 itself when a Pong is late.
    if await counted(ws, lambda: ws.pongs >= wanted):
        await ws.close(1000, f"keepalive pongs={ws.pongs} max-rtt-ms={ws.max_rtt * 1000:.1f}")


async def pings(ws, query):
    wanted = int(query.get("n", ["1"])[0])
    if await counted(ws, lambda: ws.pings_answered >= wanted):
        await ws.close(1000, f"pings {ws.pings_answered}")


async def silent(ws, _query):
    ws.transport.pause_reading()
    SILENT.add(ws.transport)
    try:
        await ws.wait_closed()
    finally:
        SILENT.discard(ws.transport)


ROUTES = {
    "/echo": echo,
    "/upload": upload,
    "/close": close,
    "/expect-close": expect_close,
    "/subprotocol": subprotocol,
    "/headers": headers,
    "/client-cert": client_cert,
    "/download": download,
    "/upload-message": upload_message,
    "/message": message,
    "/text-frames": text_frames,
    "/count": count,
    "/keepalive": keepalive,
    "/pings": pings,
    "/silent": silent,
}


async def handle(ws):
    target = urlsplit(ws.path)
    route = ROUTES.get(target.path)
    if route is None:
        await ws.close(4404, f"no route {target.path}")
        return
    try:
        await route(ws, parse_qs(target.query))
    except websockets.exceptions.ConnectionClosed:
        pass


def tls_context():
    """A server TLS context when TLS_CERT and TLS_KEY are set, else None.

    With TLS_REQUEST_CERT=1 it requires a client certificate issued under the CA in TLS_CA.
    """
    cert, key = os.environ.get("TLS_CERT"), os.environ.get("TLS_KEY")
    if not cert or not key:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    if os.environ.get("TLS_REQUEST_CERT") == "1":
        ca = os.environ.get("TLS_CA")
        if not ca:
            raise SystemExit("TLS_REQUEST_CERT=1 needs TLS_CA, the CA that issues client certificates")
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(cafile=ca)
    return context


async def main():
    loop = asyncio.get_running_loop()
    stop = loop.create_future()

    def request_stop():
        if not stop.done():
            stop.set_result(None)

    def on_stdin():
        # Anything read is ignored; end of file (or an error) means the harness is gone.
        try:
            data = os.read(sys.stdin.fileno(), 4096)
        except OSError:
            data = b""
        if not data:
            loop.remove_reader(sys.stdin.fileno())
            request_stop()

    loop.add_signal_handler(signal.SIGTERM, request_stop)
    loop.add_reader(sys.stdin.fileno(), on_stdin)
    async with websockets.serve(
        handle,
        "127.0.0.1",
        0,
        subprotocols=SUPPORTED_SUBPROTOCOLS,
        select_subprotocol=select_subprotocol,
        compression=None,
        max_size=MAX_MESSAGE_BYTES,
        max_queue=64,
        read_limit=2**20,
        write_limit=2**20,
        ssl=tls_context(),
        create_protocol=CountingProtocol,
        ping_interval=seconds("PING_INTERVAL", 20),
        ping_timeout=seconds("PING_TIMEOUT", 20),
    ) as server:
        port = server.sockets[0].getsockname()[1]
        emit(f"LISTENING {port}")
        await stop
        for transport in list(SILENT):
            transport.abort()


if __name__ == "__main__":
    asyncio.run(main())
