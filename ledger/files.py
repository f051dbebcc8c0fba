"""Writing a file so that a reader or a crash sees the old one or the whole new one.

Used for everything Terang keeps in files beside its database: the restore check's
state file (``ledger.rollback_guard``), the published tiles (``audit.static_tiles``),
an auditor's verify state (``audit.remote``) and a monitor's evidence (``audit.monitor``).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomically(
    path: Path, data: bytes, *, mode: int | None = None, prefix: str | None = None
) -> None:
    """``data`` at ``path``: a temporary file in the same directory, fsync, rename, and
    the directory fsynced where the OS allows it (the rename itself survives a power cut).

    ``mode``: the file's permissions (``mkstemp`` makes 0600; a file a web server serves
    needs 0644). ``prefix``: the temporary file's name start (default ``.<name>.``), so
    a caller can recognise and remove strays a crash left behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(
        prefix=prefix if prefix is not None else f".{path.name}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # some file systems refuse fsync on a directory
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
