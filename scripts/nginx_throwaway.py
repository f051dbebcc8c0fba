"""A throwaway nginx serving a ``terang publish-tiles`` directory under ``/log/``.

    python3 scripts/nginx_throwaway.py DIR [--nginx /usr/sbin/nginx]

Runs Debian's nginx in the foreground as a child process, with its own prefix (config,
pid file, logs, temp paths) in a temporary directory and a loopback port; no root
needed, nothing of the system's nginx configuration is read. The server block includes
``deploy/nginx/terang-tiles.conf`` itself, with ``/srv/terang/tiles`` replaced by DIR:
what the e2e test (tests/e2e/test_static_tiles_nginx.py) and bench/tiles_bench.py run
is the deployed file. Stdlib only.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEPLOY_CONF = REPO / "deploy" / "nginx" / "terang-tiles.conf"
PLACEHOLDER = "/srv/terang/tiles"
NGINX_DEFAULT = "/usr/sbin/nginx"
START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def included_config(directory: Path) -> str:
    """deploy/nginx/terang-tiles.conf with its one setting, the directory, filled in."""
    text = DEPLOY_CONF.read_text(encoding="utf-8")
    if PLACEHOLDER not in text:
        raise RuntimeError(f"{DEPLOY_CONF} no longer names {PLACEHOLDER}")
    return text.replace(PLACEHOLDER, str(directory.resolve()))


def write_main_config(prefix: Path, http_body: str) -> Path:
    """A whole nginx.conf in ``prefix``: ``http_body`` inside ``http { }``, every path
    nginx writes (pid, logs, temp files) under ``prefix``; returns its path."""
    # As root, nginx's workers would drop to `nobody`, who cannot read a private tmp dir.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"""{user}worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"};
events {{ worker_connections 256; }}
http {{
    access_log {prefix / "access.log"};
{temp}
{http_body}
}}
""",
        encoding="utf-8",
    )
    return conf


def write_config(prefix: Path, directory: Path, port: int) -> Path:
    """nginx.conf serving ``directory`` under /log/ with the deployed file; its path."""
    (prefix / "terang-tiles.conf").write_text(included_config(directory), encoding="utf-8")
    server = f"""    server {{
        listen 127.0.0.1:{port};
        include {prefix / "terang-tiles.conf"};
    }}"""
    return write_main_config(prefix, server)


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def running(conf: Path, prefix: Path, port: int, *, binary: str = NGINX_DEFAULT) -> Iterator[None]:
    """nginx in the foreground with ``conf`` until ``port`` answers; stopped on exit."""
    command = [binary, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")]
    process = subprocess.Popen(
        [*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                _, stderr = process.communicate(timeout=STOP_TIMEOUT_S)
                raise RuntimeError(f"nginx did not start: {stderr.decode(errors='replace')}")
            time.sleep(0.05)
        yield
    finally:
        if process.poll() is None:
            process.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT_S)


@contextlib.contextmanager
def serving(
    directory: Path, prefix: Path | None = None, *, binary: str = NGINX_DEFAULT
) -> Iterator[str]:
    """nginx serving ``directory`` as ``/log/``: its base URL; stopped on exit."""
    with contextlib.ExitStack() as stack:
        if prefix is None:
            prefix = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="nginx-")))
        prefix.mkdir(parents=True, exist_ok=True)
        port = free_port()
        conf = write_config(prefix, directory, port)
        with running(conf, prefix, port, binary=binary):
            yield f"http://127.0.0.1:{port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--nginx", default=os.environ.get("TERANG_NGINX", NGINX_DEFAULT))
    args = parser.parse_args()
    with serving(args.directory, binary=args.nginx) as url:
        print(f"serving {args.directory} at {url}/log/ (Ctrl-C to stop)", file=sys.stderr)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


if __name__ == "__main__":
    main()
