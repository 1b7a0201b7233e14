"""An independent permessage-deflate (RFC 7692) server for fluxsocket's interop tests
(DeflateInteropContract), built on Python's websockets.

server.py serves the other interop tests without compression; this one has websockets'
permessage-deflate on, as it is by default (``compression="deflate"``: windows of 12 bits each
way, so the client is asked for ``client_max_window_bits=12``), or as its environment configures
``ServerPerMessageDeflateFactory``. websockets compresses every message it sends.

Written for Debian 12's python3-websockets (10.4, the asyncio "legacy" server API); run it with
Debian's own interpreter, /usr/bin/python3, which sees Debian's packages.

Listens on 127.0.0.1 and an ephemeral port, prints ``LISTENING <port>`` once it accepts
connections, and exits when its standard input closes or on SIGTERM.

Environment (with none of these set, websockets' default compression):

  DEFLATE_SERVER_NO_CONTEXT_TAKEOVER=1   the server compresses each message on its own and says so
  DEFLATE_CLIENT_NO_CONTEXT_TAKEOVER=1   the answer asks the client to compress each message alone
  DEFLATE_SERVER_MAX_WINDOW_BITS=N       the server compresses with a window of N bits (8-15)
  DEFLATE_CLIENT_MAX_WINDOW_BITS=N       the answer asks the client for a window of N bits, and the
                                         server inflates with that window

Routes, by path (the same as deflate-server.js of the Node peer):

  /echo                         every message comes back with its type, in one frame, compressed
  /fragments?n=N&type=T&sizes=S1,S2,…&ping=P
                                sends N messages (T ``text`` or ``binary``, the default), each as
                                frames of S1, S2, … bytes, and websockets adds an empty final frame
                                (it sends an iterable's items as fragments, then ends the message),
                                each frame compressed on its own, with P ``1`` a Ping between each
                                two frames of S1, S2, …; then closes 1000 with the hex SHA-256 of
                                every payload byte sent as the reason. Frame j of message i is the
                                line ``{"message":i,"fragment":j,"sensor":"temp-<(i+j)%7>"}\\n``
                                repeated and cut to its size.
  /download?bytes=N             sends N bytes of JSON lines (``{"seq":<k>,"sensor":…}\\n``, cut
                                anywhere) in binary messages of 64 KiB; then closes 1000 with the
                                hex SHA-256 of those bytes as the reason
  /upload?bytes=N               reads messages (text as its UTF-8 bytes) until N bytes came, then
                                closes 1000 with ``<messages> <hex SHA-256>`` as the reason
"""

import asyncio
import hashlib
import os
import signal
import sys
from urllib.parse import parse_qs, urlsplit

import websockets
import websockets.exceptions
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory

MAX_MESSAGE_BYTES = 256 * 1024 * 1024
CHUNK_BYTES = 64 * 1024


def emit(line):
    """One line on stdout, flushed at once: the harness reads these."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def window_bits(text):
    bits = int(text)
    if not 8 <= bits <= 15:
        raise SystemExit(f"a window of 8 to 15 bits, not {text!r}")
    return bits


def deflate_settings(env):
    """The ``compression`` and ``extensions`` arguments of serve() for the DEFLATE_* variables."""
    names = [
        "DEFLATE_SERVER_NO_CONTEXT_TAKEOVER",
        "DEFLATE_CLIENT_NO_CONTEXT_TAKEOVER",
        "DEFLATE_SERVER_MAX_WINDOW_BITS",
        "DEFLATE_CLIENT_MAX_WINDOW_BITS",
    ]
    if not any(env.get(name) for name in names):
        return {"compression": "deflate"}
    factory = ServerPerMessageDeflateFactory(
        server_no_context_takeover=env.get("DEFLATE_SERVER_NO_CONTEXT_TAKEOVER") == "1",
        client_no_context_takeover=env.get("DEFLATE_CLIENT_NO_CONTEXT_TAKEOVER") == "1",
        server_max_window_bits=window_bits(env["DEFLATE_SERVER_MAX_WINDOW_BITS"])
        if env.get("DEFLATE_SERVER_MAX_WINDOW_BITS") else None,
        client_max_window_bits=window_bits(env["DEFLATE_CLIENT_MAX_WINDOW_BITS"])
        if env.get("DEFLATE_CLIENT_MAX_WINDOW_BITS") else None,
    )
    return {"compression": None, "extensions": [factory]}


def as_bytes(message):
    return message.encode("utf-8") if isinstance(message, str) else message


async def echo(ws, _query):
    async for message in ws:
        await ws.send(message)


def fragment(i, j, size):
    """Frame ``j`` of message ``i`` of /fragments: its line repeated and cut to ``size`` bytes."""
    line = f'{{"message":{i},"fragment":{j},"sensor":"temp-{(i + j) % 7}"}}\n'
    return (line * (size // len(line) + 1))[:size]


async def fragments(ws, query):
    n = int(query.get("n", ["1"])[0])
    text = query.get("type", ["binary"])[0] == "text"
    sizes = [int(s) for s in query.get("sizes", ["0"])[0].split(",")]
    ping = query.get("ping", ["0"])[0] == "1"
    digest = hashlib.sha256()

    async def parts(i):
        for j, size in enumerate(sizes):
            if ping and j > 0:
                # The frame before went out when this generator was resumed: the Ping comes after it.
                # (Each with its own payload: websockets refuses a second Ping like one unanswered.)
                await ws.ping(f"between fragments {j - 1} and {j} of message {i}".encode("ascii"))
            part = fragment(i, j, size)
            digest.update(part.encode("ascii"))
            yield part if text else part.encode("ascii")

    for i in range(n):
        await ws.send(parts(i))
    await ws.close(1000, digest.hexdigest())


def json_lines(seq, size):
    """JSON lines from sequence number ``seq`` on, exactly ``size`` bytes (the last line cut)."""
    lines = []
    length = 0
    k = seq
    while length < size:
        value = 20 + (k * 37 % 100) / 10
        line = f'{{"seq":{k},"sensor":"temp-{k % 7}","value":{value:g},"unit":"C"}}\n'
        lines.append(line)
        length += len(line)
        k += 1
    return "".join(lines)[:size].encode("ascii")


async def download(ws, query):
    total = int(query.get("bytes", ["0"])[0])
    digest = hashlib.sha256()
    sent = 0
    while sent < total:
        chunk = json_lines(sent // 64, min(CHUNK_BYTES, total - sent))
        digest.update(chunk)
        sent += len(chunk)
        await ws.send(chunk)
    await ws.close(1000, digest.hexdigest())


async def upload(ws, query):
    total = int(query.get("bytes", ["0"])[0])
    digest = hashlib.sha256()
    received = 0
    messages = 0
    while received < total:
        data = as_bytes(await ws.recv())
        digest.update(data)
        received += len(data)
        messages += 1
    await ws.close(1000, f"{messages} {digest.hexdigest()}")


ROUTES = {
    "/echo": echo,
    "/fragments": fragments,
    "/download": download,
    "/upload": upload,
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
        max_size=MAX_MESSAGE_BYTES,
        max_queue=64,
        read_limit=2**20,
        write_limit=2**20,
        **deflate_settings(os.environ),
    ) as server:
        port = server.sockets[0].getsockname()[1]
        emit(f"LISTENING {port}")
        await stop


if __name__ == "__main__":
    asyncio.run(main())
