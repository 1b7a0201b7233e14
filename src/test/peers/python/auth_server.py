"""A WebSocket server behind HTTP Basic authentication for fluxsocket's interop tests
(ServerCredentialInteropTest), built on Python's websockets and its own Basic authentication
(``websockets.basic_auth_protocol_factory``): the check of the ``Authorization`` header and the
``401`` with ``WWW-Authenticate: Basic realm="fluxsocket", charset="UTF-8"`` are the library's.

Written for Debian 12's python3-websockets (10.4, the asyncio "legacy" server API); run it with
Debian's own interpreter, /usr/bin/python3, which sees Debian's packages.

Listens on 127.0.0.1 and an ephemeral port, prints ``LISTENING <port>`` once it accepts
connections, and exits when its standard input closes or on SIGTERM.

Environment:

  AUTH_USER, AUTH_PASSWORD   the one credential accepted (UTF-8)

Every path: once the client is authenticated, sends the user name it authenticated as (text),
then closes 1000.
"""

import asyncio
import os
import signal
import sys

import websockets


def emit(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def handle(ws, path):
    await ws.send(ws.username)
    await ws.close(1000)


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
        create_protocol=websockets.basic_auth_protocol_factory(
            realm="fluxsocket",
            credentials=(os.environ["AUTH_USER"], os.environ["AUTH_PASSWORD"]),
        ),
    ) as server:
        port = server.sockets[0].getsockname()[1]
        emit(f"LISTENING {port}")
        await stop


if __name__ == "__main__":
    asyncio.run(main())
