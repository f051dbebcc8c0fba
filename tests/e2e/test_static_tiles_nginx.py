"""A static mirror as an operator runs it: ``terang publish-tiles DIR`` served by Debian's
nginx with deploy/nginx/terang-tiles.conf, and ``terang verify`` and ``terang monitor``
reading nginx, never Terang (issue 17 item 4).

nginx runs as a child process of the test (scripts/nginx_throwaway.py: its own prefix,
config, pid and logs in tmp_path, a loopback port; no root needed). When nginx is
missing: with ``CI=true`` the test FAILS; otherwise it is skipped with the reason
(scripts/test.sh installs nginx with apt-get as root, and sets
``TERANG_TEST_NGINX=skip`` when it cannot).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import REPO, TERANG, run

from audit.remote import verify_log
from audit.verifier import LogFault
from ledger import tiles
from ledger.checkpoint import Checkpoint
from ledger.limits import FULL_TILE_BYTES, Limits
from ledger.note import split_note
from terang.app import all_kinds

DEPLOY_CONF = REPO / "deploy" / "nginx" / "terang-tiles.conf"
PLACEHOLDER = "/srv/terang/tiles"


def _load_throwaway() -> Any:
    spec = importlib.util.spec_from_file_location(
        "terang_nginx_throwaway", REPO / "scripts" / "nginx_throwaway.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


nginx_throwaway = _load_throwaway()
ORIGIN = "kab-contoh.example/terang"


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _nginx_binary() -> str:
    binary = os.environ.get("TERANG_NGINX", "/usr/sbin/nginx")
    reason = None
    if os.environ.get("TERANG_TEST_NGINX") == "skip":
        reason = os.environ.get("TERANG_TEST_NGINX_REASON", "TERANG_TEST_NGINX=skip")
    elif not os.access(binary, os.X_OK):
        reason = f"{binary} is missing (apt-get install nginx, or set TERANG_NGINX)"
    if reason is not None:
        if _truthy(os.environ.get("CI")):
            pytest.fail(f"CI=true and the nginx mirror tests cannot run: {reason}")
        pytest.skip(f"nginx mirror tests skipped: {reason}")
    return binary


def _env(cwd: Path) -> dict[str, str]:
    return {
        **os.environ,
        "TERANG_DATABASE_URL": f"sqlite:///{cwd / 'terang.db'}",
        "PYTHONPATH": os.pathsep.join(sys.path),
    }


def _terang(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TERANG, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def _tile_paths(size: int) -> list[str]:
    paths = []
    for level, index, width in tiles.tiles_for_size(size):
        paths.append(tiles.tile_path(level, index, width))
        if level == 0:
            paths.append(tiles.entries_path(index, width))
    return paths


def _size(note: str) -> int:
    return Checkpoint.parse(split_note(note).text).size


@dataclass
class Site:
    """A demo kabupaten's log, published by ``publish-tiles --follow`` while it was
    written, and served by nginx."""

    cwd: Path
    env: dict[str, str]
    key: str
    out: Path
    url: str
    size: int
    sizes_seen: set[int]
    reader_faults: list[str]
    publisher_exit: int
    publisher_stderr: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    binary = _nginx_binary()
    cwd = tmp_path_factory.mktemp("mirror")
    env = _env(cwd)
    run(cwd, env, "init", "--origin", ORIGIN)
    key = json.loads(run(cwd, env, "info"))["verifier_key"]
    out = cwd / "tiles"
    publisher = subprocess.Popen(
        [*TERANG, "publish-tiles", str(out), "--follow", "--interval", "0.2"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (out / "checkpoint").exists():
            assert publisher.poll() is None, publisher.communicate()
            assert time.monotonic() < deadline, "publish-tiles --follow wrote no checkpoint"
            time.sleep(0.05)
        with nginx_throwaway.serving(out, cwd / "nginx", binary=binary) as url:
            # An auditor and a monitor read the young log first, so that their next runs
            # must prove the grown log consistent with it, from nginx's tiles.
            early = _terang(
                cwd,
                env,
                *("verify", url, "--key", key, "--tiles-only", "--no-progress"),
                *("--state", str(cwd / "verify-state.json")),
            )
            assert early.returncode == 0, early.stderr
            monitor = ["monitor", "--url", url, "--key", key, "--tiles-only", "--once"]
            early = _terang(cwd, env, *monitor, "--state", str(cwd / "monitor.json"))
            assert early.returncode == 0, early.stderr
            # A reader polls nginx while the demo writes and the publisher follows.
            seen: set[int] = set()
            faults: list[str] = []
            present: set[str] = set()
            stop = threading.Event()

            def read_along() -> None:
                with httpx.Client(base_url=url, timeout=5) as client:
                    while not stop.is_set():
                        size = _size(client.get("/log/checkpoint").text)
                        seen.add(size)
                        for path in _tile_paths(size):
                            if path in present:
                                continue  # a full tile, seen before: never removed
                            if client.get(f"/log/{path}").status_code == 200:
                                if ".p/" not in path:
                                    present.add(path)
                                continue
                            full = path.split(".p/")[0]
                            if ".p/" in path and client.get(f"/log/{full}").status_code == 200:
                                continue  # replaced by its full tile since: spec fallback
                            faults.append(f"checkpoint {size}: {path} not served")
                        stop.wait(0.05)

            reader = threading.Thread(target=read_along)
            reader.start()
            try:
                run(cwd, env, "demo")
                size = json.loads(run(cwd, env, "info"))["tree_size"]
                deadline = time.monotonic() + 60
                while _size((out / "checkpoint").read_text(encoding="utf-8")) != size:
                    assert time.monotonic() < deadline, "the publisher did not catch up"
                    time.sleep(0.05)
            finally:
                stop.set()
                reader.join(timeout=60)
            publisher.send_signal(signal.SIGINT)  # Ctrl-C
            _, stderr = publisher.communicate(timeout=60)
            yield Site(cwd, env, key, out, url, size, seen, faults, publisher.returncode, stderr)
    finally:
        if publisher.poll() is None:
            publisher.kill()
            publisher.communicate(timeout=10)


def test_the_config_nginx_runs_is_the_deployed_file(site: Site) -> None:
    included = (site.cwd / "nginx" / "terang-tiles.conf").read_text(encoding="utf-8")
    deployed = DEPLOY_CONF.read_text(encoding="utf-8")
    assert PLACEHOLDER in deployed
    assert included == deployed.replace(PLACEHOLDER, str(site.out.resolve()))


def test_a_reader_never_sees_a_checkpoint_before_its_tiles(site: Site) -> None:
    # Every checkpoint the reader got from nginx while the log grew had all its tiles.
    assert site.reader_faults == []
    assert len(site.sizes_seen) >= 3, f"the reader saw only checkpoints {sorted(site.sizes_seen)}"
    # And the following publisher stopped cleanly on Ctrl-C.
    assert site.publisher_exit == 0, site.publisher_stderr
    assert "stopped" in site.publisher_stderr and "Traceback" not in site.publisher_stderr


def _verify_cli(site: Site, *more: str) -> subprocess.CompletedProcess[str]:
    state = site.cwd / f"verify-state-{time.monotonic_ns()}.json"
    return _terang(
        site.cwd,
        site.env,
        *("verify", site.url, "--key", site.key, "--tiles-only", "--no-progress"),
        *("--state", str(state), *more),
    )


def test_terang_verify_against_nginx_passes_and_says_projections_were_not_checked(
    site: Site,
) -> None:
    verified = _terang(
        site.cwd,
        site.env,
        *("verify", site.url, "--key", site.key, "--tiles-only", "--no-progress"),
        *("--state", str(site.cwd / "verify-state.json")),  # the young log's checkpoint
    )
    assert verified.returncode == 0, verified.stderr
    report = json.loads(verified.stdout)
    assert report["ok"] is True and report["tree_size"] == site.size
    assert report["consistent_with_size"] is not None  # proven from nginx's tiles
    assert report["consistent_with_size"] < site.size
    assert report["projections_checked"] is False
    assert "publishes no projections" in report["projections_not_checked"]
    assert "projections NOT checked" in verified.stderr
    # Without --tiles-only the verifier wants the service's JSON API, and says what to do.
    plain = _terang(
        site.cwd,
        site.env,
        *("verify", site.url, "--key", site.key, "--no-progress"),
        *("--state", str(site.cwd / "plain-state.json")),
    )
    assert plain.returncode == 2 and "--tiles-only" in plain.stderr


def test_terang_monitor_against_nginx(site: Site) -> None:
    state = site.cwd / "monitor.json"  # holds the young log's checkpoint
    before = json.loads(state.read_text())["logs"][ORIGIN]["tree_size"]
    assert before < site.size
    args = ["monitor", "--url", site.url, "--key", site.key, "--tiles-only", "--once"]
    polled = _terang(site.cwd, site.env, *args, "--state", str(state))
    assert polled.returncode == 0, polled.stderr
    assert json.loads(polled.stdout)["status"] == "new"  # consistent, by a proof from tiles
    assert json.loads(state.read_text())["logs"][ORIGIN]["tree_size"] == site.size


def test_nginx_headers_per_kind_of_file(site: Site) -> None:
    with httpx.Client(base_url=site.url) as client:
        checkpoint = client.get("/log/checkpoint")
        assert checkpoint.headers["content-type"] == "text/plain; charset=utf-8"
        assert checkpoint.headers["cache-control"] == "public, max-age=5"
        full = client.get("/log/tile/0/000")
        assert full.headers["content-type"] == "application/octet-stream"
        assert full.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert len(full.content) == FULL_TILE_BYTES
        bundle = client.get("/log/tile/entries/000")
        assert bundle.headers["cache-control"] == "public, max-age=31536000, immutable"
        partial = client.get("/log/" + tiles.entries_path(site.size // 256, site.size % 256))
        assert partial.status_code == 200
        assert partial.headers["cache-control"] == "public, max-age=5"
        assert partial.headers["content-type"] == "application/octet-stream"
        stray = site.out / "tile" / "0" / ".terang-stray.tmp"
        stray.write_bytes(b"half")
        try:
            assert client.get("/log/tile/0/.terang-stray.tmp").status_code == 404
        finally:
            stray.unlink()
        assert client.get("/log/tile/0/0000").status_code == 404  # not a canonical path


@contextlib.contextmanager
def tampered(site: Site, relative: str, change: Callable[[bytearray], None]) -> Iterator[None]:
    """One file of the served tree changed behind the publisher's back, then restored."""
    path = site.out / relative
    original = path.read_bytes()
    data = bytearray(original)
    change(data)
    path.write_bytes(bytes(data))
    try:
        yield
    finally:
        path.write_bytes(original)


