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
"""

import asyncio
import hashlib
import json
import os
import signal
import sys
from urllib.parse import parse_qs, urlsplit

import websockets
import websockets.exceptions

SUPPORTED_SUBPROTOCOLS = ["chat", "superchat"]
MAX_MESSAGE_BYTES = 256 * 1024 * 1024
CHUNK_BYTES = 64 * 1024


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


ROUTES = {
    "/echo": echo,
    "/upload": upload,
    "/close": close,
    "/expect-close": expect_close,
    "/subprotocol": subprotocol,
    "/headers": headers,
    "/download": download,
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
    ) as server:
        port = server.sockets[0].getsockname()[1]
        emit(f"LISTENING {port}")
        await stop


if __name__ == "__main__":
    asyncio.run(main())
