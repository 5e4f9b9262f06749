"""A real uvicorn server for browser tests, on 127.0.0.1 and a free port."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def live_server(app) -> Iterator[str]:
    """Serve ``app`` until the block ends; yields the base URL.

    A listening socket handed to uvicorn: the port is known and connections queue until
    the server accepts them, so no polling for start-up is needed.
    """
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    uv = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        sock.close()
