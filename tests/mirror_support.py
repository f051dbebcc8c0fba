"""A static tiles mirror served in-process: files under ``/log/``, 404 for anything else,
never a dot-file (a plain file server is all a mirror is; the same tree behind a real
nginx is tests/e2e/test_static_tiles_nginx.py).

A support module, not a test module: test modules import these instead of each other.
"""

from __future__ import annotations

from pathlib import Path

import httpx

Overrides = dict[str, bytes | None]
"""Paths (relative to /log/) the stand-in serves differently: bytes, or None for 404."""


def mirror(directory: Path, overrides: Overrides | None = None) -> httpx.Client:
    """A static file server for ``directory`` under ``/log/``."""
    overrides = overrides or {}

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if not path.startswith("/log/"):
            return httpx.Response(404)
        relative = path.removeprefix("/log/")
        if relative in overrides:
            data = overrides[relative]
            return httpx.Response(404) if data is None else httpx.Response(200, content=data)
        file = directory / relative
        if any(part.startswith(".") for part in Path(relative).parts) or not file.is_file():
            return httpx.Response(404)
        return httpx.Response(200, content=file.read_bytes())

    return httpx.Client(transport=httpx.MockTransport(handle), base_url="http://mirror")
