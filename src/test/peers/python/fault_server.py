"""The Python ``websockets`` peer of fluxsocket's fault tests (PeerFaultTest,
ReconnectThroughFaultsTest): a sink that records what reached it, so that a test that cut or
stalled the connection on the way can tell which prefix of what the client sent the server got.

Listens on 127.0.0.1 and an ephemeral port (or the port in the environment variable PORT, to be
started again where a killed one was), prints ``LISTENING <port>`` once it accepts connections,
and exits when its standard input closes or on SIGTERM. Route:

  /sink                     reads messages and keeps none: it hashes their payloads in order and,
                            when the connection ends (a closing handshake, a reset, anything),
                            prints ``SINK <bytes> <hex SHA-256> <close code>`` of the whole messages
                            it got (1006 for a connection lost without a Close)
  /sink?ack=1               the same, and after each message it sends a text message
                            ``<bytes> <hex SHA-256>`` of what it got so far on the connection

Refusals, by environment variables:

  REFUSE_STATUS             with it set, the opening handshake is refused with this HTTP status
                            (and the line ``REFUSED <status>`` printed)
  REFUSE_COUNT              only the first N handshakes are refused (default: every one)
  RETRY_AFTER               the refusal's Retry-After header (default: none)
"""

import asyncio
import hashlib
import http
import os
import signal
import sys

import websockets
import websockets.exceptions


def emit(line):
    """One line on stdout, flushed at once: the harness reads these."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


REFUSE_STATUS = int(os.environ.get("REFUSE_STATUS", "0"))
REFUSE_COUNT = int(os.environ["REFUSE_COUNT"]) if "REFUSE_COUNT" in os.environ else None
refused = 0


async def refuse(path, request_headers):
    """Refuses the handshake while the REFUSE_* variables say so; None lets it go on."""
    global refused
    if REFUSE_STATUS == 0 or (REFUSE_COUNT is not None and refused >= REFUSE_COUNT):
        return None
    refused += 1
    emit(f"REFUSED {REFUSE_STATUS}")
    headers = [("Retry-After", os.environ["RETRY_AFTER"])] if "RETRY_AFTER" in os.environ else []
    return http.HTTPStatus(REFUSE_STATUS), headers, b"scripted refusal\n"


async def handle(ws):
    path, _, query = ws.path.partition("?")
    if path != "/sink":
        await ws.close(4404, f"no route {ws.path}")
        return
    ack = "ack=1" in query.split("&")
    digest = hashlib.sha256()
    count = 0
    try:
        async for message in ws:
            data = message.encode("utf-8") if isinstance(message, str) else message
            count += len(data)
            digest.update(data)
            if ack:
                await ws.send(f"{count} {digest.copy().hexdigest()}")
    except websockets.exceptions.ConnectionClosed:
        pass
    finally:
        # A ConnectionClosed is raised once the connection is closed, so the code is known by now.
        emit(f"SINK {count} {digest.hexdigest()} {ws.close_code or 1006}")


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
    async with websockets.serve(handle, "127.0.0.1", int(os.environ.get("PORT", "0")), process_request=refuse,
                                compression=None, max_size=256 * 1024 * 1024,
                                ping_interval=None) as server:
        emit(f"LISTENING {server.sockets[0].getsockname()[1]}")
        await stop


if __name__ == "__main__":
    asyncio.run(main())
