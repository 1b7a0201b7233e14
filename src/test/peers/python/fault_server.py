"""The Python ``websockets`` peer of fluxsocket's fault tests (PeerFaultTest): a sink that records
what reached it, so that a test that cut or stalled the connection on the way can tell which prefix
of what the client sent the server got.

Listens on 127.0.0.1 and an ephemeral port, prints ``LISTENING <port>`` once it accepts
connections, and exits when its standard input closes or on SIGTERM. Route:

  /sink                     reads messages and keeps none: it hashes their payloads in order and,
                            when the connection ends (a closing handshake, a reset, anything),
                            prints ``SINK <bytes> <hex SHA-256>`` of the whole messages it got
"""

import asyncio
import hashlib
import os
import signal
import sys

import websockets
import websockets.exceptions


def emit(line):
    """One line on stdout, flushed at once: the harness reads these."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def handle(ws):
    if ws.path.split("?")[0] != "/sink":
        await ws.close(4404, f"no route {ws.path}")
        return
    digest = hashlib.sha256()
    count = 0
    try:
        async for message in ws:
            data = message.encode("utf-8") if isinstance(message, str) else message
            count += len(data)
            digest.update(data)
    except websockets.exceptions.ConnectionClosed:
        pass
    finally:
        emit(f"SINK {count} {digest.hexdigest()}")


async def main():
    loop = asyncio.get_running_loop()
    stop = loop.create_future()

    def request_stop():
        if not stop.done():
            stop.set_result(None)

    def on_stdin():
        try:
            data = os.read(sys.stdin.fileno(), 4096)
        except OSError:
            data = b""
        if not data:
            loop.remove_reader(sys.stdin.fileno())
            request_stop()

    loop.add_signal_handler(signal.SIGTERM, request_stop)
    loop.add_reader(sys.stdin.fileno(), on_stdin)
    # No keepalive of its own: a stalled connection must end by the client's doing, or the test's.
    async with websockets.serve(handle, "127.0.0.1", 0, compression=None, max_size=256 * 1024 * 1024,
                                ping_interval=None) as server:
        emit(f"LISTENING {server.sockets[0].getsockname()[1]}")
        await stop


if __name__ == "__main__":
    asyncio.run(main())