def _verify_in_process(site: Site) -> None:
    with httpx.Client(base_url=site.url, timeout=30) as client:
        verify_log(client, site.key, all_kinds(), Limits(), tiles_only=True)


def _flip(offset: int) -> Callable[[bytearray], None]:
    def change(data: bytearray) -> None:
        data[offset] ^= 0x01

    return change


def test_a_tampered_hash_tile_served_by_nginx_fails_verify_as_bad_tile(site: Site) -> None:
    with tampered(site, "tile/0/003", _flip(40)):
        verdict = _verify_cli(site)
        assert verdict.returncode == 1, verdict.stderr
        assert "error[log_fault]" in verdict.stderr and "(fault: bad_tile)" in verdict.stderr
        assert "tile/0/003" in verdict.stderr
    _verify_in_process(site)  # restored: passes again


def test_a_tampered_entry_bundle_served_by_nginx_names_the_entry(site: Site) -> None:
    def change_nonce(data: bytearray) -> None:
        position = data.index(b'"nonce":"') + len(b'"nonce":"')
        data[position] = ord("A") if data[position] != ord("A") else ord("B")

    with tampered(site, "tile/entries/002", change_nonce), pytest.raises(LogFault) as caught:
        _verify_in_process(site)
    assert caught.value.details["seq"] == 512  # the first entry of bundle 2
    assert caught.value.details["fault"] == "bad_signature"


def test_a_missing_full_tile_is_missing_entries(site: Site) -> None:
    hidden = site.out / "tile/entries/001"
    moved = site.out / "tile/entries/.hidden"
    hidden.rename(moved)
    try:
        with pytest.raises(LogFault) as caught:
            _verify_in_process(site)
    finally:
        moved.rename(hidden)
    assert caught.value.details["fault"] == "missing_entries"
    assert caught.value.details["seq"] == 256
